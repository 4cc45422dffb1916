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
from etstats.ingest.reconcile_pool import Outcome, RoundWork, Shipped, active_pool, reconcile_shared
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


def reconcile_rounds(
    pipeline: Pipeline,
    tx: StorageTx,
    round_ids: Iterable[int],
    meanwhile: Callable[[], None] = lambda: None,
) -> list[Any]:
    """Reconcile and store the verdict of each of ``round_ids`` (deleted ones are skipped);
    returns the reconciliation objects (for the ``etstats_round_reconciled`` hook).

    ``meanwhile()`` (the batch's row writes) runs once, before any verdict is stored; on
    PostgreSQL it starts them in a thread that goes on beside the reconciling
    (:meth:`etstats.ingest.batch.RowBuffer.write_behind`).
    With parse workers (inside a bulk stream) the rounds are queued for them first, so they
    reconcile while the rows are written (:mod:`etstats.ingest.reconcile_pool`; no objects are
    returned then: no hook wants them). The rows written are the same either way."""
    wanted = sorted(set(round_ids))
    out: list[Any] = []
    with writes_alongside(meanwhile) as start:
        if not wanted or not pipeline.reconcile:
            return []
        inputs = _inputs(pipeline, tx, wanted)
        pooled = active_pool(pipeline)
        if pooled is None:
            start()
            outcomes = [_here(pipeline, tx, one, out) for one in inputs]
        else:
            outcomes = _shared(pipeline, tx, inputs, *pooled, start)
    for one, outcome in zip(inputs, outcomes, strict=True):
        _store(tx, one.round_id, outcome)
    return out


def _shared(
    pipeline: Pipeline,
    tx: StorageTx,
    inputs: list[_RoundInputs],
    pool: ParsePool,
    batch_data: Mapping[str, bytes],
    start: Callable[[], None],
) -> list[Outcome]:
    """The rounds' outcomes, shared with the workers; ``start()`` begins the row writes once
    the rounds are queued for them."""
    needed = {r.sha256 for one in inputs for r in (*one.linked.values(), one.r1) if r is not None}
    data = dict(batch_data)
    data.update(tx.artifacts_data(sorted(needed - data.keys())))

    def ship(rec: ArtifactRecord) -> Shipped:
        return rec.sha256, rec.name, rec.kind, data[rec.sha256]

    work: list[RoundWork] = [
        (
            one.round_id,
            one.timezone,
            one.window_minutes,
            tuple((role, ship(rec)) for role, rec in one.linked.items()),
            ship(one.r1) if one.r1 is not None else None,
        )
        for one in inputs
    ]
    return reconcile_shared(pool, work, lambda i: _here(pipeline, tx, inputs[i], None), start)


def _inputs(pipeline: Pipeline, tx: StorageTx, wanted: list[int]) -> list[_RoundInputs]:
    rounds = _rounds(tx, wanted)
    partners = _rounds(tx, sorted({r.r1_round_id for r in rounds if r.r1_round_id is not None}))
    r1_by_id = {r.id: r for r in partners}
    # every artifact record needed, in one query per 500 hashes (not one per artifact)
    records = tx.known_artifacts(
        sorted({sha for r in (*rounds, *partners) for sha in r.linked.values()})
    )
    zones: dict[int, str] = {}
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
    return tx.rounds_by_id(ids) if ids else []
