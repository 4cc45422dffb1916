"""The reconciliation/linking report of a store (``etstats audit``)."""

from __future__ import annotations

from typing import Any

from etstats.queries.types import RoundSummary
from etstats.storage.base import Storage


def audit_report(storage: Storage) -> dict[str, Any]:
    """What the store holds and how well it links and reconciles, as plain data.

    Keys: ``rounds`` (counts by start source and linked sources), ``verdicts`` (reconciled
    rounds per verdict), ``conflicts`` (rounds whose verdict is ``conflict``), ``rejected``
    (artifacts with their errors), ``link_notes`` (artifacts the linker refused to link or
    left out, with the reason), ``unlinked`` (accepted artifacts in no round) and
    ``round2`` (stats round 2s: ``differenced`` against a stored round 1, ``orphans`` still
    holding cumulative R1+R2 values, each with its map and stats file time).
    """
    counts = storage.store_counts()
    arts = storage.artifacts()
    names = {a.sha256: a.name for a in arts}
    conflicts = _all_rounds(storage, verdict="conflict")
    orphans = _all_rounds(storage, round_number=2, values_scope="cumulative_r1_r2")
    orphan_rows = {r.id: storage.stored_round(r.id) for r in orphans}
    unlinked = {a.sha256 for a in storage.unlinked_artifacts()} if counts.unlinked else set()
    return {
        "round2": {
            "total": counts.round2.get("total", 0),
            "differenced": counts.round2.get("differenced", 0),
            "orphans": [
                {"round_id": r.id, "map": r.map_name,
                 "stats_file_unix": getattr(orphan_rows[r.id], "stats_file_unix", None),
                 "stats": names.get(getattr(orphan_rows[r.id], "stats_sha256", None) or "", "")}
                for r in orphans
            ],
        },
        "rounds": {"total": counts.rounds, "by_start_source": counts.by_start_source,
                   **counts.rounds_by_source},
        "verdicts": dict(sorted(counts.verdicts.items())),
        "conflicts": [
            {"round_id": r.id, "map": r.map_name, "round": r.round_number,
             "round_start_unix": r.start_unix, "errors": r.reconcile_errors or 0}
            for r in conflicts
        ],
        "rejected": [
            {"name": a.name, "sha256": a.sha256, "error": a.error}
            for a in arts
            if a.status == "rejected"
        ],
        "link_notes": [
            {"name": a.name, "sha256": a.sha256, "kind": a.kind, "note": a.link_note}
            for a in arts
            if a.link_note
        ],
        "unlinked": [
            {"name": a.name, "sha256": a.sha256, "kind": a.kind}
            for a in arts
            if a.sha256 in unlinked
        ],
    }  # fmt: skip


def _all_rounds(storage: Storage, **filters: Any) -> list[RoundSummary]:
    """Every round matching ``filters``, oldest first, read page by page."""
    out: list[RoundSummary] = []
    while True:
        page = storage.list_rounds(limit=1000, offset=len(out), newest_first=False, **filters)
        out += page
        if len(page) < 1000:
            return out


def format_report(report: dict[str, Any]) -> str:
    """The report as text for a terminal."""
    r = report["rounds"]
    lines = [
        f"rounds: {r['total']} ({r['with_stats']} with a stats file, {r['with_lua']} with Lua "
        f"timing, {r['with_endstats']} with endstats)",
        f"linking: {r['stats_and_lua']} stats+Lua, {r['stats_without_lua']} stats without Lua, "
        f"{r['lua_without_stats']} Lua without stats",
    ]
    r2 = report["round2"]
    lines.append(f"round 2: {r2['differenced']} of {r2['total']} differenced against their "
                 f"round 1 (R2-only values), {len(r2['orphans'])} orphan round 2 "
                 "(cumulative R1+R2 values)")  # fmt: skip
    for o in r2["orphans"][:50]:
        lines.append(f"  orphan round 2: round {o['round_id']} {o['map']} {o['stats']}")
    if report["verdicts"]:
        lines.append("verdicts: " + ", ".join(f"{k} {v}" for k, v in report["verdicts"].items()))
    else:
        lines.append("verdicts: none stored (no round was reconciled)")
    for c in report["conflicts"]:
        lines.append(f"  conflict: round {c['round_id']} {c['map']} R{c['round']} "
                     f"({c['errors']} error(s))")  # fmt: skip
    lines.append(f"rejected artifacts: {len(report['rejected'])}")
    for a in report["rejected"][:50]:
        lines.append(f"  {a['error']}")
    lines.append(f"artifacts not linked as they could be: {len(report['link_notes'])}")
    for a in report["link_notes"][:50]:
        lines.append(f"  {a['name']} ({a['kind']}): {a['note']}")
    lines.append(f"unlinked artifacts: {len(report['unlinked'])}")
    for a in report["unlinked"][:50]:
        lines.append(f"  {a['name']} ({a['kind']})")
    return "\n".join(lines)
