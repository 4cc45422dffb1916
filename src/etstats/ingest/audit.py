"""The reconciliation/linking report of a store (``etstats audit``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

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
    rounds = storage.rounds()
    arts = storage.artifacts()
    in_round = {s for r in rounds for s in r.linked.values()}
    recon = storage.table_rows("reconciliations")
    by_id = {r.id: r for r in rounds}
    names = {a.sha256: a.name for a in arts}
    verdicts = Counter(str(row[1]) for row in recon)
    conflicts = [
        {"round_id": row[0], "map": by_id[row[0]].map_name, "round": by_id[row[0]].round_number,
         "round_start_unix": by_id[row[0]].round_start_unix, "errors": row[2]}
        for row in recon if row[1] == "conflict" and row[0] in by_id
    ]  # fmt: skip
    r2 = [r for r in rounds if r.round_number == 2 and r.stats_sha256]
    orphans = [
        {"round_id": r.id, "map": r.map_name, "stats_file_unix": r.stats_file_unix,
         "stats": names.get(r.stats_sha256 or "", "")}
        for r in r2 if r.values_scope == "cumulative_r1_r2"
    ]  # fmt: skip
    return {
        "round2": {
            "total": len(r2),
            "differenced": sum(1 for r in r2 if r.r1_round_id is not None),
            "orphans": orphans,
        },
        "rounds": {
            "total": len(rounds),
            "by_start_source": dict(Counter(r.start_source for r in rounds)),
            "with_stats": sum(1 for r in rounds if r.stats_sha256),
            "with_lua": sum(1 for r in rounds if r.lua_sha256),
            "with_endstats": sum(1 for r in rounds if r.endstats_sha256),
            "stats_and_lua": sum(1 for r in rounds if r.stats_sha256 and r.lua_sha256),
            "stats_without_lua": sum(1 for r in rounds if r.stats_sha256 and not r.lua_sha256),
            "lua_without_stats": sum(1 for r in rounds if r.lua_sha256 and not r.stats_sha256),
        },
        "verdicts": dict(sorted(verdicts.items())),
        "conflicts": conflicts,
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
            if a.status == "accepted" and a.sha256 not in in_round
        ],
    }


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
