"""Arrival facts for health views, aggregated in SQL (no table is read into Python).

Used by the HTTP adapter's pipeline and Lua-webhook health (docs/http.md). Times are Unix
seconds; the Lua lag is seconds from the round's end to the Lua file's receipt.
"""

from __future__ import annotations

from typing import Any

from etstats.queries.types import ArrivalFacts

LUA_KINDS = ("gametimes", "gametimes-legacy")


def arrival_facts(tx: Any) -> ArrivalFacts:
    by_source = tx.fetchall(
        "SELECT s.name, a.kind, COUNT(*), "
        "SUM(CASE WHEN a.status = 'rejected' THEN 1 ELSE 0 END), MAX(a.received_unix) "
        "FROM artifacts a JOIN servers s ON s.id = a.server_id "
        "GROUP BY s.name, a.kind ORDER BY s.name, a.kind"
    )
    by_server = tx.fetchall(
        "SELECT s.name, COUNT(r.id), MAX(r.round_start_unix) FROM servers s "
        "LEFT JOIN rounds r ON r.server_id = s.id GROUP BY s.name ORDER BY s.name"
    )
    coverage = tx.fetchall(
        "SELECT round_number, COUNT(*), "
        "SUM(CASE WHEN lua_sha256 IS NOT NULL THEN 1 ELSE 0 END) FROM rounds "
        "WHERE stats_sha256 IS NOT NULL GROUP BY round_number ORDER BY round_number"
    )
    lua = tx.fetchone(
        "SELECT COUNT(*), SUM(CASE WHEN stats_sha256 IS NOT NULL THEN 1 ELSE 0 END) "
        "FROM rounds WHERE lua_sha256 IS NOT NULL"
    )
    lags = tx.fetchall(
        "SELECT a.received_unix - r.round_end_unix FROM rounds r JOIN artifacts a "
        "ON a.sha256 = r.lua_sha256 WHERE r.round_end_unix IS NOT NULL"
    )
    sources = tx.fetchall(
        "SELECT stats_sha256 IS NOT NULL, lua_sha256 IS NOT NULL, endstats_sha256 IS NOT NULL, "
        "COUNT(*) FROM rounds GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )
    return ArrivalFacts(
        by_source=tuple(
            (str(s), str(k), int(n), int(rej or 0), int(last)) for s, k, n, rej, last in by_source
        ),
        by_server=tuple(
            (str(s), int(n), None if last is None else int(last)) for s, n, last in by_server
        ),
        coverage=tuple((int(rn), int(n), int(w or 0)) for rn, n, w in coverage),
        rounds_with_lua=int(lua[0]) if lua else 0,
        lua_linked_to_stats=int(lua[1] or 0) if lua else 0,
        lua_lag_seconds=tuple(float(x[0]) for x in lags),
        rounds_by_sources=tuple(
            (
                "+".join(
                    n for n, has in zip(("stats", "lua", "endstats"), flags, strict=True) if has
                )
                or "none",
                int(count),
            )
            for *flags, count in sources
        ),
    )
