"""Arrival facts for health views, aggregated in SQL (no table is read into Python).

Used by the HTTP adapter's pipeline and Lua-webhook health and its linkage view
(docs/http.md), all read from counts kept by triggers. Times are Unix seconds; the Lua lag is
seconds from the round's end to the Lua file's receipt.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from etstats.errors import StorageError
from etstats.queries.types import ArrivalFacts, LagSummary, SourceArrivals

LUA_KINDS = ("gametimes", "gametimes-legacy")


LAG_SHIFTS = (24, 16, 8, 0)
"""The levels of ``lua_lags`` (migration 0018), coarse to fine: a row at ``shift`` counts
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


def _descend(rows: Sequence[tuple[int, int]], rank: int) -> tuple[int, int]:
    """The bucket of ``rows`` (bucket, rounds; in bucket order) holding the ``rank``-th
    round, and its rank inside that bucket."""
    for bucket, n in rows:
        if rank <= n:
            return bucket, rank
        rank -= n
    raise StorageError("lua_lags: a level counts fewer rounds than the one above")


def _lags_at_ranks(tx: Any, top: list[tuple[int, int]], ranks: Sequence[int]) -> list[int]:
    """The Lua lags (seconds) at these 1-based ranks (each at most the count), all found in
    one walk down ``lua_lags`` from its top level (``top``: bucket, rounds in bucket order):
    per level below, one read of the children of the buckets found above."""
    rows = top
    found = [_descend(rows, rank) for rank in ranks]
    for shift in LAG_SHIFTS[1:]:
        parents = sorted({bucket for bucket, _ in found})
        spans = [(p << LAG_FAN, (p << LAG_FAN) + (1 << LAG_FAN) - 1) for p in parents]
        rows = [
            (int(b), int(n))
            for b, n in tx.fetchall(
                "SELECT bucket, rounds FROM lua_lags WHERE shift = ? AND ("  # placeholders only
                + " OR ".join("bucket BETWEEN ? AND ?" for _ in spans)
                + ") ORDER BY bucket",
                (shift, *(x for span in spans for x in span)),
            )
        ]
        found = [
            _descend([(b, n) for b, n in rows if b >> LAG_FAN == parent], rank)
            for parent, rank in found
        ]
    return [bucket for bucket, _ in found]


def lua_lag(tx: Any) -> LagSummary:
    """Count, p50, p95 and max of the Lua lags (nearest rank), from the counts per second of
    migration 0018 (linkage_counts): four reads of a few hundred rows at most."""
    top = [
        (int(b), int(n))
        for b, n in tx.fetchall(
            "SELECT bucket, rounds FROM lua_lags WHERE shift = ? ORDER BY bucket",
            (LAG_SHIFTS[0],),
        )
    ]
    count = sum(n for _, n in top)
    if not count:
        return LagSummary(count=0, p50=None, p95=None, max=None)
    p50, p95, most = _lags_at_ranks(
        tx, top, (nearest_rank(count, 50), nearest_rank(count, 95), count)
    )
    return LagSummary(count=count, p50=float(p50), p95=float(p95), max=float(most))


def arrival_facts(tx: Any) -> ArrivalFacts:
    """The artifacts per server and kind and the Lua linkage (coverage, lags, sources per
    round): the Lua-webhook health and the linkage view.

    Flat in the size of the store: read from counts kept by triggers, ``artifact_arrivals``
    (migration 0015) and ``round_sources`` and ``lua_lags`` (migration 0018
    (linkage_counts)); the answers equal the plain aggregates over ``rounds`` and
    ``artifacts`` (tests/storage/test_linkage_counts.py)."""
    kept = [
        (int(rn), bool(stats), bool(lua), bool(endstats), int(n))
        for rn, stats, lua, endstats, n in tx.fetchall(
            "SELECT round_number, stats, lua, endstats, rounds FROM round_sources"
        )
    ]
    coverage: dict[int, tuple[int, int]] = {}
    by_sources: dict[tuple[bool, bool, bool], int] = {}
    for rn, stats, lua, endstats, n in kept:
        if stats:
            rounds, with_lua = coverage.get(rn, (0, 0))
            coverage[rn] = (rounds + n, with_lua + (n if lua else 0))
        key = (stats, lua, endstats)
        by_sources[key] = by_sources.get(key, 0) + n
    names = ("stats", "lua", "endstats")
    return ArrivalFacts(
        by_source=_by_source(tx),
        coverage=tuple((rn, n, w) for rn, (n, w) in sorted(coverage.items())),
        rounds_with_lua=sum(n for _, _, lua, _, n in kept if lua),
        lua_linked_to_stats=sum(n for _, stats, lua, _, n in kept if lua and stats),
        lua_lag=lua_lag(tx),
        rounds_by_sources=tuple(
            ("+".join(nm for nm, has in zip(names, key, strict=True) if has) or "none", n)
            for key, n in sorted(by_sources.items())
        ),
    )
