"""Tolerances derived from the sources' resolution and the game's mechanics (no magic numbers).

Every constant below is a property of a producer or of the engine, with its source:

* ``MINUTES_1DP_S``: TAB[22]/TAB[25] are minutes written with one decimal, rounded half up:
  the true value is within +-0.05 min = +-3 s of the written one.
* ``FLOOR_S``: values floored to whole seconds (TAB[28], legacy ``dead_seconds``, ``os.time()``)
  are up to 1 s below the true value.
* ``MSS_S``: ``M:SS`` header times are truncated to whole seconds (up to 1 s below).
* ``FRAME_S``: one server frame (``sv_fps`` 20 = 50 ms): two clocks sampled on different frames
  differ by up to one frame per interval.
* ``LEGACY_POLL_S``: slomix's Lua polls ``pers.lastSpawnTime`` every 500 ms of level time, so
  each closed interval can be up to 0.5 s long.
* ``SNAPSHOT_S``: c0rnp0rn snapshots every player every 5 s; a disconnected player's line is up to
  5 s stale, and the dead-time overcount adds one partial interval per snapshot.
* ``FILE_LAG_S``: the stats file is written 3,000 ms of level time after intermission begins.
* ``DEFAULT_LIMBO_S``: ET's default ``g_redlimbotime``/``g_bluelimbotime`` (30,000 ms), used only
  when no Lua source states the round's values (configurable).
"""

from __future__ import annotations

import math

MINUTES_1DP_S = 3.0
PERCENT_1DP = 0.05
RATIO_1DP = 0.05
FLOOR_S = 1.0
MSS_S = 1.0
FRAME_S = 0.05
LEGACY_POLL_S = 0.5
SNAPSHOT_S = 5.0
FILE_LAG_S = 3.0
DEFAULT_LIMBO_S = 30.0

LINK_SLACK_S = FLOOR_S + FLOOR_S
"""Lag tolerance when linking a stats file to a Lua end time: the file-name time and
``os.time()`` are each truncated to whole seconds, so the 3 s lag is observed as 2..4 s; one
more second on each side covers the Lua's detection frame and a slow write."""

OFFSET_QUANTUM_S = 900
"""UTC offsets are whole quarter hours."""


def link_window(lag_s: float = FILE_LAG_S) -> tuple[float, float]:
    """Accepted (stats time - Lua end - offset) interval in seconds."""
    return (lag_s - LINK_SLACK_S, lag_s + LINK_SLACK_S)


def overcount_range(dead_interval_s: float) -> tuple[float, float]:
    """Extra seconds the c0rnp0rn3/7 snapshot bug adds to one dead interval of this length.

    Every 5-s snapshot taken while the player is dead adds the whole time since the death again
    (the respawn then adds the interval once, which is the true value). With the first snapshot
    ``phi`` seconds after the death (``0 < phi <= 5``, unknown), the snapshots fall at ``phi +
    5k < d`` and add ``m*phi + 5*m*(m-1)/2`` for their count ``m``. The result is the exact
    range over all phases: roughly ``d * (d - 5) / 10`` seconds, quadratic in the interval.
    """
    d = dead_interval_s
    if d <= 0:
        return (0.0, 0.0)
    q = math.floor(d / SNAPSHOT_S)
    r = d - q * SNAPSHOT_S
    tri_q = SNAPSHOT_S * q * (q - 1) / 2
    # phases phi >= r give q snapshots (q*r + tri_q .. 5q + tri_q); phases phi < r give
    # m = q + 1 (tri_m .. m*r + tri_m, tri_m = tri_q + 5q): the first low and, when r > 0,
    # the second high are the extremes (q*r < 5q since r < 5)
    if r > 0:
        m = q + 1
        return (q * r + tri_q, m * r + SNAPSHOT_S * m * (m - 1) / 2)
    return (q * r + tri_q, SNAPSHOT_S * q + tri_q)


