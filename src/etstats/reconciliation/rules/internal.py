"""Checks of one stats file against itself (no Lua needed): the three dead-time measures.

* ``dead-time-engine``: TAB[25] vs the engine estimate ``(1 - TAB[8]/100) * TAB[22]``
  (round 2: the round-2 share of the cumulative TAB[8]/TAB[22]);
* ``dead-le-played``: TAB[25] <= TAB[22];
* ``dead-ratio``: TAB[24] vs ``100 * TAB[25] / TAB[22]`` as written;
* ``kd-ratio``: TAB[26] vs the weapon kills/deaths (``kills + 1`` when no deaths);
* ``revived-le-deaths``: TAB[19] <= weapon deaths + TAB[5].
"""

from __future__ import annotations

import math
from typing import Any

from attrs import frozen

from etstats.reconciliation.causes import cause
from etstats.reconciliation.model import CauseAmount, Comparison
from etstats.reconciliation.model import source_value as _sv  # positional, value made a float
from etstats.reconciliation.readings import StatsPlayerReading, StatsReading
from etstats.reconciliation.rules.judge import counted_agree, judge, needs_causes
from etstats.reconciliation.tolerance import (
    MINUTES_1DP_S,
    PERCENT_1DP,
    RATIO_1DP,
    max_dead_interval_s,
    overcount_total_high,
    overcount_total_low,
)

STICKY_S = 120.0
"""TAB[24] is only updated once the player's team time exceeds 120 s."""


