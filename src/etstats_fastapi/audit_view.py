"""The spawn audit from stored reconciliations: per player, Lua dead time against the stats
file's, with the verdict, the named causes and the magnitude, sorted by severity and paged.

A value a source did not give stays ``None`` (JSON ``null``, "—" on the page): it is never
turned into 0, and rows without a magnitude sort after every row that has one within the same
verdict, so "unknown" is never read as "agrees exactly".
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from etstats.storage.base import Storage

SEVERITY = {"conflict": 3, "explained": 2, "tolerated": 1, "agree": 0}
"""Verdicts from worst to best (the sort key)."""


@dataclass(frozen=True)
class AuditRow:
    """One player's dead-time comparison in one round (seconds)."""

    round_id: int
    map_name: str
    round_number: int
    round_start_unix: int
    player_key: str
    player_name: str | None
    lua_dead_seconds: float | None
    stats_dead_seconds: float | None
    difference_seconds: float | None
    """stats − Lua; ``None`` when either value is missing."""
    magnitude_seconds: float | None
    """``|difference|``; ``None`` when either value is missing."""
    tolerance_seconds: float | None
    verdict: str
    causes: tuple[dict[str, Any], ...]
    explanation: str


def _value(values: Sequence[Any], index: int) -> float | None:
    if len(values) <= index:
        return None
    value = values[index]
    return float(value) if isinstance(value, int | float) else None


def _source_values(cmp: dict[str, Any]) -> list[Any]:
    """The comparison's source values in order (stats first, then Lua): from ``sources`` in
    the full and lean forms, from ``values`` in the stored form B (docs/storage.md)."""
    sources = cmp.get("sources")
    if sources is None:
        return list(cmp.get("values") or [])
    return [s.get("value") if isinstance(s, dict) else None for s in sources]


MAX_AUDIT_ROUNDS = 1000
"""Rounds one audit covers at most (the newest ones of the selection)."""


def audit_rows(
    storage: Storage,
    *,
    round_ids: Sequence[int] | None = None,
    since_unix: int | None = None,
    until_unix: int | None = None,
) -> list[AuditRow]:
    """Every dead-time comparison of the selected rounds (the given ids, else the newest
    :data:`MAX_AUDIT_ROUNDS` in the date range), worst first."""
    if round_ids is not None:
        summaries = storage.round_summaries(list(round_ids))
    else:
        summaries = storage.list_rounds(
            since_unix=since_unix, until_unix=until_unix, limit=MAX_AUDIT_ROUNDS
        )
    rounds = {r.id: r for r in summaries}
    out: list[AuditRow] = []
    for row in storage.table_rows("reconciliations", list(rounds)) if rounds else []:
        rnd = rounds[int(row[0])]
        report = json.loads(row[4])
        for cmp in report.get("comparisons", []):
            if cmp.get("check") != "dead-time":
                continue
            out.append(_row(rnd.id, rnd.map_name, rnd.round_number, rnd.start_unix, cmp))
    out.sort(key=_severity_key)
    return out


def _row(round_id: int, map_name: str, number: int, start: int, cmp: dict[str, Any]) -> AuditRow:
    values = _source_values(cmp)
    stats, lua = _value(values, 0), _value(values, 1)
    diff = None if stats is None or lua is None else round(stats - lua, 3)
    causes = tuple(
        {
            "code": c.get("code"),
            "low": c.get("low"),
            "high": c.get("high"),
            "evidence": c.get("evidence"),
        }
        for c in cmp.get("causes") or []
    )
    tol = cmp.get("tolerance")
    return AuditRow(
        round_id,
        map_name,
        number,
        start,
        str(cmp.get("player") or ""),
        cmp.get("player_name"),
        lua,
        stats,
        diff,
        None if diff is None else abs(diff),
        float(tol) if isinstance(tol, int | float) else None,
        str(cmp.get("verdict")),
        causes,
        str(cmp.get("message") or ""),
    )


def _severity_key(row: AuditRow) -> tuple[int, int, float, int, str]:
    known = row.magnitude_seconds is not None
    return (
        -SEVERITY.get(row.verdict, 4),
        0 if known else 1,
        -(row.magnitude_seconds or 0.0),
        -row.round_id,
        row.player_key,
    )


def audit_page(rows: Sequence[AuditRow], *, limit: int, offset: int) -> dict[str, Any]:
    """A page of rows plus a summary over all of them."""
    verdicts = Counter(r.verdict for r in rows)
    return {
        "total": len(rows),
        "limit": limit,
        "offset": offset,
        "summary": {
            "verdicts": dict(sorted(verdicts.items())),
            "missing_lua_value": sum(1 for r in rows if r.lua_dead_seconds is None),
            "missing_stats_value": sum(1 for r in rows if r.stats_dead_seconds is None),
        },
        "items": [asdict(r) for r in rows[offset : offset + limit]],
    }
