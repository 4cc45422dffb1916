"""Bulk ingestion: many artifacts per transaction (``ingest_many``, ``etstats ingest``,
``rebuild``); :mod:`etstats.ingest.bulk_stream` feeds the batches to
:func:`etstats.ingest.batch_commit.start_batch`, which runs :func:`write_batch`.

A batch is parsed and hashed before its transaction opens (here, or ahead by the parse
workers: the ``ready`` argument). The transaction then

1. reads which of its hashes are already archived (one query per 500 hashes) and takes the
   advisory locks of every (server, map) it may write, in the global :func:`lock_order`;
2. archives the new artifacts with their status and link facts in one ``executemany``;
3. links each affected neighbourhood **once** (an artifact whose anchor lies in a span an
   earlier artifact of the batch already re-linked is covered by it), refreshing the round 2s
   of re-linked round 1s on the way;
4. reconciles each round written by the batch **once**, at the end
   (:mod:`etstats.ingest.batch_reconcile`).

Same bytes under a smaller name (a rename), the same hash twice in one batch, and a hash
another writer archived meanwhile go through the single-arrival path
(:meth:`Pipeline._ingest_tx`) inside the same transaction. Hooks and deliveries run, and
``progress`` is called, only after the batch committed (on PostgreSQL the commit runs behind,
while the next batch is parsed: :mod:`etstats.ingest.batch_commit`): what was acknowledged
is stored.
A crash mid-batch rolls the whole batch back; running it again converges to the same store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from etstats.errors import ParseError
from etstats.ingest.alongside import Behind
from etstats.ingest.artifacts import Artifact, name_preference
from etstats.ingest.batch_reads import BatchReads
from etstats.ingest.batch_reconcile import EarlyOffers, reconcile_rounds
from etstats.ingest.extract import ParsedArtifact
from etstats.ingest.r2scope import window_seconds
from etstats.storage.base import ArtifactRecord, StorageTx, lock_order

if TYPE_CHECKING:
    from etstats.ingest.pipeline import IngestResult, Pipeline, _Notify

Progress = Callable[["IngestResult"], None] | None
Ready = tuple[dict[str, tuple[int, str]], list[ParsedArtifact | ParseError | None]]
"""A batch parsed ahead: (server name -> (server id, timezone), a model or error or ``None``
(a plain duplicate) per position)."""
log = logging.getLogger(__name__)


def is_duplicate(a: Artifact, known: ArtifactRecord | None) -> bool:
    """Already processed under a name at least as good: nothing to do but report it."""
    return (
        known is not None
        and known.status != "pending"
        and name_preference(a.name) >= name_preference(known.name)
    )


def parse_all(
    pipeline: Pipeline,
    batch: list[Artifact],
    zones: dict[str, tuple[int, str]],
    known: dict[str, ArtifactRecord],
    parsed: list[ParsedArtifact | ParseError | None] | None = None,
) -> list[ParsedArtifact | ParseError | None]:
    """Parse what may be written; an artifact ``known`` as a duplicate is left ``None``
    (a re-ingest reads and hashes its files, it does not parse them again). Positions
    already parsed in ``parsed`` are kept."""
    out: list[ParsedArtifact | ParseError | None] = (
        list(parsed) if parsed is not None else [None] * len(batch)
    )
    for i, a in enumerate(batch):
        if out[i] is None and not is_duplicate(a, known.get(a.sha256)):
            out[i] = parse_or_error(pipeline, a, zones[a.server][1])
    return out


def parse_or_error(
    pipeline: Pipeline, artifact: Artifact, timezone: str
) -> ParsedArtifact | ParseError:
    """``artifact`` parsed in this process (and cached, :meth:`Pipeline._parse`), or the
    :class:`ParseError` that rejects it."""
    try:
        return pipeline._parse(artifact, timezone)
    except ParseError as exc:
        return exc


def prepare(pipeline: Pipeline, batch: list[Artifact]) -> Ready:
    """Look up a batch's servers and archived hashes and parse what may be written (before
    its transaction; inside it, what another batch stored meanwhile is checked again)."""
    with pipeline.storage.transaction() as tx:
        zones = zones_of(tx, pipeline, batch)
        known = known_of(tx, [a.sha256 for a in batch])
    return zones, parse_all(pipeline, batch, zones, known)


def write_batch(
    pipeline: Pipeline, batch: list[Artifact], ready: Ready | None = None
) -> tuple[Behind, list[tuple[IngestResult, _Notify | None]]]:
    """The batch's body; returns its commit (still running behind, on PostgreSQL) and its
    results and notes, to be acknowledged once that commit succeeded."""
    from etstats.ingest.pipeline import IngestResult, _Notify

    storage = pipeline.storage
    zones, parsed = ready if ready is not None else prepare(pipeline, batch)
    results: list[IngestResult | None] = [None] * len(batch)
    notes: list[_Notify | None] = [None] * len(batch)
    # The transaction's end is handed to the commit below once the body succeeded; a body
    # that fails leaves the stack here (the rows written behind stop, then a rollback).
    stack = ExitStack()
    with stack:
        real_tx = stack.enter_context(storage.transaction())
        tx = RowBuffer(real_tx)
        stack.callback(tx.wait_quietly)
        known = known_of(tx, [a.sha256 for a in batch])
        if ready is not None:  # what the previous batch stored is a plain duplicate now
            parsed = [
                None if is_duplicate(a, known.get(a.sha256)) else p
                for a, p in zip(batch, parsed, strict=True)
            ]
        # another writer (a rebuild) may have changed an artifact meanwhile: parse now what
        # is no longer a plain duplicate, before the locks are chosen
        parsed = parse_all(pipeline, batch, zones, known, parsed)
        keys = [
            (zones[a.server][0], p.facts.map_name)
            for a, p in zip(batch, parsed, strict=True)
            if isinstance(p, ParsedArtifact)
        ]
        keys += [(k.server_id, k.map_name) for k in known.values() if k.map_name is not None]
        for server_id, map_name in lock_order(keys):
            tx.lock_group(server_id, map_name, 0)
        seen: set[str] = set()
        single: list[int] = []  # positions that take the single-arrival path
        fresh: list[int] = []  # positions archived here, then linked
        inserts: list[tuple[ArtifactRecord, bytes]] = []
        updates: list[ArtifactRecord] = []
        for i, (a, p) in enumerate(zip(batch, parsed, strict=True)):
            k = known.get(a.sha256)
            if a.sha256 in seen or (
                k is not None
                and k.status != "pending"
                and name_preference(a.name) < name_preference(k.name)
            ):
                single.append(i)
                continue
            seen.add(a.sha256)
            if k is not None and k.status != "pending":
                results[i] = IngestResult(a.sha256, a.name, k.kind, "duplicate", k.error)
                continue
            if p is None:  # pragma: no cover - parsed above unless a plain duplicate
                raise RuntimeError(f"{a.name}: not parsed")
            record = _record(a, p, zones[a.server][0], k)
            if k is None:
                inserts.append((record, a.data))
            else:
                updates.append(record)  # archived, not processed (rebuild, a crash)
            fresh.append(i)
        tx.update_artifacts(updates)
        written = _insert(tx, inserts)
        lost = {r.sha256 for r, _ in inserts} - written
        pipeline._deferred = set()
        try:
            linked = [i for i in fresh if batch[i].sha256 not in lost]
            single += [i for i in fresh if batch[i].sha256 in lost]
            early = EarlyOffers(pipeline)
            _link(pipeline, tx, batch, parsed, zones, linked, results, notes, early)
            for i in sorted(single):
                pipeline._pending_note = None
                results[i] = pipeline._ingest_tx(tx, batch[i])
                notes[i] = pipeline._pending_note
            # the batch's rows are written behind while its rounds are reconciled (here or
            # by the workers), its verdicts after them, at the commit
            recons = reconcile_rounds(
                pipeline, tx, pipeline._deferred, meanwhile=tx.write_behind, early=early
            )
        finally:
            pipeline._deferred = None
        ending = stack.pop_all()
    enqueued = sorted({rid for n in notes if n is not None for rid in n.round_ids})

    def commit() -> None:
        with ending:  # commits, or rolls back on a failure here
            tx.flush()
            # Outbox rows in the batch's own commit (never lost, never ahead of the rounds).
            pipeline._enqueue(tx, enqueued)

    committing = Behind(commit, tx.commits_in_background, "batch-commit")
    # Hooks and deliveries hear of each round once per batch (with the first artifact that
    # wrote it), not once per artifact of its neighbourhood.
    announced: set[int] = set()
    for i, n in enumerate(notes):
        if n is not None:
            ids = tuple(rid for rid in n.round_ids if rid not in announced)
            announced.update(ids)
            notes[i] = _Notify(n.artifact, n.parsed, ids, n.reconciliations)
    if recons:  # the batch's reconciliations are announced with its last artifact
        last = max(i for i, n in enumerate(notes) if n is not None)
        n = notes[last]
        if n is not None:
            notes[last] = _Notify(n.artifact, n.parsed, n.round_ids, (*n.reconciliations, *recons))
    out: list[tuple[IngestResult, _Notify | None]] = []
    for result, note in zip(results, notes, strict=True):
        if result is None:  # pragma: no cover - every position gets a result above
            raise RuntimeError("batch position without a result")
        out.append((result, note))
    return committing, out


class RowBuffer:
    """A transaction whose per-round row writes wait for :meth:`write_behind` or
    :meth:`flush` (end of the batch), then go out as one bulk write per table; everything
    else goes straight through. The pipeline never reads per-round tables while it links,
    so nothing sees the delay."""

    def __init__(self, tx: StorageTx) -> None:
        self._tx = tx
        self._rows: dict[int, dict[str, list[Any]]] = {}
        self._behind: Behind | None = None
        self.commits_in_background = bool(getattr(tx, "writes_in_background", False))
        """Whether the batch's last writes and commit may run in a thread while this process
        goes on (the store's own judgement of its writes: PostgreSQL, not SQLite)."""
        self._locked: set[tuple[int, str]] = set()
        self._records: dict[str, ArtifactRecord | None] = {}

    # Artifact records read during the batch are kept until one is written: the round-2
    # pairing and the loaders ask for the same few records many times.
    def get_artifact(self, sha256: str) -> ArtifactRecord | None:
        if sha256 not in self._records:
            self._records[sha256] = self._tx.get_artifact(sha256)
        return self._records[sha256]

    def update_artifact(self, record: ArtifactRecord) -> None:
        self._records.pop(record.sha256, None)
        self._tx.update_artifact(record)

    def update_artifacts(self, records: Sequence[ArtifactRecord]) -> None:
        for record in records:
            self._records.pop(record.sha256, None)
        self._tx.update_artifacts(records)

    def rename_artifact(self, sha256: str, name: str) -> None:
        self._records.pop(sha256, None)
        self._tx.rename_artifact(sha256, name)

    def set_link_note(self, sha256: str, note: str | None) -> None:
        self._records.pop(sha256, None)
        self._tx.set_link_note(sha256, note)

    def insert_artifact(self, record: ArtifactRecord, data: bytes) -> bool:
        self._records.pop(record.sha256, None)
        return self._tx.insert_artifact(record, data)

    def insert_artifacts(self, items: Sequence[tuple[ArtifactRecord, bytes]]) -> set[str]:
        for record, _ in items:
            self._records.pop(record.sha256, None)
        return self._tx.insert_artifacts(items)

    def lock_group(self, server_id: int, map_name: str, round_number: int) -> None:
        # Taken once per (server, map) and transaction: a second request is a round-trip
        # for nothing (the lock is held until commit).
        if (server_id, map_name) not in self._locked:
            self._tx.lock_group(server_id, map_name, round_number)
            self._locked.add((server_id, map_name))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def replace_round_rows(self, round_id: int, rows: dict[str, list[Any]]) -> None:
        self._rows.setdefault(round_id, {}).update(rows)

    def delete_rounds(self, round_ids: Sequence[int]) -> None:
        for rid in round_ids:
            self._rows.pop(rid, None)
        self._tx.delete_rounds(round_ids)

    def write_behind(self) -> None:
        """Start writing the rows buffered so far: in a thread where the store writes in the
        background (PostgreSQL), else right here. Rows buffered later wait for :meth:`flush`,
        which first waits for these. Nothing else may use the transaction meanwhile but reads
        of tables these writes leave alone (the connection serialises the statements)."""
        self.wait()
        rows, self._rows = self._rows, {}
        if rows:
            self._behind = Behind(
                lambda: self._tx.replace_many_round_rows(rows),
                self.commits_in_background,
                "batch-writes",
            )

    def wait(self) -> None:
        """Wait for the rows being written behind; raise their failure."""
        behind, self._behind = self._behind, None
        if behind is not None:
            behind.wait()

    def wait_quietly(self) -> None:
        """Wait for the rows being written behind, keeping their failure (the caller is
        failing already and rolls back)."""
        if self._behind is not None:
            self._behind.wait_quietly()

    def flush(self) -> None:
        self.wait()
        if self._rows:
            self._tx.replace_many_round_rows(self._rows)
            self._rows = {}


def _link(
    pipeline: Pipeline,
    tx: StorageTx,
    batch: list[Artifact],
    parsed: list[ParsedArtifact | ParseError | None],
    zones: dict[str, tuple[int, str]],
    positions: list[int],
    results: list[IngestResult | None],
    notes: list[_Notify | None],
    early: EarlyOffers | None = None,
) -> None:
    """Re-link each neighbourhood the batch touches once, in arrival order (the reads of
    all of them made at once: :mod:`etstats.ingest.batch_reads`); ``early`` offers the
    rounds written so far to the parse workers as it goes."""
    from etstats.ingest.pipeline import IngestResult, _Notify

    anchors = [
        (zones[batch[i].server][0], p.facts.map_name, p.facts.round_number, p.facts.anchor_unix)
        for i in positions
        if isinstance(p := parsed[i], ParsedArtifact)
    ]
    if anchors and hasattr(tx, "artifacts_in_windows"):
        tx = BatchReads(tx, anchors, window_seconds(pipeline.pair_window_minutes))  # type: ignore[assignment]
    spans: dict[tuple[int, str, int], list[tuple[int, int, tuple[int, ...]]]] = {}
    for i in positions:
        a, p = batch[i], parsed[i]
        if not isinstance(p, ParsedArtifact):
            results[i] = IngestResult(a.sha256, a.name, str(a.kind), "rejected", str(p))
            notes[i] = _Notify(a, None, (), ())
            continue
        server_id, timezone = zones[a.server]
        f = p.facts
        group = (server_id, f.map_name, f.round_number)
        hit = next((ids for lo, hi, ids in spans.get(group, ()) if lo <= f.anchor_unix <= hi), None)
        if hit is None:
            hit, _none = pipeline._relink(
                tx, server_id, f.map_name, f.round_number, f.anchor_unix, timezone
            )
            lo, hi = pipeline._span
            spans.setdefault(group, []).append((lo, hi, hit))
            if early is not None:
                early.after_relink(tx)
        results[i] = IngestResult(a.sha256, a.name, str(p.kind), "stored", None, hit)
        notes[i] = _Notify(a, p, hit, ())


def _record(
    a: Artifact, p: ParsedArtifact | ParseError, server_id: int, known: ArtifactRecord | None
) -> ArtifactRecord:
    from etstats.ingest.pipeline import _evolve

    if known is None and isinstance(p, ParsedArtifact):
        # the common case, built at once (an attrs.evolve of the pending record costs
        # three times as much)
        f = p.facts
        return ArtifactRecord(
            a.sha256,
            str(p.kind),
            a.name,
            server_id,
            len(a.data),
            int(a.received_at.timestamp()),
            "accepted",
            None,
            f.map_name,
            f.round_number,
            f.anchor_unix,
            f.start_unix,
        )
    base = known or ArtifactRecord(
        sha256=a.sha256,
        kind=str(a.kind),
        name=a.name,
        server_id=server_id,
        size_bytes=len(a.data),
        received_unix=int(a.received_at.timestamp()),
        status="pending",
    )
    if not isinstance(p, ParsedArtifact):
        return _evolve(base, status="rejected", error=str(p), kind=str(a.kind))
    f = p.facts
    return _evolve(
        base,
        status="accepted",
        error=None,
        kind=str(p.kind),
        map_name=f.map_name,
        round_number=f.round_number,
        anchor_unix=f.anchor_unix,
        start_unix=f.start_unix,
    )


def known_of(tx: StorageTx, shas: list[str]) -> dict[str, ArtifactRecord]:
    return tx.known_artifacts(shas)


def _insert(tx: StorageTx, items: list[tuple[ArtifactRecord, bytes]]) -> set[str]:
    return tx.insert_artifacts(items)


def zones_of(
    tx: StorageTx, pipeline: Pipeline, batch: list[Artifact]
) -> dict[str, tuple[int, str]]:
    """(server id, timezone) of each server of ``batch``, created if new."""
    return {
        name: _server(tx, name, pipeline.timezone)
        for name in dict.fromkeys(a.server for a in batch)
    }


def _server(tx: StorageTx, name: str, timezone: str) -> tuple[int, str]:
    server_id = tx.ensure_server(name, timezone)
    return server_id, tx.server_timezone(server_id)