def _corners(terms: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Dead seconds = sum over (T_min, p_percent, sign) of sign*T*(1-p/100); with +-0.05.

    Every ``max(a, b)`` below is written ``b if b > a else a`` (or ``b if a < b else a``)
    and every ``min(a, b)`` ``b if b < a else a``: exactly what the builtins compute (same
    comparison, the first argument kept on ties), without the calls that were most of this
    function's cost.
    """
    est = 0.0
    lo = hi = 0.0
    for t_min, p, sign in terms:
        # the four corners (T -+ 0.05 min, p -+ 0.05 %), same operation order as
        # sign * max(T, 0) * 60 * (1 - min(max(p, 0), 100) / 100)
        x = t_min - 0.05
        ta = sign * (0.0 if x < 0.0 else x) * 60
        x = t_min + 0.05
        tb = sign * (0.0 if x < 0.0 else x) * 60
        x = p - PERCENT_1DP
        x = 0.0 if x < 0.0 else x
        fa = 1 - (100.0 if x > 100.0 else x) / 100
        x = p + PERCENT_1DP
        x = 0.0 if x < 0.0 else x
        fb = 1 - (100.0 if x > 100.0 else x) / 100
        v1, v2, v3, v4 = ta * fa, ta * fb, tb * fa, tb * fb
        est += sign * t_min * 60 * (1 - p / 100)
        m = v1  # min(v1, v2, v3, v4)
        m = v2 if v2 < m else m
        m = v3 if v3 < m else m
        lo += v4 if v4 < m else m
        m = v1  # max(v1, v2, v3, v4)
        m = v2 if v2 > m else m
        m = v3 if v3 > m else m
        hi += v4 if v4 > m else m
    return est, lo, hi


def engine_estimate(sp: StatsPlayerReading) -> tuple[float, float, float] | None:
    """(estimate, low, high) dead seconds from TAB[8]/TAB[22] for this round only."""
    if sp.raw_played_s is None or sp.raw_alive_percent is None:
        return None
    t2 = sp.raw_played_s / 60
    terms = [(t2, sp.raw_alive_percent, 1.0)]
    if sp.differenced:
        if sp.prior_played_s is None or sp.prior_alive_percent is None:
            return None
        t1 = sp.prior_played_s / 60
        if not (sp.played_s is not None and abs((t2 - t1) * 60 - sp.played_s) > 0.5):
            terms.append((t1, sp.prior_alive_percent, -1.0))
        # else a counter reset: the round-2 values are raw, one term
    est, lo, hi = _corners(terms)
    return est, (0.0 if lo < 0.0 else lo), (0.0 if hi < 0.0 else hi)  # max(x, 0.0)


@frozen
class RoundContext:
    """What the rest of the round tells about one player's stats line."""

    limbo_s: float | None = None
    """Respawn wave period (s) if a Lua source states it."""
    pause_s: float | None = None
    """Round pause total (s) if a Lua source states it."""
    team_kills: int = 0
    """Team kills made by the player's team (bound on his deaths to team mates)."""


_NO_CONTEXT = RoundContext()


def _overcount(
    sp: StatsPlayerReading, sr: StatsReading, est_lo: float, est_hi: float, ctx: RoundContext
) -> CauseAmount | None:
    if not sr.overcount_version or sp.self_kills is None:
        return None
    n = sp.weapon_deaths + sp.self_kills
    n_hi = n + ctx.team_kills
    if n_hi == 0:
        return None
    pause = ctx.pause_s or 0.0
    cap = max_dead_interval_s(ctx.limbo_s) + pause
    lo = overcount_total_low(est_lo, n_hi)
    hi = overcount_total_high(est_hi + pause, max(n, 1), cap)
    return cause(
        "dead-time-overcount", lo, hi, f"8-field header (c0rnp0rn 3/7 or older), {n} deaths"
    )


def _pause(sp: StatsPlayerReading, sr: StatsReading, ctx: RoundContext) -> CauseAmount | None:
    if not ctx.pause_s:
        return None
    return cause(
        "pause-overlap",
        0.0,
        ctx.pause_s,
        f"{ctx.pause_s:.0f} s paused this round: TAB[25] keeps pause time"
        + ("" if sr.overcount_version else " of non-enemy deaths"),
    )


_UNSET: Any = object()


def dead_time_engine(
    sp: StatsPlayerReading,
    sr: StatsReading,
    ctx: RoundContext | None = None,
    *,
    estimate: Any = _UNSET,
) -> Comparison | None:
    """``estimate``: :func:`engine_estimate` of ``sp`` when the caller has it already."""
    ctx = ctx or _NO_CONTEXT
    if sp.dead_s is None:
        return None
    e = engine_estimate(sp) if estimate is _UNSET else estimate
    if e is None:
        return None
    est, lo, hi = e
    half = (hi - lo) / 2
    tol = MINUTES_1DP_S + half
    centre = (lo + hi) / 2
    if counted_agree("dead-time-engine", sp.dead_s - centre, tol):
        return None
    causes: list[CauseAmount] = []
    if abs(sp.dead_s - centre) > tol:  # size the causes only when they are needed
        for c in (_overcount(sp, sr, lo, hi, ctx), _pause(sp, sr, ctx)):
            if c is not None:
                causes.append(c)
    return judge(
        "dead-time-engine",
        "TAB[25]*60 - (1 - TAB[8]/100)*TAB[22]*60; agree within both fields' rounding",
        (
            _sv("stats:TAB[25]", sp.dead_s, "s", f"{sp.dead_s / 60:.1f} min", sr.name),
            _sv("stats:engine-estimate", est, "s", None, sr.name),
        ),
        sp.dead_s - centre,
        tol,
        causes=causes,
        player=sp.key,
        player_name=sp.name,
    )


def dead_le_played(
    sp: StatsPlayerReading,
    sr: StatsReading,
    ctx: RoundContext | None = None,
    *,
    estimate: Any = _UNSET,
) -> Comparison | None:
    """``estimate``: :func:`engine_estimate` of ``sp`` when the caller has it already."""
    ctx = ctx or _NO_CONTEXT
    if sp.dead_s is None or sp.played_s is None:
        return None
    excess = sp.dead_s - sp.played_s
    if counted_agree(
        "dead-le-played", max(excess, 0.0), 2 * MINUTES_1DP_S if sp.differenced else 0.0
    ):
        return None
    causes: list[CauseAmount] = []
    # no cause is sized for a dead time inside the time played
    e = (engine_estimate(sp) if estimate is _UNSET else estimate) if excess > 0 else None
    if e is not None:
        oc = _overcount(sp, sr, e[1], e[2], ctx)
        pc = _pause(sp, sr, ctx)
        extra = pc.high if pc is not None else 0.0
        if oc is not None:
            causes.append(
                cause(
                    "dead-time-overcount",
                    e[1] + oc.low - sp.played_s,
                    e[2] + extra + oc.high - sp.played_s,
                    oc.evidence,
                )
            )
    return judge(
        "dead-le-played",
        "TAB[25] <= TAB[22] (dead time inside the time on a team)",
        (
            _sv("stats:TAB[25]", sp.dead_s, "s", None, sr.name),
            _sv("stats:TAB[22]", sp.played_s, "s", None, sr.name),
        ),
        max(excess, 0.0),
        2 * MINUTES_1DP_S if sp.differenced else 0.0,
        causes=causes,
        player=sp.key,
        player_name=sp.name,
    )


def dead_ratio(sp: StatsPlayerReading, sr: StatsReading) -> Comparison | None:
    """TAB[24] vs 100 * TAB[25] / TAB[22] as written (round 2: R2 dead / R1+R2 time)."""
    if sp.raw_dead_ratio is None or sp.dead_s is None or not sp.raw_played_s:
        return None
    d, t = sp.dead_s / 60, sp.raw_played_s / 60
    expected = 100 * d / t
    # corners 100 * max(a, 0) / b over a = d -+ 0.05, b = t -+ 0.05 with b > 0, in the
    # order of the nested loops (a, then b); unrolled for the usual case t > 0.05, with
    # min()/max() written as comparisons (as in _corners: same results, no calls)
    ta = t - 0.05
    if ta > 0:
        tb = t + 0.05
        x = d - 0.05
        da = 100 * (0.0 if x < 0.0 else x)
        x = d + 0.05
        db = 100 * (0.0 if x < 0.0 else x)
        c1, c2, c3, c4 = da / ta, da / tb, db / ta, db / tb
        m = c2 if c2 < c1 else c1  # min(c1, c2, c3, c4)
        m = c3 if c3 < m else m
        lo = (c4 if c4 < m else m) - RATIO_1DP
        m = c2 if c2 > c1 else c1  # max(c1, c2, c3, c4)
        m = c3 if c3 > m else m
        hi = (c4 if c4 > m else m) + RATIO_1DP
    else:
        corners = [
            100 * max(a, 0.0) / b
            for a in (d - 0.05, d + 0.05)
            for b in (t - 0.05, t + 0.05)
            if b > 0
        ]
        lo, hi = min(corners) - RATIO_1DP, max(corners) + RATIO_1DP
    centre = (lo + hi) / 2
    if counted_agree("dead-ratio", sp.raw_dead_ratio - centre, (hi - lo) / 2):
        return None
    causes = []
    if sp.raw_played_s <= STICKY_S + MINUTES_1DP_S and needs_causes(
        sp.raw_dead_ratio - centre, (hi - lo) / 2
    ):
        causes.append(
            cause(
                "sticky-ratio",
                -100.0 - hi,
                10_000.0,
                f"team time {sp.raw_played_s:.0f} s <= 120 s: ratio not updated",
            )
        )
    return judge(
        "dead-ratio",
        "TAB[24] - 100*TAB[25]/TAB[22]; agree within the rounding of all three",
        (
            _sv("stats:TAB[24]", sp.raw_dead_ratio, "percent", None, sr.name),
            _sv("stats:100*TAB[25]/TAB[22]", expected, "percent", None, sr.name),
        ),
        sp.raw_dead_ratio - centre,
        (hi - lo) / 2,
        causes=causes,
        unit="percent",
        player=sp.key,
        player_name=sp.name,
    )


def _kd(kills: int, deaths: int) -> float:
    if deaths == 0:
        return float(kills + 1)
    return math.floor(kills / deaths * 10 + 0.5) / 10


def _kd_alternatives(kills: int, deaths: int, extra: int, expected: float) -> tuple[float, float]:
    """min and max of ``_kd(kills, deaths + j) - expected`` over ``j = 1..extra``.

    With ``deaths >= 0`` every denominator is positive and ``_kd`` is monotonic in it (a
    correctly rounded quotient of a fixed numerator, then a monotonic rounding), so the
    extremes are at ``j = 1`` and ``j = extra``: the same values as over every ``j``, without
    the ones in between (that loop was a fifth of the engine's time on mismatching lines)."""
    if deaths >= 0:
        first = _kd(kills, deaths + 1) - expected
        last = _kd(kills, deaths + extra) - expected
        return min(first, last), max(first, last)
    alts = [_kd(kills, deaths + j) - expected for j in range(1, extra + 1)]
    return min(alts), max(alts)


def kd_ratio(sp: StatsPlayerReading, sr: StatsReading) -> Comparison | None:
    if sp.raw_kd is None or sp.layout is None:
        return None
    expected = _kd(sp.raw_kills, sp.raw_deaths)
    if counted_agree("kd-ratio", sp.raw_kd - expected, RATIO_1DP):
        return None
    causes = []
    extra = (sp.self_kills or 0) + (sp.team_kills or 0)
    if extra and abs(sp.raw_kd - expected) > RATIO_1DP:
        low, high = _kd_alternatives(sp.raw_kills, sp.raw_deaths, min(extra, 50), expected)
        causes.append(
            cause(
                "deaths-outside-weapons",
                low,
                high,
                "engine deaths include deaths outside the 28 weapon buckets",
            )
        )
    return judge(
        "kd-ratio",
        "TAB[26] - kills/deaths from the weapon tuples (kills+1 when no deaths)",
        (
            _sv("stats:TAB[26]", sp.raw_kd, "ratio", None, sr.name),
            _sv("stats:weapon kills/deaths", expected, "ratio", None, sr.name),
        ),
        sp.raw_kd - expected,
        RATIO_1DP,
        causes=causes,
        unit="ratio",
        player=sp.key,
        player_name=sp.name,
    )


def revived_le_deaths(
    sp: StatsPlayerReading, sr: StatsReading, ctx: RoundContext | None = None
) -> Comparison | None:
    if sp.times_revived is None or sp.self_kills is None:
        return None
    ctx = ctx or _NO_CONTEXT
    bound = sp.weapon_deaths + sp.self_kills
    if counted_agree("revived-le-deaths", max(0, sp.times_revived - bound), 0.0):
        return None
    causes = []
    if ctx.team_kills and sp.times_revived > bound:  # else the difference is 0: agree
        causes.append(
            cause(
                "deaths-outside-weapons",
                0,
                ctx.team_kills,
                f"{ctx.team_kills} team kill(s) on this team: revivable deaths in no weapon bucket",
            )
        )
    return judge(
        "revived-le-deaths",
        "TAB[19] <= weapon deaths + TAB[5] (/kill bodies are revivable)",
        (
            _sv("stats:TAB[19]", sp.times_revived, "count", None, sr.name),
            _sv("stats:weapon_deaths+TAB[5]", bound, "count", None, sr.name),
        ),
        max(0, sp.times_revived - bound),
        0.0,
        causes=causes,
        unit="count",
        player=sp.key,
        player_name=sp.name,
    )


def player_internal(
    sp: StatsPlayerReading, sr: StatsReading, ctx: RoundContext | None = None
) -> list[Comparison]:
    out: list[Comparison] = []
    e = engine_estimate(sp) if sp.dead_s is not None else None
    for c in (
        dead_time_engine(sp, sr, ctx, estimate=e),
        dead_le_played(sp, sr, ctx, estimate=e),
        dead_ratio(sp, sr),
        kd_ratio(sp, sr),
        revived_le_deaths(sp, sr, ctx),
    ):
        if c is not None:
            out.append(c)
    return out


__all__ = [
    "RoundContext",
    "dead_le_played",
    "dead_ratio",
    "dead_time_engine",
    "engine_estimate",
    "kd_ratio",
    "player_internal",
    "revived_le_deaths",
]
