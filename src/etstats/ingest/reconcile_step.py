"""The reconciliation step of the pipeline: one linked round's parsed artifacts -> a verdict.

The round's artifacts were linked by :mod:`etstats.ingest.linker`; they are handed to
:func:`etstats.reconciliation` together with the server's UTC offset at the stats file's
time, so the engine compares the same round. The verdict, its counts and the report (JSON) are
stored in ``reconciliations``. The engine makes its lean form
(:class:`~etstats.reconciliation.model.LeanReconciliation`: agreeing comparisons are counted
per check rather than built, except the dead-time ones), which the plugin hook receives; the
report stored is that form cut to what the readers read (form B,
:func:`etstats.ingest.report_encoder.stored_report`; docs/storage.md, ``reconciliations``).
A failure of the engine is logged and leaves the round without a verdict (it never blocks
ingestion).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from etstats.ingest.extract import ParsedArtifact

log = logging.getLogger(__name__)

Verdict = tuple[str, int, int, str, Any]
"""(verdict, conflicts, warning/error findings, JSON report, LeanReconciliation)."""


def _offset(stats: ParsedArtifact | None, timezone: str) -> int | None:
    if stats is None:
        return None
    when = datetime.fromtimestamp(stats.facts.anchor_unix, UTC).astimezone(ZoneInfo(timezone))
    off = when.utcoffset()
    return None if off is None else int(off.total_seconds())


def _only_wanted(plan: Any, wanted: str | None) -> None:
    """Compare only the stats round named ``wanted``: a round 2 comes with its round 1, which
    the engine would otherwise compare too, for nothing (the result is the same, since the
    engine compares each round on its own)."""
    keep = [p for p in plan.plans if plan.stats[p.index].name == wanted][:1]
    if keep:
        plan.plans = keep
        plan.lua_only = []


def reconcile_round(
    stats: ParsedArtifact | None,
    lua: ParsedArtifact | None,
    endstats: ParsedArtifact | None,
    *,
    names: dict[str, str] | None = None,
    timezone: str = "UTC",
    r1: tuple[str, Any] | None = None,
    window_minutes: float = 45.0,
) -> Verdict | None:
    """Reconcile one round; ``None`` when there is nothing to compare or no engine.

    ``r1`` is the (file name, StatsRound) of a round 2's stored round 1: it is handed to the
    engine with the round, which pairs them (same rules as the store) and compares the
    round-2-only values; without it a round 2 is reconciled as an orphan. ``window_minutes``
    is the R1/R2 pairing window (minutes) the engine uses.
    """
    if stats is None and lua is None:
        return None  # an endstats file alone has nothing to be compared with
    try:
        from etstats.ingest.report_encoder import stored_report
        from etstats.reconciliation import LoadedArtifact
        from etstats.reconciliation.engine import ReconcilePlan
    except ImportError:  # pragma: no cover - the engine ships with etstats
        return None
    names = names or {}
    items = [
        LoadedArtifact(str(p.kind), names.get(role, role), p.model)
        for role, p in (("stats", stats), ("lua", lua), ("endstats", endstats))
        if p is not None
    ]
    if r1 is not None and stats is not None:
        items.append(LoadedArtifact("stats", r1[0], r1[1]))
    try:
        plan = ReconcilePlan(
            items,
            utc_offset_seconds=_offset(stats, timezone),
            window_minutes=window_minutes,
            timezone=timezone,
        )
        wanted = names.get("stats") if stats is not None else names.get("lua")
        _only_wanted(plan, wanted)
        result = next((r for r in plan.iter_rounds(lean=True) if wanted in (r.stats, r.lua)), None)
        if result is None:  # the round the pipeline linked is not one the engine sees
            rounds = list(
                ReconcilePlan(
                    items,
                    utc_offset_seconds=_offset(stats, timezone),
                    window_minutes=window_minutes,
                    timezone=timezone,
                ).iter_rounds(lean=True)
            )
            if not rounds:
                return None
            result = rounds[0]
        text = stored_report(result)
    except Exception:  # the engine must never make an artifact unstorable
        log.exception("reconciliation failed for %s", names)
        return None
    conflicts = sum(1 for c in result.comparisons if str(c.verdict) == "conflict")
    warnings = sum(1 for f in result.findings if str(f.severity) in ("warning", "error"))
    return str(result.verdict), conflicts, warnings, text, result
