"""Arrival facts for health views, aggregated in SQL (no table is read into Python).

Used by the HTTP adapter's pipeline and Lua-webhook health and its linkage view
(docs/http.md), all read from counts kept by triggers. Times are Unix seconds; the Lua lag is
seconds from the round's end to the Lua file's receipt.
"""

from __future__ import annotations

import math
from typing import Any

from etstats.errors import StorageError
from etstats.queries.types import ArrivalFacts, LagSummary, SourceArrivals

LUA_KINDS = ("gametimes", "gametimes-legacy")


LAG_SHIFTS = (24, 16, 8, 0)
"""The levels of ``lua_lags`` (migration 0017), coarse to fine: a row at ``shift`` counts
the rounds whose lag ``L`` has ``L >> shift == bucket``; its children are the
``2 ** LAG_FAN`` buckets of the next level from ``bucket << LAG_FAN``."""
LAG_FAN = 8


def nearest_rank(count: int, q: float) -> int:
    """The 1-based rank of the nearest-rank ``q``-th percentile (``q`` in 0..100) of
    ``count`` values."""
    return max(1, math.ceil(q / 100 * count))


def _by_source(tx: Any) -> tuple[tuple[str, str, int, int, int], ...]:
    rows = tx.fetchall(
        "SELECT s.name, a.kind, a.artifacts, a.rejected, a.last_received_unix "
        "FROM artifact_arrivals a JOIN servers s ON s.id = a.server_id ORDER BY s.name, a.kind"
    )
    return tuple((str(s), str(k), int(n), int(rej or 0), int(last)) for s, k, n, rej, last in rows)


def source_arrivals(tx: Any) -> SourceArrivals:
    """Artifacts per server and kind, and rounds per server: what the pipeline health needs.

    Flat in the size of the store: the artifact counts come from ``artifact_arrivals``
    (migration 0015 (arrival_counts), kept by the artifacts' triggers), the rounds per server
    from the ``rounds_server_time`` index (one count and one top entry per server)."""
    by_server = tx.fetchall(
        "SELECT s.name, (SELECT COUNT(*) FROM rounds r WHERE r.server_id = s.id), "
        "(SELECT MAX(r.round_start_unix) FROM rounds r WHERE r.server_id = s.id) "
        "FROM servers s ORDER BY s.name"
    )
    return SourceArrivals(
        by_source=_by_source(tx),
        by_server=tuple(
            (str(s), int(n), None if last is None else int(last)) for s, n, last in by_server
        ),
    )


def _lag_at_rank(tx: Any, rank: int) -> int:
    """The ``rank``-th smallest Lua lag (1-based, at most the count), seconds: from the top
    level of ``lua_lags`` down, the bucket that holds it, then that bucket's children."""
    bucket: int | None = None
    for shift in LAG_SHIFTS:
        if bucket is None:
            rows = tx.fetchall(
                "SELECT bucket, rounds FROM lua_lags WHERE shift = ? ORDER BY bucket", (shift,)
            )
        else:
            first = bucket << LAG_FAN
            rows = tx.fetchall(
                "SELECT bucket, rounds FROM lua_lags WHERE shift = ? AND bucket BETWEEN ? AND ? "
                "ORDER BY bucket",
                (shift, first, first + (1 << LAG_FAN) - 1),
            )
        for b, n in rows:
            if rank <= int(n):
                bucket = int(b)
                break
            rank -= int(n)
        else:
            raise StorageError("lua_lags: a level counts fewer rounds than the one above")
    if bucket is None:  # no levels: not reached (LAG_SHIFTS is not empty)
        raise StorageError("lua_lags: no levels")
    return bucket


def lua_lag(tx: Any) -> LagSummary:
    """Count, p50, p95 and max of the Lua lags (nearest rank), from the counts per second of
    migration 0017 (linkage_counts): a few hundred rows at most per percentile."""
    total = tx.fetchone(
        "SELECT COALESCE(SUM(rounds), 0) FROM lua_lags WHERE shift = ?", (LAG_SHIFTS[0],)
    )
    count = int(total[0]) if total else 0
    if not count:
        return LagSummary(count=0, p50=None, p95=None, max=None)
    top = tx.fetchone("SELECT MAX(bucket) FROM lua_lags WHERE shift = ?", (LAG_SHIFTS[-1],))
    return LagSummary(
        count=count,
        p50=float(_lag_at_rank(tx, nearest_rank(count, 50))),
        p95=float(_lag_at_rank(tx, nearest_rank(count, 95))),
        max=float(top[0]),
    )


def arrival_facts(tx: Any) -> ArrivalFacts:
    """The artifacts per server and kind and the Lua linkage (coverage, lags, sources per
    round): the Lua-webhook health and the linkage view.

    Flat in the size of the store: read from counts kept by triggers, ``artifact_arrivals``
    (migration 0015) and ``round_sources`` and ``lua_lags`` (migration 0017
    (linkage_counts)); the answers equal the plain aggregates over ``rounds`` and
    ``artifacts`` (tests/storage/test_linkage_counts.py)."""
    coverage = tx.fetchall(
        "SELECT round_number, SUM(rounds), SUM(CASE WHEN lua THEN rounds ELSE 0 END) "
        "FROM round_sources WHERE stats GROUP BY round_number ORDER BY round_number"
    )
    lua = tx.fetchone(
        "SELECT COALESCE(SUM(rounds), 0), COALESCE(SUM(CASE WHEN stats THEN rounds ELSE 0 END), 0) "
        "FROM round_sources WHERE lua"
    )
    sources = tx.fetchall(
        "SELECT stats, lua, endstats, SUM(rounds) FROM round_sources "
        "GROUP BY stats, lua, endstats ORDER BY stats, lua, endstats"
    )
    return ArrivalFacts(
        by_source=_by_source(tx),
        coverage=tuple((int(rn), int(n), int(w or 0)) for rn, n, w in coverage),
        rounds_with_lua=int(lua[0]) if lua else 0,
        lua_linked_to_stats=int(lua[1] or 0) if lua else 0,
        lua_lag=lua_lag(tx),
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
