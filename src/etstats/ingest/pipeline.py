"""The ingestion pipeline: artifact in -> archived raw -> parsed -> linked -> stored ->
reconciled -> hooks notified.

Each artifact is processed in **one** storage transaction: its raw bytes (deduplicated by
SHA-256), its parse result or rejection, and every round its arrival changes are committed
together or not at all. Hooks run after the commit. Re-ingesting known bytes changes nothing;
artifacts arriving in any order converge to the same rounds (see :mod:`etstats.ingest.linker`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import field, frozen

from etstats.errors import EtStatsError, ParseError
from etstats.ingest.artifacts import Artifact, ArtifactKind, name_parses, name_preference
from etstats.ingest.derive import GROUPS, refresh_round2s, round_rows, round_values
from etstats.ingest.extract import ParsedArtifact, parse_artifact
from etstats.ingest.linker import Member, plan_rounds
from etstats.ingest.neighbourhood import neighbourhood
from etstats.ingest.r2scope import stats_scope
from etstats.ingest.rejection import is_artifact_failure, record_rejection
from etstats.storage.base import ArtifactRecord, Storage, StorageTx, lock_order

if TYPE_CHECKING:
    from etstats.outbox.enqueue import OutboxTarget

log = logging.getLogger(__name__)

_GROUPS = GROUPS

_ROLE = {
    ArtifactKind.STATS: "stats",
    ArtifactKind.ENDSTATS: "endstats",
    ArtifactKind.GAMETIMES: "lua",
    ArtifactKind.GAMETIMES_LEGACY: "lua",
}


@frozen
class IngestResult:
    """What ingesting one artifact did."""

    sha256: str
    name: str
    kind: str
    status: str
    """``stored`` (new, accepted), ``duplicate`` (bytes already known: nothing changed) or
    ``rejected`` (archived with its error)."""
    error: str | None = None
    round_ids: tuple[int, ...] = ()
    """Rounds written (created or re-linked) by this artifact."""


@frozen
class IngestSummary:
    """Totals over a batch."""

    results: tuple[IngestResult, ...] = field(factory=tuple)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def rounds_touched(self) -> int:
        return len({rid for r in self.results for rid in r.round_ids})


@frozen
class _Notify:
    artifact: Artifact
    parsed: ParsedArtifact | None
    round_ids: tuple[int, ...]
    reconciliations: tuple[Any, ...]


class Pipeline:
    """Ingest artifacts into ``storage`` and notify the plugin manager's hooks.

    :param storage: an open :class:`etstats.storage.base.Storage`.
    :param pm: a plugin manager (``None``: no hooks are called).
    :param timezone: IANA timezone of the server's stats/endstats file names, used when the
        server is first seen (stored with it).
    :param reconcile: run the reconciliation engine on each written round (store verdicts).
    :param pair_window_minutes: round-2/round-1 pairing window in minutes (see
        :mod:`etstats.ingest.r2scope`).
    :param deliver: delivery targets (``etstats_register_deliveries``): an
        :class:`etstats.outbox.OutboxTarget` gets an outbox row per written round inside the
        round's own transaction (a worker delivers it later); a plain callable is called with
        each stored round after the commit, and a failure is logged without undoing ingestion.
    :param jobs: worker processes that parse the next batch of :meth:`ingest_many` and
        :meth:`rebuild` while this process writes the current one (0, the default: parse in
        process; see :mod:`etstats.ingest.parse_pool`). The store is the same either way.
    """

    def __init__(
        self,
        storage: Storage,
        *,
        pm: Any = None,
        timezone: str = "UTC",
        deliver: Sequence[Callable[[int, Storage], None] | OutboxTarget] = (),
        reconcile: bool = True,
        cache_size: int = 256,
        pair_window_minutes: float = 45.0,
        batch_size: int = 256,
        jobs: int = 0,
    ) -> None:
        self.storage = storage
        self.pair_window_minutes = pair_window_minutes
        self.reconcile = reconcile
        self._rewrite_all = False
        from etstats.outbox.enqueue import OutboxTarget

        # outbox targets are enqueued inside the ingest transaction; plain callables are
        # called after the commit (the pre-outbox delivery contract)
        self.outbox = tuple(d for d in deliver if isinstance(d, OutboxTarget))
        self.deliver = tuple(d for d in deliver if not isinstance(d, OutboxTarget))
        self.pm = pm
        self.timezone = timezone
        self._cache: OrderedDict[tuple[str, str], ParsedArtifact] = OrderedDict()
        # A batch's parsed artifacts must stay cached until its rounds are linked.
        self._cache_size = max(cache_size, 2 * batch_size)
        self.batch_size = batch_size
        self.jobs = jobs
        self._deferred: set[int] | None = None
        """While a batch is written: the rounds whose reconciliation waits for its end."""
        self._span = (0, 0)
        """The anchor span (UTC Unix seconds) the last :meth:`_relink` covered."""
        self._pending_note: _Notify | None = None

    # -- public ----------------------------------------------------------------------------
    def ingest(self, artifact: Artifact) -> IngestResult:
        """Ingest one artifact (one transaction); returns what happened.

        An artifact the store refuses (a value it cannot hold, a constraint conflict:
        :func:`etstats.ingest.rejection.is_artifact_failure`) is rolled back and archived
        again as ``rejected`` with a short reason, so one bad artifact never stops a batch,
        ``watch`` or ``serve``. Failures of the store itself (connection, disk) propagate
        with nothing of the artifact kept, as does a failure to archive the rejection.
        """
        self._pending_note = None
        try:
            with self.storage.transaction() as tx:
                result = self._ingest_tx(tx, artifact)
                if self._pending_note is not None:
                    self._enqueue(tx, self._pending_note.round_ids)
        except Exception as exc:
            if not is_artifact_failure(exc):
                raise  # the store's state (connection, disk): nothing kept, run it again
            self._pending_note = None
            self._cache.pop((artifact.sha256, artifact.name), None)
            reason = record_rejection(self.storage, artifact, exc, self.timezone)
            return IngestResult(
                artifact.sha256, artifact.name, str(artifact.kind), "rejected", reason
            )
        note, self._pending_note = self._pending_note, None
        if note is not None:  # hooks run only after the commit
            self._notify(note)
        return result

    def _ingest_tx(self, tx: StorageTx, artifact: Artifact) -> IngestResult:
        server_id = tx.ensure_server(artifact.server, self.timezone)
        known = tx.get_artifact(artifact.sha256)
        record = ArtifactRecord(
            sha256=artifact.sha256,
            kind=str(artifact.kind),
            name=artifact.name,
            server_id=server_id,
            size_bytes=len(artifact.data),
            received_unix=int(artifact.received_at.timestamp()),
            status="pending",
        )
        if known is None and not tx.insert_artifact(record, artifact.data):
            # A concurrent ingester archived the same bytes (maybe under another name) and
            # committed while we waited: carry on as if we had seen it first.
            known = tx.get_artifact(artifact.sha256)
        if known is not None and known.status != "pending":
            if name_preference(artifact.name) >= name_preference(known.name):
                return IngestResult(
                    artifact.sha256, artifact.name, known.kind, "duplicate", known.error
                )
            # Same bytes under a preferred name (one that parses, then the smallest): the
            # choice is independent of arrival order, and the artifact moves out of its old
            # neighbourhood.
            result, note = self._rename(tx, known, artifact)
            self._pending_note = note
            return result
        if known is not None:
            record = known
        result, note = self._process(tx, record, artifact)
        self._pending_note = note
        return result

    def _rename(
        self, tx: StorageTx, known: ArtifactRecord, artifact: Artifact
    ) -> tuple[IngestResult, _Notify]:
        # Two maps may be written (the old name's and the new name's): lock both first, in
        # the global order, before touching any row, so crossing renames cannot deadlock.
        keys = [(known.server_id, known.map_name)] if known.map_name is not None else []
        try:
            facts = self._parse(artifact, tx.server_timezone(known.server_id)).facts
            keys.append((known.server_id, facts.map_name))
        except ParseError:
            pass  # rejected under the new name: only the old map is re-linked
        for server_id, map_name in lock_order(keys):
            tx.lock_group(server_id, map_name, 0)
        tx.rename_artifact(known.sha256, artifact.name)
        self._rewrite_all = True  # names appear in the stored reports: rewrite every round
        try:
            return self._rename_relink(tx, known, artifact)
        finally:
            self._rewrite_all = False

    def _rename_relink(
        self, tx: StorageTx, known: ArtifactRecord, artifact: Artifact
    ) -> tuple[IngestResult, _Notify]:
        record = _evolve(known, name=artifact.name)
        result, note = self._process(tx, record, artifact)
        if (
            known.map_name is not None
            and known.round_number is not None
            and (known.anchor_unix is not None)
        ):
            timezone = tx.server_timezone(known.server_id)
            old_ids, recons = self._relink(
                tx,
                known.server_id,
                known.map_name,
                known.round_number,
                known.anchor_unix,
                timezone,
            )
            ids = tuple(dict.fromkeys((*result.round_ids, *old_ids)))
            result = _evolve(result, round_ids=ids)
            note = _Notify(note.artifact, note.parsed, ids, (*note.reconciliations, *recons))
        return result, note

    def ingest_many(
        self,
        artifacts: Iterable[Artifact],
        *,
        progress: Callable[[IngestResult], None] | None = None,
    ) -> IngestSummary:
        """Ingest artifacts in batches of :attr:`batch_size`, one transaction per batch (see
        :mod:`etstats.ingest.batch`); a rejected one does not stop the rest. ``progress`` is
        called for each artifact once its batch has committed."""
        return IngestSummary(tuple(self.iter_ingest(artifacts, progress=progress)))

    def iter_ingest(
        self,
        artifacts: Iterable[Artifact],
        *,
        progress: Callable[[IngestResult], None] | None = None,
    ) -> Iterator[IngestResult]:
        """:meth:`ingest_many` as a stream: each result once its batch committed (a caller
        that only counts them keeps its memory flat in the input)."""
        from etstats.ingest.bulk_stream import ingest_stream

        return ingest_stream(self, artifacts, progress)

    def rebuild(self, *, progress: Callable[[IngestResult], None] | None = None) -> IngestSummary:
        """Re-derive every round from the archived raw bytes (after an upgrade), in batches."""
        return IngestSummary(tuple(self.iter_rebuild(progress=progress)))

    def iter_rebuild(
        self, *, progress: Callable[[IngestResult], None] | None = None
    ) -> Iterator[IngestResult]:
        """:meth:`rebuild` as a stream (the derived rows are cleared at once)."""
        from etstats.ingest.bulk_stream import rebuild_stream

        self.storage.clear_derived()
        self._cache.clear()
        return rebuild_stream(self, progress)

    # -- steps -----------------------------------------------------------------------------
    def _parse(self, artifact: Artifact, timezone: str) -> ParsedArtifact:
        key = (artifact.sha256, artifact.name)  # the name carries the link time
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        parsed = parse_artifact(artifact, timezone=timezone)
        self._remember(artifact, parsed)
        return parsed

    def _remember(self, artifact: Artifact, parsed: ParsedArtifact) -> None:
        """Cache ``parsed`` as :meth:`_parse` would (a worker parsed it)."""
        self._cache[(artifact.sha256, artifact.name)] = parsed
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _process(
        self, tx: StorageTx, record: ArtifactRecord, artifact: Artifact
    ) -> tuple[IngestResult, _Notify]:
        timezone = tx.server_timezone(record.server_id)
        try:
            parsed = self._parse(artifact, timezone)
        except ParseError as exc:
            tx.update_artifact(
                _evolve(record, status="rejected", error=str(exc), kind=str(artifact.kind))
            )
            result = IngestResult(
                artifact.sha256, artifact.name, str(artifact.kind), "rejected", str(exc)
            )
            return result, _Notify(artifact, None, (), ())
        f = parsed.facts
        tx.update_artifact(
            _evolve(
                record,
                status="accepted",
                error=None,
                kind=str(parsed.kind),
                map_name=f.map_name,
                round_number=f.round_number,
                anchor_unix=f.anchor_unix,
                start_unix=f.start_unix,
            )
        )
        round_ids, recs = self._relink(
            tx, record.server_id, f.map_name, f.round_number, f.anchor_unix, timezone
        )
        result = IngestResult(
            artifact.sha256, artifact.name, str(parsed.kind), "stored", None, round_ids
        )
        return result, _Notify(artifact, parsed, round_ids, recs)

    def _relink(
        self,
        tx: StorageTx,
        server_id: int,
        map_name: str,
        round_number: int,
        anchor: int,
        timezone: str,
    ) -> tuple[tuple[int, ...], tuple[Any, ...]]:
        tx.lock_group(server_id, map_name, round_number)
        recs, lo, hi = neighbourhood(tx, server_id, map_name, round_number, anchor)
        parsed = {r.sha256: self._load(tx, r, timezone) for r in recs}
        names = {r.sha256: r.name for r in recs}
        members = _members(recs, parsed)
        plan = plan_rounds(members)
        notes: dict[str, str] = {}
        for sha, reason in plan.left_out:
            notes[sha] = f"{notes[sha]}; {reason}" if sha in notes else reason
        for r in recs:
            if r.link_note != notes.get(r.sha256):
                tx.set_link_note(r.sha256, notes.get(r.sha256))
        existing = tx.rounds_with_artifacts([r.sha256 for r in recs])
        load = self._loader(tx, timezone)
        claimed: dict[int, int] = {}  # planned index -> existing round id
        free = {r.id: r for r in existing}
        for i, p in enumerate(plan.rounds):
            for attr in ("stats", "lua", "endstats"):
                sha = getattr(p, attr)
                hit = next(
                    (r for r in free.values() if sha and getattr(r, f"{attr}_sha256") == sha),
                    None,
                )
                if hit is not None:
                    claimed[i] = hit.id
                    del free[hit.id]
                    break
        tx.delete_rounds(sorted(free))
        before = {
            r.id: {"stats": r.stats_sha256, "lua": r.lua_sha256, "endstats": r.endstats_sha256}
            for r in existing
        }
        scope_before = {r.id: (r.values_scope, r.r1_round_id) for r in existing}
        clear = getattr(tx, "clear_round_links", None)
        if clear is not None:
            clear(sorted(claimed.values()))
        ids: list[int] = []
        recons: list[Any] = []
        for i, p in enumerate(plan.rounds):
            values = round_values(server_id, map_name, round_number, p, parsed)
            scope = None
            if p.stats is not None and p.stats_file_unix is not None:
                scope = stats_scope(
                    tx,
                    load,
                    server_id=server_id,
                    map_name=map_name,
                    round_number=round_number,
                    stats_unix=p.stats_file_unix,
                    model=parsed[p.stats].model,
                    window_minutes=self.pair_window_minutes,
                )
                values.update(values_scope=scope.values_scope, r1_round_id=scope.r1_round_id)
            rid = tx.save_round(claimed.get(i), values)
            old = before.get(rid, {})
            unchanged = {
                role for role in _GROUPS if rid in before and old[role] == getattr(p, role)
            }
            if scope is not None and scope_before.get(rid) != (
                scope.values_scope,
                scope.r1_round_id,
            ):
                unchanged.discard("stats")  # same file, other round-1 partner
            if self._rewrite_all:
                unchanged = set()
            if len(unchanged) == len(_GROUPS):
                continue  # same artifacts as before: its rows and verdict stand
            zone = timezone if self.reconcile and self._deferred is None else None
            if self.reconcile and self._deferred is not None:
                self._deferred.add(rid)  # reconciled once, at the end of the batch
            rows, recon = round_rows(rid, p, parsed, names, zone, unchanged, scope)
            tx.replace_round_rows(rid, rows)
            ids.append(rid)
            if recon is not None:
                recons.append(recon)
        if round_number == 1:  # the round 2s that may pair with these round 1s
            more, more_recons = self._refresh_r2(
                tx, server_id, map_name, lo, hi, timezone, set(ids)
            )
            ids += [rid for rid in more if rid not in ids]
            recons += more_recons
        self._span = (lo, hi)
        return tuple(ids), tuple(recons)

    def _loader(self, tx: StorageTx, timezone: str) -> Callable[[str], tuple[str, Any]]:
        """``load(sha) -> (name, model)`` of archived artifacts (for :mod:`r2scope`)."""
        parsed = self._parsed_loader(tx, timezone)

        def load(sha: str) -> tuple[str, Any]:
            name, p = parsed(sha)
            return name, p.model

        return load

    def _parsed_loader(
        self, tx: StorageTx, timezone: str
    ) -> Callable[[str], tuple[str, ParsedArtifact]]:
        def load(sha: str) -> tuple[str, ParsedArtifact]:
            rec = tx.get_artifact(sha)
            if rec is None:  # pragma: no cover - rounds reference archived artifacts only
                raise KeyError(sha)
            return rec.name, self._load(tx, rec, timezone)

        return load

    def _refresh_r2(
        self,
        tx: StorageTx,
        server_id: int,
        map_name: str,
        lo: int,
        hi: int,
        timezone: str,
        touched: set[int],
    ) -> tuple[list[int], list[Any]]:
        deferred = self._deferred
        ids, recons = refresh_round2s(
            tx,
            self._parsed_loader(tx, timezone),
            server_id=server_id,
            map_name=map_name,
            lo_unix=lo,
            hi_unix=hi,
            window_minutes=self.pair_window_minutes,
            timezone=timezone if self.reconcile and deferred is None else None,
            touched=touched,
        )
        if self.reconcile and deferred is not None:
            deferred.update(ids)
        return ids, recons

    def _load(self, tx: StorageTx, rec: ArtifactRecord, timezone: str) -> ParsedArtifact:
        cached = self._cache.get((rec.sha256, rec.name))
        if cached is not None:
            return cached
        data = tx.artifact_data(rec.sha256)
        artifact = Artifact.from_bytes(data, rec.name, kind=ArtifactKind(rec.kind))
        return self._parse(artifact, timezone)

    def _enqueue(self, tx: StorageTx, round_ids: Sequence[int]) -> None:
        """Outbox rows for the rounds this transaction wrote (same commit: never lost)."""
        if not self.outbox:
            return
        from etstats.outbox.enqueue import enqueue_round

        for rid in round_ids:
            rnd = tx.round_by_id(rid)
            if rnd is None:
                continue
            for target in self.outbox:
                enqueue_round(tx, target, rnd)

    def _notify(self, note: _Notify) -> None:
        for deliver in self.deliver:
            for rid in note.round_ids:
                try:
                    deliver(rid, self.storage)
                except EtStatsError as exc:
                    log.warning("delivery of round %s failed: %s", rid, exc)
        if self.pm is None:
            return
        hook = self.pm.hook
        hook.etstats_artifact_received(artifact=note.artifact)
        if note.parsed is not None and note.parsed.kind is ArtifactKind.STATS:
            hook.etstats_round_parsed(round=note.parsed.model, source=note.artifact.name)
        for recon in note.reconciliations:
            hook.etstats_round_reconciled(result=recon)
        for rid in note.round_ids:
            hook.etstats_round_stored(round_id=rid, storage=self.storage)


_CORRUPTION_CODES = frozenset(
    {
        "invalid-number",
        "invalid-clock",
        "invalid-playtime",
        "malformed-player-line",
        "weapon-mask-mismatch",
        "weapon-mask-out-of-range",
        "tab-layout-unknown",
    }
)
"""Error findings of *reading* a stats file: signs of damaged bytes, counted by the winner
rule. Semantic errors (headshots above hits ...) are what the producer wrote: every copy of
the round has them, and counting them would favour a copy that lost its players."""


_CopyKey = tuple[str, int, int | None]


def _copy_key(parsed: ParsedArtifact) -> _CopyKey:
    """(role, anchor, start): members alike in these are copies of one round."""
    return _ROLE[parsed.kind], parsed.facts.anchor_unix, parsed.facts.start_unix


def _members(recs: list[ArtifactRecord], parsed: dict[str, ParsedArtifact]) -> list[Member]:
    """The link facts of ``recs``. Whether a file name parses (a ``strptime``) only decides
    between copies of one round (:attr:`Member.quality` among the members of one role,
    anchor and start), as do its reading errors; a member without a copy is not asked."""
    seen: set[_CopyKey] = set()
    copies: set[_CopyKey] = set()
    for r in recs:
        key = _copy_key(parsed[r.sha256])
        (copies if key in seen else seen).add(key)
    return [_member(r, parsed[r.sha256], copies) for r in recs]


def _member(rec: ArtifactRecord, parsed: ParsedArtifact, copies: set[_CopyKey]) -> Member:
    rank = (0, 0, rec.size_bytes)
    if parsed.kind is ArtifactKind.ENDSTATS:
        rank = (len(parsed.model.awards), len(parsed.model.versus), rec.size_bytes)
    if _copy_key(parsed) not in copies:  # errors and name only rank copies: not asked
        return Member(rec.sha256, *_copy_key(parsed), rank, size_bytes=rec.size_bytes)
    errors = sum(1 for f in getattr(parsed.model, "findings", ()) if f.code in _CORRUPTION_CODES)
    return Member(
        rec.sha256,
        _ROLE[parsed.kind],
        parsed.facts.anchor_unix,
        parsed.facts.start_unix,
        rank,
        errors=errors,
        name_parses=name_parses(rec.name),
        size_bytes=rec.size_bytes,
    )


_T = TypeVar("_T")


def _evolve(record: _T, **changes: Any) -> _T:
    import attrs

    return attrs.evolve(record, **changes)  # type: ignore[misc]