def overcount_total_range(
    intervals_s: tuple[float, ...] | None,
    total_s: float,
    deaths: int,
    max_interval_s: float,
) -> tuple[float, float]:
    """Range of the total overcount for a player.

    With the individual intervals known (gametimes v1), it is the sum of the per-interval
    ranges. Otherwise only the total dead time, the number of deaths and the longest possible
    interval are known: the overcount is convex in the interval length, so it is smallest when
    the dead time is spread evenly over the deaths and largest when packed into as many
    maximal intervals as possible.
    """
    if intervals_s is not None:
        lo = hi = 0.0
        floor = math.floor
        for d in intervals_s:  # overcount_range(d), inlined (one call per death otherwise)
            if d <= 0:
                continue
            q = floor(d / SNAPSHOT_S)
            r = d - q * SNAPSHOT_S
            tri_q = SNAPSHOT_S * q * (q - 1) / 2
            lo += q * r + tri_q
            if r > 0:
                m = q + 1
                hi += m * r + SNAPSHOT_S * m * (m - 1) / 2
            else:
                hi += SNAPSHOT_S * q + tri_q
        return (lo, hi)
    if total_s <= 0:
        return (0.0, 0.0)
    return (
        overcount_total_low(total_s, deaths),
        overcount_total_high(total_s, deaths, max_interval_s),
    )


def overcount_total_low(total_s: float, deaths: int) -> float:
    """Low end of :func:`overcount_total_range` without intervals (dead time spread evenly)."""
    if total_s <= 0:
        return 0.0
    n = max(deaths, 1)
    return n * overcount_range(total_s / n)[0]


def overcount_total_high(total_s: float, deaths: int, max_interval_s: float) -> float:
    """High end of :func:`overcount_total_range` without intervals (packed into intervals of
    ``max_interval_s`` seconds)."""
    if total_s <= 0:
        return 0.0
    n = max(deaths, 1)
    cap = max(max_interval_s, total_s / n)
    full = math.floor(total_s / cap)
    rest = total_s - full * cap
    return full * overcount_range(cap)[1] + overcount_range(rest)[1]


def max_dead_interval_s(limbo_s: float | None) -> float:
    """Longest ordinary dead interval: waiting up to one full wave for a revive, then limbo
    until the next wave (two wave periods)."""
    return 2.0 * (limbo_s if limbo_s else DEFAULT_LIMBO_S)


def minutes_interval(value_min: float) -> tuple[float, float]:
    """True-value interval in seconds of a one-decimal minutes field."""
    return (max(0.0, value_min * 60 - MINUTES_1DP_S), value_min * 60 + MINUTES_1DP_S)


def engine_dead_estimate(alive_percent: float, played_min: float) -> tuple[float, float, float]:
    """Dead seconds implied by TAB[8] and TAB[22]: (estimate, low, high).

    ``(1 - TAB[8]/100) * TAB[22]`` with TAB[8] known to +-0.05 % and TAB[22] to +-0.05 min.
    """
    est = (1 - alive_percent / 100.0) * played_min * 60
    corners = []
    for p in (alive_percent - PERCENT_1DP, alive_percent + PERCENT_1DP):
        for t in (played_min - 0.05, played_min + 0.05):
            corners.append((1 - min(max(p, 0.0), 100.0) / 100.0) * max(t, 0.0) * 60)
    return (est, min(corners), max(corners))


__all__ = [
    "DEFAULT_LIMBO_S",
    "FILE_LAG_S",
    "FLOOR_S",
    "FRAME_S",
    "LEGACY_POLL_S",
    "LINK_SLACK_S",
    "MINUTES_1DP_S",
    "MSS_S",
    "OFFSET_QUANTUM_S",
    "PERCENT_1DP",
    "RATIO_1DP",
    "SNAPSHOT_S",
    "engine_dead_estimate",
    "link_window",
    "max_dead_interval_s",
    "minutes_interval",
    "overcount_range",
    "overcount_total_high",
    "overcount_total_low",
    "overcount_total_range",
]
