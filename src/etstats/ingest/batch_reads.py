"""The reads of linking a whole batch, made once for the batch instead of once per
neighbourhood (:func:`etstats.ingest.batch._link`).

Linking a neighbourhood reads its archived artifacts (:meth:`StorageTx.group_artifacts`),
the rounds that reference them (:meth:`StorageTx.rounds_with_artifacts`), for a round 2 the
stored round 1s it may pair with, and for re-linked round 1s the round 2s to refresh
(:meth:`StorageTx.stats_rounds_between`). On PostgreSQL each was a round-trip: about five
statements per neighbourhood. :class:`BatchReads` wraps the batch's transaction while it
links: it reads, in a few statements, everything those reads can ask for near the batch's
anchors (windows a fixed size around each anchor, so the work stays linear in the batch,
never in the store), answers them from memory, and keeps its copy of ``rounds`` current
through every write the linking makes. A read outside what it fetched goes to the store,
so the answers are always the store's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from etstats.ingest.neighbourhood import MARGIN_SECONDS
from etstats.storage.base import ROUND_COLUMNS, ArtifactRecord, StorageTx, StoredRound

Group = tuple[int, str, int]
"""``(server id, map name, round number)``."""
Windows = dict[Group, list[tuple[int, int]]]
"""Per group, disjoint sorted ``[lo, hi]`` windows (UTC Unix seconds)."""


def merge_windows(spans: Iterable[tuple[Group, int, int]]) -> Windows:
    """The ``(group, lo, hi)`` spans merged into disjoint sorted windows per group (spans
    that overlap or touch become one)."""
    by_group: dict[Group, list[tuple[int, int]]] = {}
    for group, lo, hi in spans:
        by_group.setdefault(group, []).append((lo, hi))
    out: Windows = {}
    for group, spans_of in by_group.items():
        merged: list[tuple[int, int]] = []
        for lo, hi in sorted(spans_of):
            if merged and lo <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        out[group] = merged
    return out


def _covers(windows: Windows, group: Group, lo: int, hi: int) -> bool:
    return any(w_lo <= lo and hi <= w_hi for w_lo, w_hi in windows.get(group, ()))


def _flat(windows: Windows) -> list[tuple[int, str, int, int, int]]:
    return [(*group, lo, hi) for group, spans in windows.items() for lo, hi in spans]


class BatchReads:
    """A transaction view for linking one batch (see the module docstring).

    :param tx: the batch's transaction (writes go through to it).
    :param anchors: ``(server id, map, round number, anchor)`` of each artifact the batch
        links (UTC Unix seconds).
    :param window_seconds: the round-2 pairing window (seconds).
    """

    def __init__(
        self, tx: StorageTx, anchors: Sequence[tuple[int, str, int, int]], window_seconds: int
    ) -> None:
        self._tx = tx
        # neighbourhood() reads [anchor - MARGIN, anchor + MARGIN] first
        self._artifact_windows = merge_windows(
            ((s, m, n), a - MARGIN_SECONDS, a + MARGIN_SECONDS) for s, m, n, a in anchors
        )
        # A round 2 at t reads the round 1s of [t - window, t - 1]; re-linked round 1s of
        # [lo, hi] read the round 2s of [lo, hi + window]. Neighbourhood spans stay within
        # MARGIN of their anchors but for long chains (then the store answers).
        spans: list[tuple[Group, int, int]] = []
        for s, m, n, a in anchors:
            if n == 2:
                spans.append(((s, m, 1), a - window_seconds - MARGIN_SECONDS, a + MARGIN_SECONDS))
            if n == 1:
                spans.append(((s, m, 2), a - MARGIN_SECONDS, a + window_seconds + MARGIN_SECONDS))
        self._round_windows = merge_windows(spans)
        fetched = tx.artifacts_in_windows(_flat(self._artifact_windows))  # type: ignore[attr-defined]
        self._records: dict[str, ArtifactRecord] = {r.sha256: r for r in fetched}
        self._by_group: dict[Group, list[ArtifactRecord]] = {}
        for r in sorted(fetched, key=lambda r: (r.anchor_unix, r.sha256)):
            key = (r.server_id, str(r.map_name), int(r.round_number or 0))
            self._by_group.setdefault(key, []).append(r)
        self._rounds: dict[int, StoredRound] = {}
        self._sha_rounds: dict[str, set[int]] = {}
        self._group_rounds: dict[Group, set[int]] = {}
        for rnd in tx.rounds_with_any_artifact(list(self._records)):  # type: ignore[attr-defined]
            self._put(rnd)
        for rnd in tx.stats_rounds_in_windows(_flat(self._round_windows)):  # type: ignore[attr-defined]
            self._put(rnd)

    # -- the mirror of ``rounds`` ----------------------------------------------------------
    # Invariant: every stored round that references a fetched artifact, or has a stats file
    # in a fetched round window of its group, is in self._rounds as stored now. Every write
    # to ``rounds`` below keeps it: a saved round's whole row is known, a round changed by
    # set_round_scope, clear_round_links or a deleted round 1 (its r1_round_id set to NULL)
    # but absent here stays outside both sets.
    def _put(self, rnd: StoredRound) -> None:
        self._drop(rnd.id)
        self._rounds[rnd.id] = rnd
        for sha in (rnd.stats_sha256, rnd.lua_sha256, rnd.endstats_sha256):
            if sha is not None:
                self._sha_rounds.setdefault(sha, set()).add(rnd.id)
        key = (rnd.server_id, rnd.map_name, rnd.round_number)
        self._group_rounds.setdefault(key, set()).add(rnd.id)

    def _drop(self, round_id: int) -> None:
        old = self._rounds.pop(round_id, None)
        if old is None:
            return
        for sha in (old.stats_sha256, old.lua_sha256, old.endstats_sha256):
            if sha is not None:
                self._sha_rounds[sha].discard(round_id)
        self._group_rounds[(old.server_id, old.map_name, old.round_number)].discard(round_id)

    # -- reads -----------------------------------------------------------------------------
    def group_artifacts(
        self, server_id: int, map_name: str, round_number: int, lo_unix: int, hi_unix: int
    ) -> list[ArtifactRecord]:
        group = (server_id, map_name, round_number)
        if not _covers(self._artifact_windows, group, lo_unix, hi_unix):
            return self._tx.group_artifacts(server_id, map_name, round_number, lo_unix, hi_unix)
        return [
            self._records[r.sha256]  # the current record (its link note may have changed)
            for r in self._by_group.get(group, ())
            if r.anchor_unix is not None and lo_unix <= r.anchor_unix <= hi_unix
        ]

    def get_artifact(self, sha256: str) -> ArtifactRecord | None:
        hit = self._records.get(sha256)
        return hit if hit is not None else self._tx.get_artifact(sha256)

    def rounds_with_artifacts(self, shas: Sequence[str]) -> list[StoredRound]:
        if not all(sha in self._records for sha in shas):
            return self._tx.rounds_with_artifacts(shas)
        ids = {rid for sha in shas for rid in self._sha_rounds.get(sha, ())}
        return [self._rounds[rid] for rid in sorted(ids)]

    def stats_rounds_between(
        self, server_id: int, map_name: str, round_number: int, lo_unix: int, hi_unix: int
    ) -> list[StoredRound]:
        group = (server_id, map_name, round_number)
        if not _covers(self._round_windows, group, lo_unix, hi_unix):
            return self._tx.stats_rounds_between(
                server_id, map_name, round_number, lo_unix, hi_unix
            )
        found = [
            r
            for r in (self._rounds[rid] for rid in self._group_rounds.get(group, ()))
            if r.stats_sha256 is not None
            and r.stats_file_unix is not None
            and lo_unix <= r.stats_file_unix <= hi_unix
        ]
        return sorted(found, key=lambda r: (r.stats_file_unix, r.id))

    def mirrored_rounds(self, round_ids: Sequence[int]) -> list[StoredRound] | None:
        """The rounds with these ids, ordered by id, as mirrored here (what
        :meth:`StorageTx.rounds_by_id` answers), or ``None`` when one of them is not
        mirrored (the caller asks the store). For what reads the batch ahead of need
        (:class:`etstats.ingest.batch_reconcile.EarlyOffers`): the linking itself reads only
        through the methods above."""
        if not all(rid in self._rounds for rid in round_ids):
            return None
        return [self._rounds[rid] for rid in sorted(set(round_ids))]

    def mirrored_artifacts(self, shas: Sequence[str]) -> dict[str, ArtifactRecord] | None:
        """The records of these hashes as fetched (:meth:`StorageTx.known_artifacts`), or
        ``None`` when one of them was not fetched."""
        if not all(sha in self._records for sha in shas):
            return None
        return {sha: self._records[sha] for sha in shas}

    # -- writes (through to the store, mirrored here) --------------------------------------
    def set_link_note(self, sha256: str, note: str | None) -> None:
        self._tx.set_link_note(sha256, note)
        if sha256 in self._records:
            self._records[sha256] = attrs.evolve(self._records[sha256], link_note=note)

    def save_round(self, round_id: int | None, values: dict[str, Any]) -> int:
        rid = self._tx.save_round(round_id, values)
        row: list[Any] = [values.get(c) for c in ROUND_COLUMNS]  # as save_round stores it
        self._put(StoredRound(rid, *row))
        return rid

    def set_round_scope(
        self, round_id: int, values_scope: str | None, r1_round_id: int | None
    ) -> None:
        self._tx.set_round_scope(round_id, values_scope, r1_round_id)
        if round_id in self._rounds:
            self._put(
                attrs.evolve(
                    self._rounds[round_id], values_scope=values_scope, r1_round_id=r1_round_id
                )
            )

    def clear_round_links(self, round_ids: Sequence[int]) -> None:
        self._tx.clear_round_links(round_ids)  # type: ignore[attr-defined]
        for rid in round_ids:
            if rid in self._rounds:
                self._put(
                    attrs.evolve(
                        self._rounds[rid],
                        stats_sha256=None,
                        lua_sha256=None,
                        endstats_sha256=None,
                        round_start_unix=-rid,
                    )
                )

    def delete_rounds(self, round_ids: Sequence[int]) -> None:
        if not round_ids:  # most re-links delete nothing: skip the scan below
            return
        self._tx.delete_rounds(round_ids)
        gone = set(round_ids)
        for rid in gone:
            self._drop(rid)
        for rnd in list(self._rounds.values()):  # rounds.r1_round_id: ON DELETE SET NULL
            if rnd.r1_round_id in gone:
                self._put(attrs.evolve(rnd, r1_round_id=None))

    def _unsupported(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("BatchReads: artifacts change only before linking starts")

    update_artifact = update_artifacts = rename_artifact = _unsupported
    insert_artifact = insert_artifacts = _unsupported

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)
