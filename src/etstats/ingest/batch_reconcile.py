"""The end of a batch: reconcile each round the batch wrote, once.

While a batch links its neighbourhoods, rounds are written without a verdict (their old one
is deleted with their rows); here each still existing round is reconciled from what it links
now, exactly as the single-arrival path would have done after its last change: the same
artifacts and names, the server's timezone, and for a differenced round 2 its stored round 1
(file name and model) with the pipeline's pairing window (45 minutes for a round without a
stats file, as :func:`etstats.ingest.derive.round_rows` uses).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from attrs import frozen

from etstats.errors import ParseError
from etstats.ingest.alongside import writes_alongside
from etstats.ingest.extract import ParsedArtifact
from etstats.ingest.parse_pool import ParsePool
from etstats.ingest.reconcile_pool import (
    Offer,
    Outcome,
    RoundWork,
    Shipped,
    active_pool,
    offer,
    reconcile_shared,
    settle,
)
from etstats.ingest.reconcile_step import reconcile_round
from etstats.storage.base import ArtifactRecord, StorageTx, StoredRound

if TYPE_CHECKING:
    from etstats.ingest.pipeline import Pipeline

log = logging.getLogger(__name__)


@frozen
class _RoundInputs:
    """What reconciling one round reads: its linked artifacts (by role), its round 1's stats
    file (a differenced round 2), its server's timezone and the pairing window (minutes)."""

    round_id: int
    timezone: str
    linked: dict[str, ArtifactRecord]
    r1: ArtifactRecord | None
    window_minutes: float


RoundKey = tuple[str, float, tuple[tuple[str, str, str, str], ...], tuple[str, str, str] | None]
"""What a round's outcome depends on (:func:`_key`)."""


def _key(one: _RoundInputs) -> RoundKey:
    """The inputs of reconciling ``one`` (its timezone, the pairing window, the hash, name
    and kind of each linked artifact by role and of its round 1's stats file), not its id:
    two rounds with equal keys reconcile to the same outcome."""
    r1 = one.r1
    return (
        one.timezone,
        one.window_minutes,
        tuple(sorted((role, r.sha256, r.name, r.kind) for role, r in one.linked.items())),
        None if r1 is None else (r1.sha256, r1.name, r1.kind),
    )


class EarlyOffers:
    """Rounds of a batch offered to the parse workers while the batch is still linking.

    A batch's rounds were reconciled only once the whole batch had linked; meanwhile the
    workers, with the batch already parsed, had nothing to do (a third of their time). So,
    while :func:`etstats.ingest.batch._link` goes on, every :data:`ROUNDS` rounds it has
    written are offered to the workers as they stand
    (:func:`etstats.ingest.reconcile_pool.offer`). At the end of the batch
    (:func:`reconcile_rounds`) each round's inputs are read again: a round whose inputs
    (:func:`_key`) are those it was offered with takes the offer's outcome (reconciling is
    a pure function of them); any other (linked again since, with other artifacts or
    another round 1) is reconciled as before. Nothing is offered without workers, or when
    a plugin needs the reconciliation objects."""

    ROUNDS = 16
    """Rounds per offer (one call): a worker takes them one at a time, so this process
    never waits for more than one round at the end; a call costs this process a little."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline
        self._pooled = active_pool(pipeline) if pipeline.reconcile else None
        self._seen: set[int] = set()
        self._zones: dict[int, str] = {}
        self.offers: list[Offer] = []
        self.inputs: list[list[_RoundInputs]] = []
        """Per offer, its rounds' inputs when offered."""

    def after_relink(self, tx: StorageTx) -> None:
        """Offer the rounds written since the last offer, once there are :data:`ROUNDS`."""
        deferred = self._pipeline._deferred
        if (
            self._pooled is None
            or deferred is None
            or len(deferred) < len(self._seen) + self.ROUNDS
        ):
            return
        fresh = sorted(deferred - self._seen)
        if len(fresh) < self.ROUNDS:
            return
        limit = self._pooled[0].tickets
        if limit is None or len(self._seen) + len(fresh) > limit.OFFER_LIMIT:
            return
        self._seen.update(fresh)
        inputs = _inputs(self._pipeline, tx, fresh, self._zones)
        work = _work(tx, inputs, self._pooled[1])
        for start in range(0, len(inputs), self.ROUNDS):
            offered = offer(self._pooled[0], work[start : start + self.ROUNDS])
            if offered is None:
                return
            self.offers.append(offered)
            self.inputs.append(inputs[start : start + self.ROUNDS])


