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
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from etstats.errors import ParseError
from etstats.ingest.extract import ParsedArtifact
from etstats.ingest.reconcile_step import reconcile_round
from etstats.storage.base import StorageTx, StoredRound

if TYPE_CHECKING:
    from etstats.ingest.pipeline import Pipeline

log = logging.getLogger(__name__)


def reconcile_rounds(pipeline: Pipeline, tx: StorageTx, round_ids: Iterable[int]) -> list[Any]:
    """Reconcile and store the verdict of each of ``round_ids`` (deleted ones are skipped);
    returns the reconciliation objects (for the ``etstats_round_reconciled`` hook)."""
    wanted = sorted(set(round_ids))
    if not wanted or not pipeline.reconcile:
        return []
    rounds = _rounds(tx, wanted)
    partners = _rounds(tx, sorted({r.r1_round_id for r in rounds if r.r1_round_id is not None}))
    r1_by_id = {r.id: r for r in partners}
    # every artifact record needed, in one query per 500 hashes (not one per artifact)
    records = tx.known_artifacts(
        sorted({sha for r in (*rounds, *partners) for sha in r.linked.values()})
    )
    zones: dict[int, str] = {}
    out: list[Any] = []
    for r in rounds:
        if r.server_id not in zones:
            zones[r.server_id] = tx.server_timezone(r.server_id)
        timezone = zones[r.server_id]

        def load(sha: str, timezone: str = timezone) -> tuple[str, ParsedArtifact]:
            rec = records[sha]
            return rec.name, pipeline._load(tx, rec, timezone)

        try:
            linked: dict[str, tuple[str, ParsedArtifact]] = {
                role: load(sha) for role, sha in r.linked.items()
            }
        except ParseError as exc:
            # Only a rename to an unreadable name gets here: the round still links the
            # artifact (as the single-arrival path leaves it); it keeps no verdict.
            log.warning("round %s not reconciled: %s", r.id, exc)
            continue
        names = {role: name for role, (name, _) in linked.items()}
        r1 = None
        partner = r1_by_id.get(r.r1_round_id) if r.r1_round_id is not None else None
        if partner is not None and partner.stats_sha256 is not None and "stats" in linked:
            name, p = load(partner.stats_sha256)
            r1 = (name, p.model)
        window = pipeline.pair_window_minutes if "stats" in linked else 45.0
        recon = reconcile_round(
            *(linked[role][1] if role in linked else None for role in ("stats", "lua", "endstats")),
            names=names,
            timezone=timezone,
            r1=r1,
            window_minutes=window,
        )
        rows = []
        if recon is not None:
            verdict, errors, warnings, text, obj = recon
            rows = [(r.id, verdict, errors, warnings, text)]
            out.append(obj)
        tx.replace_round_rows(r.id, {"reconciliations": rows})
    return out


def _rounds(tx: StorageTx, ids: list[int]) -> list[StoredRound]:
    return tx.rounds_by_id(ids) if ids else []
