"""A spawn audit like slomix's ``/api/diagnostics/spawn-audit``, done right.

slomix joined Lua spawn stats (32-character GUIDs) to stats-file rows (8-character prefixes)
by exact equality, so nothing ever matched and every row was flagged. Here players are matched
by prefix (:mod:`etstats.reconciliation.players`), and every row carries the dead-time comparison's
verdict and causes instead of bare flags. Output keys follow the original (``summary``,
``samples``, ``params``) so existing consumers can read it.
"""

from __future__ import annotations

from typing import Any

from etstats.reconciliation.model import ReconcileReport, Verdict


def spawn_audit(
    report: ReconcileReport, *, limit: int = 200, diff_seconds: float = 30.0
) -> dict[str, Any]:
    """Audit the newest ``limit`` Lua player rows (rounds in report order, last first).

    ``diff_seconds`` keeps the original's ``diff_gt_threshold`` flag; the verdict decides
    whether a difference is a problem.
    """
    if not 1 <= limit <= 1000 or not 0 <= diff_seconds <= 3600:
        raise ValueError("limit must be 1..1000 and diff_seconds 0..3600")
    summary = {
        "checked": 0,
        "missing_round_id": 0,
        "missing_player_stats": 0,
        "dead_gt_played": 0,
        "diff_gt_threshold": 0,
        **{f"verdict_{v.value}": 0 for v in Verdict},
    }
    samples: list[dict[str, Any]] = []
    for r in reversed(report.rounds):
        if r.lua is None:
            continue
        dead = {c.player: c for c in r.comparisons if c.check == "dead-time"}
        played = {c.player: c for c in r.comparisons if c.check in ("time-played",)}
        for link in r.players:
            if not link.in_lua or summary["checked"] >= limit:
                continue
            summary["checked"] += 1
            flags: list[str] = []
            if r.stats is None:
                summary["missing_round_id"] += 1
                flags.append("missing_round_id")
            cmp = dead.get(link.key)
            if r.stats is not None and not link.in_stats:
                summary["missing_player_stats"] += 1
                flags.append("missing_player_stats")
            row: dict[str, Any] = {
                "map_name": r.map,
                "round_number": r.round,
                "stats_file": r.stats,
                "lua_file": r.lua,
                "player_guid": link.guid or link.key,
                "player_name": link.names[0] if link.names else None,
                "bot": link.bot,
                "collision": link.collision,
                "flags": flags,
            }
            if cmp is not None:
                lua_dead = cmp.sources[1].value or 0.0
                stats_dead = cmp.sources[0].value or 0.0
                diff = abs(stats_dead - lua_dead)
                pl = played.get(link.key)
                played_s = pl.sources[0].value if pl is not None else None
                if played_s and lua_dead > played_s + 1:
                    summary["dead_gt_played"] += 1
                    flags.append("dead_gt_played")
                if diff > diff_seconds:
                    summary["diff_gt_threshold"] += 1
                    flags.append("diff_gt_threshold")
                summary[f"verdict_{cmp.verdict.value}"] += 1
                row.update(
                    {
                        "dead_seconds_lua": lua_dead,
                        "time_dead_seconds_stats": stats_dead,
                        "time_played_seconds": played_s,
                        "diff_seconds": round(diff, 1),
                        "verdict": cmp.verdict.value,
                        "causes": [
                            {"code": c.code, "low": c.low, "high": c.high, "evidence": c.evidence}
                            for c in cmp.causes
                        ],
                        "explanation": cmp.message,
                    }
                )
            noteworthy = flags or (cmp is not None and cmp.verdict is not Verdict.AGREE)
            if noteworthy and len(samples) < 25:
                samples.append(row)
    return {
        "status": "ok",
        "summary": summary,
        "samples": samples,
        "params": {"limit": limit, "diff_seconds": diff_seconds},
    }


__all__ = ["spawn_audit"]