def reconcile_rounds(
    pipeline: Pipeline,
    tx: StorageTx,
    round_ids: Iterable[int],
    meanwhile: Callable[[], None] = lambda: None,
    early: EarlyOffers | None = None,
) -> list[Any]:
    """Reconcile and store the verdict of each of ``round_ids`` (deleted ones are skipped);
    returns the reconciliation objects (for the ``etstats_round_reconciled`` hook).

    ``meanwhile()`` (the batch's row writes) runs once, before any verdict is stored; on
    PostgreSQL it starts them in a thread that goes on beside the reconciling
    (:meth:`etstats.ingest.batch.RowBuffer.write_behind`).
    With parse workers (inside a bulk stream) the rounds are queued for them first, so they
    reconcile while the rows are written (:mod:`etstats.ingest.reconcile_pool`; no objects are
    returned then: no hook wants them); the rounds ``early`` offered while the batch linked
    take those outcomes where their inputs are still the same. The rows written are the
    same either way."""
    wanted = sorted(set(round_ids))
    out: list[Any] = []
    with writes_alongside(meanwhile) as start:
        if not wanted or not pipeline.reconcile:
            outcomes: list[Outcome] = []
            inputs: list[_RoundInputs] = []
        else:
            inputs = _inputs(pipeline, tx, wanted)
            pooled = active_pool(pipeline)
            if pooled is None:
                start()
                outcomes = [_here(pipeline, tx, one, out) for one in inputs]
            else:
                outcomes = _shared(pipeline, tx, inputs, *pooled, start, early)
        if early is not None and early.offers and (not inputs or active_pool(pipeline) is None):
            _withdraw(early)
    for one, outcome in zip(inputs, outcomes, strict=True):
        _store(tx, one.round_id, outcome)
    return out


def _withdraw(early: EarlyOffers) -> None:
    """Take back every round ``early`` offered (none of them is needed)."""
    pooled = early._pooled
    if pooled is not None:
        settle(pooled[0], early.offers, [[False] * len(o.serials) for o in early.offers], _none)


def _none(_k: int, _i: int) -> Outcome:  # pragma: no cover - never called: nothing is wanted
    raise RuntimeError("no round is wanted")


def _work(
    tx: StorageTx, inputs: list[_RoundInputs], batch_data: Mapping[str, bytes]
) -> list[RoundWork]:
    """The rounds as they travel to a worker (the batch's own bytes from memory, a round 1's
    from earlier batches from the store)."""
    needed = {r.sha256 for one in inputs for r in (*one.linked.values(), one.r1) if r is not None}
    data = {sha: batch_data[sha] for sha in needed if sha in batch_data}
    data.update(tx.artifacts_data(sorted(needed - data.keys())))

    def ship(rec: ArtifactRecord) -> Shipped:
        return rec.sha256, rec.name, rec.kind, data[rec.sha256]

    return [
        (
            one.round_id,
            one.timezone,
            one.window_minutes,
            tuple((role, ship(rec)) for role, rec in one.linked.items()),
            ship(one.r1) if one.r1 is not None else None,
        )
        for one in inputs
    ]


def _shared(
    pipeline: Pipeline,
    tx: StorageTx,
    inputs: list[_RoundInputs],
    pool: ParsePool,
    batch_data: Mapping[str, bytes],
    start: Callable[[], None],
    early: EarlyOffers | None,
) -> list[Outcome]:
    """The rounds' outcomes, shared with the workers; ``start()`` begins the row writes once
    the rounds are queued for them. Rounds ``early`` offered with the same inputs take the
    offers' outcomes; the others are shared through claims
    (:func:`etstats.ingest.reconcile_pool.reconcile_shared`), and this process takes back
    what no worker took from the end: first those, then the offered ones."""
    offered: dict[RoundKey, tuple[int, int]] = {}
    if early is not None:
        for k, group in enumerate(early.inputs):
            for i, one in enumerate(group):
                offered.setdefault(_key(one), (k, i))
    at: dict[tuple[int, int], int] = {}  # (offer, position) -> position in inputs
    rest: list[int] = []
    for j, one in enumerate(inputs):
        hit = offered.pop(_key(one), None) if offered else None
        if hit is None:
            rest.append(j)
        else:
            at[hit] = j
    out: list[Outcome | None] = [None] * len(inputs)
    if rest:
        work = _work(tx, [inputs[j] for j in rest], batch_data)
        done = reconcile_shared(
            pool, work, lambda i: _here(pipeline, tx, inputs[rest[i]], None), start
        )
        for j, outcome in zip(rest, done, strict=True):
            out[j] = outcome
    else:
        start()
    if early is not None and early.offers:
        wanted = [[(k, i) in at for i in range(len(o.serials))] for k, o in enumerate(early.offers)]
        settled = settle(
            pool, early.offers, wanted, lambda k, i: _here(pipeline, tx, inputs[at[(k, i)]], None)
        )
        for (k, i), j in at.items():
            out[j] = settled[k][i]
    return [o for o in out if o is not None]


