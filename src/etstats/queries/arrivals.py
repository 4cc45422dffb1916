"""Arrival facts for health views, aggregated in SQL (no table is read into Python).

Used by the HTTP adapter's pipeline and Lua-webhook health (docs/http.md). Times are Unix
seconds; the Lua lag is seconds from the round's end to the Lua file's receipt.
"""

from __future__ import annotations

from typing import Any

from etstats.queries.types import ArrivalFacts, SourceArrivals

LUA_KINDS = ("gametimes", "gametimes-legacy")


def source_arrivals(tx: Any) -> SourceArrivals:
    """Artifacts per server and kind, and rounds per server: what the pipeline health needs.

    Flat in the size of the store: the artifact counts come from ``artifact_arrivals``
    (migration 0015 (arrival_counts), kept by the artifacts' triggers), the rounds per server
    from the ``rounds_server_time`` index (one count and one top entry per server)."""
    by_source = tx.fetchall(
        "SELECT s.name, a.kind, a.artifacts, a.rejected, a.last_received_unix "
        "FROM artifact_arrivals a JOIN servers s ON s.id = a.server_id ORDER BY s.name, a.kind"
    )
    by_server = tx.fetchall(
        "SELECT s.name, (SELECT COUNT(*) FROM rounds r WHERE r.server_id = s.id), "
        "(SELECT MAX(r.round_start_unix) FROM rounds r WHERE r.server_id = s.id) "
        "FROM servers s ORDER BY s.name"
    )
    return SourceArrivals(
        by_source=tuple(
            (str(s), str(k), int(n), int(rej or 0), int(last)) for s, k, n, rej, last in by_source
        ),
        by_server=tuple(
            (str(s), int(n), None if last is None else int(last)) for s, n, last in by_server
        ),
    )


def arrival_facts(tx: Any) -> ArrivalFacts:
    """:func:`source_arrivals` plus the Lua linkage (coverage, lags, sources per round): these
    read every round (the Lua-webhook health and the linkage view)."""
    sources_part = source_arrivals(tx)
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
        by_source=sources_part.by_source,
        by_server=sources_part.by_server,
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
