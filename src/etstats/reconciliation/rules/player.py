"""Per-player comparisons between a stats-file line and a Lua source (legacy or v1).

Every difference is ``stats - lua`` in the comparison's unit (seconds or counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from etstats.reconciliation.causes import cause
from etstats.reconciliation.model import CauseAmount, Comparison
from etstats.reconciliation.model import source_value as _sv  # positional, value made a float
from etstats.reconciliation.readings import (
    CLOSED_DISCONNECT,
    CLOSED_ROUND_END,
    LuaPlayerReading,
    LuaReading,
    StatsPlayerReading,
    StatsReading,
)
from etstats.reconciliation.rules.judge import counted_agree, judge, needs_causes
from etstats.reconciliation.tolerance import (
    FLOOR_S,
    FRAME_S,
    LEGACY_POLL_S,
    MINUTES_1DP_S,
    SNAPSHOT_S,
    max_dead_interval_s,
    overcount_range,
    overcount_total_high,
    overcount_total_low,
    overcount_total_range,
)


def _wall_s(lua: LuaReading) -> float:
    return float(lua.end_unix - lua.start_unix)


def _legacy_tail(sp: StatsPlayerReading, lp: LuaPlayerReading, lua: LuaReading) -> float:
    """Legacy Lua: longest possible tail of an open death after the player left the teams
    (round play time minus the stats file's time on a team), 0 if he stayed."""
    if sp.played_s is None or sp.differenced:
        return 0.0
    missing = lua.play_s - sp.played_s
    return missing if missing > MINUTES_1DP_S else 0.0


def dead_time(
    sp: StatsPlayerReading, sr: StatsReading, lp: LuaPlayerReading, lua: LuaReading
) -> Comparison | None:
    """Lua dead time vs TAB[25] (both per round)."""
    if sp.dead_s is None:
        return None
    v1 = lua.kind == "gametimes"
    detail = lp.deaths_detail or ()
    tol = MINUTES_1DP_S + (
        FRAME_S * max(lp.deaths, 1) if v1 else FLOOR_S + LEGACY_POLL_S * lp.deaths
    )
    mechanics = 0.0
    causes: list[CauseAmount] = []
    if not v1 and lua.clock_mixing:
        # the Lua value is unusable: it is the only explanation offered
        mixing = cause(
            "legacy-clock-mixing",
            -lp.dead_s,
            max(sp.dead_s, _wall_s(lua)),
            f"slomix Lua v{'.'.join(map(str, lua.version or ()))} stamps deaths "
            "and spawns with different clocks",
        )
        return judge(
            "dead-time",
            "TAB[25]*60 - Lua dead time (Lua value unusable: clock mixing)",
            (
                _sv("stats:TAB[25]", sp.dead_s, "s", f"{sp.dead_s / 60:.1f} min", sr.name),
                _sv("lua-legacy:dead_seconds", lp.dead_s, "s", None, lua.name),
            ),
            sp.dead_s - lp.dead_s,
            tol,
            causes=(mixing,),
            player=sp.key,
            player_name=sp.name,
        )
    sources = (
        _sv("stats:TAB[25]", sp.dead_s, "s", f"{sp.dead_s / 60:.1f} min", sr.name),
        _sv("lua-v1:dead_ms" if v1 else "lua-legacy:dead_seconds", lp.dead_s, "s", None, lua.name),
    )
    rule = (
        "TAB[25]*60 - Lua dead time; agree within TAB[25] rounding (+-3 s) and the Lua "
        "clock resolution"
    )
    diff = sp.dead_s - lp.dead_s
    if v1:
        if lp.connected_at_end is False:
            mechanics += SNAPSHOT_S
        for _, _, closed_by, _, _ in detail:  # (dead_s, paused_s, closed_by, kind, killer)
            if closed_by == CLOSED_ROUND_END:
                mechanics += FRAME_S
                break
    if abs(diff) <= tol + mechanics:  # no cause needed: skip sizing them
        return judge(
            "dead-time",
            rule,
            sources,
            diff,
            tol,
            mechanics=mechanics,
            player=sp.key,
            player_name=sp.name,
        )
    limbo = lua.limbo_for(sp.team if sp.team in (1, 2) else lp.team)  # only causes use it
    if sr.overcount_version:
        if v1:
            intervals = tuple(
                [
                    dead + paused
                    for dead, paused, closed_by, _, _ in detail
                    if closed_by != CLOSED_DISCONNECT
                ]
            )
            lo, hi = overcount_total_range(intervals, 0.0, 0, 0.0)
        else:
            cap = max(lp.max_respawn_s or 0.0, max_dead_interval_s(limbo)) + lua.pause_s
            tail = _legacy_tail(sp, lp, lua)
            lo = overcount_total_low(max(0.0, lp.dead_s - tail - lua.pause_s), lp.deaths)
            hi = overcount_total_high(lp.dead_s, lp.deaths, cap)
        if hi > 0:
            causes.append(
                cause(
                    "dead-time-overcount",
                    lo,
                    hi,
                    f"8-field header (c0rnp0rn 3/7) and {lp.deaths} deaths",
                )
            )
    if v1:
        if sr.overcount_version:
            paused = sum([p for _, p, closed_by, _, _ in detail if closed_by != CLOSED_DISCONNECT])
        else:
            paused = sum(
                [
                    p
                    for _, p, closed_by, kind, _ in detail
                    if kind != "enemy" and closed_by != CLOSED_DISCONNECT
                ]
            )
        if paused > 0:
            causes.append(
                cause(
                    "pause-overlap",
                    paused - FRAME_S,
                    paused + FRAME_S,
                    f"{paused:.1f} s of pause inside dead intervals, excluded by Lua only",
                )
            )
        for dead, paused_s, closed_by, _, _ in detail:
            if closed_by == CLOSED_DISCONNECT:
                full = dead + paused_s
                causes.append(
                    cause(
                        "disconnect-while-dead",
                        -dead - SNAPSHOT_S,
                        full + overcount_range(full)[1] - dead,
                        "death closed by a disconnect",
                    )
                )
        if lp.team_changes:
            span = lp.team_changes * max_dead_interval_s(limbo)
            causes.append(cause("team-switch", -span, span, f"{lp.team_changes} team change(s)"))
    else:
        if sr.header_fields >= 9 and lua.pause_s > 0:
            causes.append(
                cause(
                    "pause-overlap",
                    -lua.pause_s,
                    0.0,
                    f"{lua.pause_s:.0f} s paused: counted by the legacy Lua only",
                )
            )
        missing = _legacy_tail(sp, lp, lua)
        if missing > 0:
            code = "spectator-while-dead" if sp.team == 3 else "disconnect-while-dead"
            causes.append(
                cause(
                    code,
                    -(missing + lua.pause_s + MINUTES_1DP_S),
                    0.0,
                    f"on a team {sp.played_s or 0:.0f} s of {lua.play_s:.0f} s; "
                    "legacy Lua tails an open death to round end",
                )
            )
    return judge(
        "dead-time",
        rule,
        sources,
        diff,
        tol,
        mechanics=mechanics,
        causes=causes,
        player=sp.key,
        player_name=sp.name,
    )


def denied_time(
    sp: StatsPlayerReading,
    sr: StatsReading,
    lp: LuaPlayerReading,
    lua: LuaReading,
    victims: Sequence[Sequence[Any]],
) -> Comparison | None:
    """Lua v1 denied time (sum of enemy victims' intervals) vs TAB[28].

    ``victims``: each enemy kill by this player, starting (dead_s, paused_s, closed_by): a
    death record (from ``enemy_intervals_by_killer``) or a 3-tuple.
    """
    if sp.denied_s is None or lp.denied_s is None or lua.kind != "gametimes":
        return None
    tol = FLOOR_S + FRAME_S * max(len(victims), 1)
    disc = [v for v in victims if v[2] == CLOSED_DISCONNECT]
    mechanics = SNAPSHOT_S if disc else 0.0
    diff = sp.denied_s - lp.denied_s
    if counted_agree("denied-time", diff, tol):
        return None
    causes: list[CauseAmount] = []
    if sr.overcount_version and needs_causes(diff, tol, mechanics):
        paused = sum([v[1] for v in victims])
        if paused > 0:
            causes.append(
                cause(
                    "pause-overlap",
                    paused - FRAME_S,
                    paused + FRAME_S,
                    "victims' pause time: c0rnp0rn 3/7 never detected pauses",
                )
            )
    return judge(
        "denied-time",
        "TAB[28] - Lua denied time; agree within the floor to whole seconds",
        (
            _sv("stats:TAB[28]", sp.denied_s, "s", None, sr.name),
            _sv("lua-v1:denied_ms", lp.denied_s, "s", None, lua.name),
        ),
        diff,
        tol,
        mechanics=mechanics,
        causes=causes,
        player=sp.key,
        player_name=sp.name,
    )


def time_played(
    sp: StatsPlayerReading, sr: StatsReading, lp: LuaPlayerReading, lua: LuaReading
) -> Comparison | None:
    """Lua v1 time on a team vs TAB[22] (round 2: differenced)."""
    if sp.played_s is None or lp.played_s is None:
        return None
    tol = MINUTES_1DP_S * (2 if sp.differenced else 1) + FRAME_S
    causes: list[CauseAmount] = []
    mechanics = SNAPSHOT_S if lp.connected_at_end is False else 0.0
    diff = sp.played_s - lp.played_s
    if counted_agree("time-played", diff, tol):
        return None
    if sp.differenced and needs_causes(diff, tol, mechanics):
        causes.append(
            cause(
                "differential-rounding",
                -2 * MINUTES_1DP_S,
                2 * MINUTES_1DP_S,
                "round-2 minutes are the difference of two rounded totals",
            )
        )
    return judge(
        "time-played",
        "TAB[22]*60 - Lua time on Axis+Allies; agree within the 0.1-minute rounding",
        (
            _sv("stats:TAB[22]", sp.played_s, "s", f"{sp.played_s / 60:.1f} min", sr.name),
            _sv("lua-v1:time_axis_ms+time_allies_ms", lp.played_s, "s", None, lua.name),
        ),
        diff,
        tol,
        mechanics=mechanics,
        causes=causes,
        player=sp.key,
        player_name=sp.name,
    )


def deaths(
    sp: StatsPlayerReading,
    sr: StatsReading,
    lp: LuaPlayerReading,
    lua: LuaReading,
    team_kill_deaths_bound: int,
) -> Comparison | None:
    """Lua deaths vs weapon deaths + TAB[5] self kills.

    ``team_kill_deaths_bound``: for legacy Lua, the team kills made by the player's team in
    the stats file (an upper bound of his deaths to team mates, which no weapon bucket counts).
    """
    if sp.self_kills is None:
        return None
    stats_deaths = sp.weapon_deaths + sp.self_kills
    diff = stats_deaths - lp.deaths
    if counted_agree("deaths", diff, 0.0):
        return None
    causes: list[CauseAmount] = []
    mechanics = 0.0
    if not needs_causes(diff, 0.0, mechanics):
        pass  # equal counts: no cause is looked at
    elif lua.kind == "gametimes":
        team_deaths = len([1 for _, _, _, kind, _ in lp.deaths_detail or () if kind == "team"])
        if team_deaths:
            causes.append(
                cause(
                    "deaths-outside-weapons",
                    -team_deaths,
                    -team_deaths,
                    f"{team_deaths} death(s) to team mates",
                )
            )
        if lp.connected_at_end is False:
            causes.append(cause("stale-snapshot", -1, 0, "disconnected: line up to 5 s old"))
    else:
        if team_kill_deaths_bound:
            causes.append(
                cause(
                    "deaths-outside-weapons",
                    -team_kill_deaths_bound,
                    0,
                    f"{team_kill_deaths_bound} team kill(s) on this team",
                )
            )
        if sp.team == 3 or (lp.team in (1, 2) and sp.team in (1, 2) and lp.team != sp.team):
            causes.append(cause("team-switch", -1, 0, "legacy Lua counts the switch self-kill"))
    return judge(
        "deaths",
        "weapon deaths + TAB[5] - Lua deaths; counts must be equal",
        (
            _sv("stats:weapon_deaths+TAB[5]", stats_deaths, "count", None, sr.name),
            _sv(
                "lua-v1:deaths" if lua.kind == "gametimes" else "lua-legacy:deaths",
                lp.deaths,
                "count",
                None,
                lua.name,
            ),
        ),
        diff,
        0.0,
        mechanics=mechanics,
        causes=causes,
        unit="count",
        player=sp.key,
        player_name=sp.name,
    )


def revives(
    sp: StatsPlayerReading, sr: StatsReading, lp: LuaPlayerReading, lua: LuaReading
) -> Comparison | None:
    """Lua v1 revives received vs TAB[19] times revived."""
    if sp.times_revived is None or lp.revives is None:
        return None
    diff = sp.times_revived - lp.revives
    if counted_agree("revives", diff, 0.0):
        return None
    causes = []
    if lp.connected_at_end is False and needs_causes(diff, 0.0):
        causes.append(cause("stale-snapshot", -1, 0, "disconnected: line up to 5 s old"))
    return judge(
        "revives",
        "TAB[19] - Lua revives received; counts must be equal",
        (
            _sv("stats:TAB[19]", sp.times_revived, "count", None, sr.name),
            _sv("lua-v1:revives", lp.revives, "count", None, lua.name),
        ),
        diff,
        0.0,
        causes=causes,
        unit="count",
        player=sp.key,
        player_name=sp.name,
    )


def lua_dead_le_played(lp: LuaPlayerReading, lua: LuaReading) -> Comparison | None:
    """v1 internal: dead time cannot exceed time on a team."""
    key = lp.key
    if lp.played_s is None or key is None:
        return None
    excess = lp.dead_s - lp.played_s
    excess = excess if excess > 0.0 else 0.0  # max(0.0, excess), without the call
    if counted_agree("lua-dead-le-played", excess, FRAME_S * max(lp.deaths, 1)):
        return None
    return judge(
        "lua-dead-le-played",
        "Lua dead time <= Lua time on a team",
        (
            _sv("lua-v1:dead_ms", lp.dead_s, "s", None, lua.name),
            _sv("lua-v1:time_on_team", lp.played_s, "s", None, lua.name),
        ),
        excess,
        FRAME_S * max(lp.deaths, 1),
        player=key,
        player_name=lp.name,
    )


__all__ = ["dead_time", "deaths", "denied_time", "lua_dead_le_played", "revives", "time_played"]