def _inputs(
    pipeline: Pipeline, tx: StorageTx, wanted: list[int], zones: dict[int, str] | None = None
) -> list[_RoundInputs]:
    """The inputs of reconciling each of ``wanted`` (deleted rounds are left out); ``zones``
    caches the servers' timezones."""
    rounds = _rounds(tx, wanted)
    partners = _rounds(tx, sorted({r.r1_round_id for r in rounds if r.r1_round_id is not None}))
    r1_by_id = {r.id: r for r in partners}
    # every artifact record needed, in one query per 500 hashes (not one per artifact)
    records = _records(tx, sorted({sha for r in (*rounds, *partners) for sha in r.linked.values()}))
    zones = {} if zones is None else zones
    out = []
    for r in rounds:
        if r.server_id not in zones:
            zones[r.server_id] = tx.server_timezone(r.server_id)
        partner = r1_by_id.get(r.r1_round_id) if r.r1_round_id is not None else None
        r1 = None
        if partner is not None and partner.stats_sha256 is not None and "stats" in r.linked:
            r1 = records[partner.stats_sha256]
        out.append(
            _RoundInputs(
                r.id,
                zones[r.server_id],
                {role: records[sha] for role, sha in r.linked.items()},
                r1,
                # 45 minutes for a round without a stats file, as derive.round_rows uses
                pipeline.pair_window_minutes if "stats" in r.linked else 45.0,
            )
        )
    return out


def _here(
    pipeline: Pipeline, tx: StorageTx, one: _RoundInputs, objects: list[Any] | None
) -> Outcome:
    """Reconcile one round in this process (its reconciliation object goes to ``objects``)."""

    def load(rec: ArtifactRecord) -> tuple[str, ParsedArtifact]:
        return rec.name, pipeline._load(tx, rec, one.timezone)

    try:
        linked = {role: load(rec) for role, rec in one.linked.items()}
    except ParseError as exc:
        return "unreadable", str(exc)
    r1 = None
    if one.r1 is not None:
        name, p = load(one.r1)
        r1 = (name, p.model)
    recon = reconcile_round(
        *(linked[role][1] if role in linked else None for role in ("stats", "lua", "endstats")),
        names={role: name for role, (name, _) in linked.items()},
        timezone=one.timezone,
        r1=r1,
        window_minutes=one.window_minutes,
    )
    if recon is None:
        return "row", None
    verdict, errors, warnings, text, obj = recon
    if objects is not None:
        objects.append(obj)
    return "row", (verdict, errors, warnings, text)


def _store(tx: StorageTx, round_id: int, outcome: Outcome) -> None:
    kind, value = outcome
    if kind == "unreadable":
        # Only a rename to an unreadable name gets here: the round still links the
        # artifact (as the single-arrival path leaves it); it keeps no verdict.
        log.warning("round %s not reconciled: %s", round_id, value)
        return
    rows = [(round_id, *value)] if isinstance(value, tuple) else []
    tx.replace_round_rows(round_id, {"reconciliations": rows})


def _rounds(tx: StorageTx, ids: list[int]) -> list[StoredRound]:
    """The rounds with these ids: from the linking's mirror while it links (the offers'
    reads: ``BatchReads.mirrored_rounds``), else from the store."""
    if not ids:
        return []
    got: list[StoredRound] | None = _mirrored(tx, "mirrored_rounds", ids)
    return got if got is not None else tx.rounds_by_id(ids)


def _records(tx: StorageTx, shas: list[str]) -> dict[str, ArtifactRecord]:
    """The artifact records of these hashes, from the linking's mirror while it links,
    else from the store."""
    got: dict[str, ArtifactRecord] | None = _mirrored(tx, "mirrored_artifacts", shas)
    return got if got is not None else tx.known_artifacts(shas)


def _mirrored(tx: StorageTx, read: str, keys: list[Any]) -> Any:
    """``tx.<read>(keys)`` where ``tx`` is the linking's mirror
    (:class:`etstats.ingest.batch_reads.BatchReads`), ``None`` elsewhere or when the mirror
    does not hold them all (the caller asks the store)."""
    mirror = getattr(tx, read, None)
    return mirror(keys) if mirror is not None else None
