"""Leaderboards and records: any statistic ranked by SQL, behind a minimum-sample gate.

Gate defaults (docs/sessions.md): a leaderboard needs :data:`DEFAULT_MIN_ROUNDS` rounds, and for a
rate also :data:`DEFAULT_RATE_MINUTES` minutes played, so one lucky round never tops a ladder;
a record needs :data:`DEFAULT_RECORD_MINUTES` minutes played in that round (twice that for a map).
Ties rank by rounds (more first), then GUID, so pages are stable (a player's ``rounds`` is
the sum over his GUIDs: a round two merged GUIDs both played counts twice here, once in a
career); a record tie goes to the
earliest, then the smallest GUID (never to a row id, which depends on ingest order).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from etstats.queries import identity, totals
from etstats.queries.careers import window_sql
from etstats.queries.rounds import dialect
from etstats.queries.statdefs import (
    RATES,
    check_stat,
    part_scale,
    part_sql,
    tenths_sql,
)
from etstats.queries.types import Leaderboard, LeaderboardEntry, RecordEntry, Window

DEFAULT_MIN_ROUNDS = 10
DEFAULT_RATE_MINUTES = 30.0
DEFAULT_RECORD_MINUTES = 5.0
MAX_PAGE = 200
RECORD_STATS: tuple[str, ...] = (
    "kills",
    "damage_given",
    "gibs",
    "revives_given",
    "headshot_kills",
    "objectives",
    "dpm",
    "kd",
    "accuracy",
)
"""Statistics :func:`records` covers when none are named."""


def leaderboard(
    tx: Any,
    stat: str,
    window: Window,
    *,
    min_rounds: int | None,
    min_minutes: float | None,
    limit: int,
    offset: int,
    fast: bool = True,
) -> Leaderboard:
    """A page of the ladder of ``stat``; ``fast=False`` forces the plain aggregate over
    ``player_round_stats`` even for all time (the reference the running totals are tested
    against)."""
    check_stat(stat)
    rounds_gate = DEFAULT_MIN_ROUNDS if min_rounds is None else max(0, int(min_rounds))
    if min_minutes is None:
        min_minutes = DEFAULT_RATE_MINUTES if stat in RATES and rounds_gate else 0.0
    cond, params = window_sql(tx, window)
    parts, outer_value = _two_stage(stat, dialect(tx))
    join = ""  # window_sql filters by round id: the rounds table is not joined
    # stage 1 per GUID as written (an index-ordered scan), stage 2 per player (merges)
    inner = (
        f"SELECT p.guid AS guid, {parts}, COUNT(DISTINCT p.round_id) AS n, "
        f"SUM({tenths_sql('time_played_minutes')}) AS tenths "
        f"FROM player_round_stats p {join}WHERE 1 = 1{cond} GROUP BY p.guid"
    )
    if totals.is_all_time(window) and fast:
        # all time: the running totals hold stage 1 already (one row per GUID)
        inner, params = _totals_stage(stat), []
    sql = (
        "SELECT pg, value, rounds, tenths FROM (SELECT COALESCE(al.player_guid, g.guid) AS pg, "
        f"{outer_value} AS value, SUM(g.n) AS rounds, SUM(g.tenths) AS tenths "
        f"FROM ({inner}) g LEFT JOIN player_aliases al ON al.guid = g.guid "
        "GROUP BY COALESCE(al.player_guid, g.guid)) t "
        "WHERE rounds >= ? AND tenths >= ? AND value IS NOT NULL "
        "ORDER BY value DESC, rounds DESC, pg LIMIT ? OFFSET ?"
    )
    limit = max(0, min(int(limit), MAX_PAGE))
    offset = max(0, int(offset))
    rows = tx.fetchall(sql, (*params, rounds_gate, float(min_minutes) * 10, limit, offset))
    # names: the most used in the window (all time: over every line)
    names = identity.refs(tx, [str(r[0]) for r in rows], cond, params)
    entries = tuple(
        LeaderboardEntry(
            rank=offset + i + 1,
            guid=str(g),
            name=names[str(g)].name,
            value=float(v),
            rounds=int(n),
            time_played_minutes=int(m) / 10,
        )
        for i, (g, v, n, m) in enumerate(rows)
    )
    return Leaderboard(
        stat=stat,
        window=window,
        min_rounds=rounds_gate,
        min_minutes=float(min_minutes),
        entries=entries,
        offset=offset,
    )


def _totals_stage(stat: str) -> str:
    """Stage 1 of :func:`leaderboard` from ``player_totals``: the same columns (``a0``,
    ``a1``, ``n``, ``tenths``) the plain aggregate computes per GUID."""
    rate = RATES.get(stat)
    names = [rate.numerator, rate.denominator] if rate else [stat]
    parts = ", ".join(f"{totals.total_column(n)} AS a{i}" for i, n in enumerate(names))
    return (
        f"SELECT t.guid AS guid, {parts}, t.rounds AS n, t.time_played_tenths AS tenths "
        "FROM player_totals t"
    )


def _two_stage(stat: str, dialect_name: str) -> tuple[str, str]:
    """Stage-1 sums (``a0``, ``a1``) of a statistic's parts and the stage-2 value over them
    (a rate: the ratio of the summed parts)."""
    rate = RATES.get(stat)
    names = [rate.numerator, rate.denominator] if rate else [stat]
    parts = ", ".join(f"SUM({part_sql(n, dialect_name)}) AS a{i}" for i, n in enumerate(names))
    if rate is None:
        scale = part_scale(stat)
        return parts, "SUM(g.a0)" if scale == 1 else f"(SUM(g.a0) / {float(scale)})"
    factor = float(part_scale(rate.denominator)) / part_scale(rate.numerator)
    return parts, f"(1.0 * SUM(g.a0) * {factor} / NULLIF(SUM(g.a1), 0))"


def records(
    tx: Any, stats: Sequence[str] | None, window: Window, *, min_minutes: float | None
) -> list[RecordEntry]:
    """Best single round and best map of each statistic, in the order asked (round first);
    see :mod:`etstats.queries.records` for how they are found."""
    from etstats.queries import records as found

    gate = DEFAULT_RECORD_MINUTES if min_minutes is None else max(0.0, float(min_minutes))
    names = list(dict.fromkeys(check_stat(s) for s in (stats or RECORD_STATS)))
    rounds = found.best_rounds(tx, names, window, gate)
    maps = found.best_maps(tx, names, window, gate * 2)
    out = [r for s in names for r in (rounds.get(s), maps.get(s)) if r is not None]
    refs = identity.refs(tx, [r.guid for r in out])
    return [attrs.evolve(r, name=refs[r.guid].name) for r in out]
