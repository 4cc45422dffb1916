"""Round-level comparisons: duration, end reason, winner/defender, pauses, stats clock.

Differences are ``stats - lua`` in seconds unless stated.
"""

from __future__ import annotations

from etstats.reconciliation.causes import cause
from etstats.reconciliation.model import CauseAmount, Comparison
from etstats.reconciliation.model import source_value as _sv  # positional, value made a float
from etstats.reconciliation.readings import LuaReading, StatsReading
from etstats.reconciliation.rules.judge import judge
from etstats.reconciliation.tolerance import FLOOR_S, FRAME_S, MSS_S


def _mss(seconds: int | None) -> str | None:
    return None if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"


def r2_clock_garbage(sr: StatsReading) -> bool:
    """Round-2 f8 unusable: ``0:00`` or above f7 (the script's fallback, spec 3.4)."""
    return (
        sr.round == 2
        and sr.clock_s is not None
        and (sr.clock_s == 0 or (sr.limit_s is not None and sr.clock_s > sr.limit_s))
    )


def attackers_surrendered(lua: LuaReading) -> bool:
    return (
        lua.end_reason == "surrender"
        and lua.defender in (1, 2)
        and lua.surrender_team not in (None, 0)
        and lua.surrender_team != lua.defender
    )


def stats_clock(sr: StatsReading) -> Comparison | None:
    """Internal: f8 vs f7 must match the outcome (defenders won => f8 = f7, else f8 < f7)."""
    if sr.clock_s is None or sr.limit_s is None or sr.winner not in (1, 2):
        return None
    causes: list[CauseAmount] = []
    if sr.winner == sr.defender:
        diff = float(sr.clock_s - sr.limit_s)
        rule = "defenders won: f8 = f7"
    else:
        diff = float(max(0, sr.clock_s - sr.limit_s + 1))
        rule = "attackers won: f8 < f7"
    if r2_clock_garbage(sr):
        causes.append(
            cause(
                "round2-clock-garbage",
                -float(sr.limit_s),
                float(sr.clock_s),
                f"round 2 with f8 {_mss(sr.clock_s)} and f7 {_mss(sr.limit_s)}",
            )
        )
    return judge(
        "stats-clock",
        rule,
        (
            _sv("stats:f8", sr.clock_s, "s", _mss(sr.clock_s), sr.name),
            _sv("stats:f7", sr.limit_s, "s", _mss(sr.limit_s), sr.name),
        ),
        diff,
        0.0,
        causes=causes,
    )


def duration(sr: StatsReading, lua: LuaReading) -> list[Comparison]:
    """Lua game clock vs header f8 (and f9 when written)."""
    out: list[Comparison] = []
    v1 = lua.kind == "gametimes"
    src = "lua-v1:play_ms" if v1 else "lua-legacy:actual_duration_seconds"
    lua_tol = FRAME_S if v1 else 2 * FLOOR_S
    if sr.clock_s is not None:
        causes: list[CauseAmount] = []
        diff = sr.clock_s - lua.play_s
        if r2_clock_garbage(sr):
            causes.append(
                cause(
                    "round2-clock-garbage",
                    -lua.play_s,
                    float(sr.clock_s),
                    f"round-2 f8 {_mss(sr.clock_s)} is not a clock",
                )
            )
        full_limit = (
            sr.winner == sr.defender and sr.limit_s is not None and sr.clock_s == sr.limit_s
        )
        surrendered = attackers_surrendered(lua) or (not v1 and lua.end_reason == "surrender")
        if full_limit and surrendered and sr.limit_s is not None:
            causes.append(
                cause(
                    "surrender-clock",
                    0.0,
                    sr.limit_s - lua.play_s + MSS_S,
                    "attackers surrendered: f8 shows the full limit",
                )
            )
        if not v1 and lua.pause_count and not lua.pause_s:
            causes.append(
                cause(
                    "legacy-pause-undetected",
                    -float(lua.end_unix - lua.start_unix - lua.play_s),
                    0.0,
                    "pauses counted but no pause time measured",
                )
            )
        elif not v1 and lua.version is not None and lua.version < (1, 6, 3):
            causes.append(
                cause(
                    "legacy-pause-undetected",
                    -lua.play_s,
                    0.0,
                    f"slomix Lua v{'.'.join(map(str, lua.version))} never detected "
                    "a pause: its play time includes them",
                )
            )
        out.append(
            judge(
                "round-duration",
                "f8 (stopwatch clock, truncated to s) - Lua play time",
                (
                    _sv("stats:f8", sr.clock_s, "s", _mss(sr.clock_s), sr.name),
                    _sv(src, lua.play_s, "s", None, lua.name),
                ),
                diff,
                MSS_S + lua_tol,
                causes=causes,
            )
        )
    if sr.playtime_ms is not None and sr.playtime_ms > 0:
        causes = []
        if lua.pause_s > 0:
            causes.append(
                cause(
                    "pause-overlap",
                    0.0,
                    lua.pause_s + FLOOR_S,
                    "c0rnp0rn8 before the 2026-08 fix never subtracted pauses",
                )
            )
        out.append(
            judge(
                "round-playtime",
                "f9 (ms of wall time minus pauses) - Lua play time",
                (
                    _sv("stats:f9", sr.playtime_ms / 1000, "s", str(sr.playtime_ms), sr.name),
                    _sv(src, lua.play_s, "s", None, lua.name),
                ),
                sr.playtime_ms / 1000 - lua.play_s,
                FLOOR_S + lua_tol + FRAME_S,
                causes=causes,
            )
        )
    return out


def outcome(sr: StatsReading, lua: LuaReading) -> list[Comparison]:
    """Winner/defender equality and the end reason's consistency with the header."""
    out: list[Comparison] = []
    for check, s_val, l_val in (
        ("winner", sr.winner, lua.winner),
        ("defender", sr.defender, lua.defender),
    ):
        if l_val is None or l_val == 0:
            continue
        out.append(
            judge(
                check,
                f"header {check} = Lua {check}",
                (
                    _sv(
                        f"stats:{'f6' if check == 'winner' else 'f5'}", s_val, "team", None, sr.name
                    ),
                    _sv(f"lua:{check}", l_val, "team", None, lua.name),
                ),
                0.0 if s_val == l_val else 1.0,
                0.0,
                unit="mismatch",
            )
        )
    reason = lua.end_reason
    if reason is None or sr.winner not in (1, 2):
        return out
    defenders_won = sr.winner == sr.defender
    expect: bool | None
    if reason in ("objective",):
        expect = not defenders_won
    elif reason == "time_expired":
        expect = defenders_won
    elif reason == "surrender":
        expect = sr.winner != lua.surrender_team if lua.surrender_team in (1, 2) else None
    else:
        expect = None
    if expect is None:
        return out
    causes: list[CauseAmount] = []
    if lua.kind != "gametimes" and lua.limit_s:
        if reason == "time_expired" and lua.play_s >= 0.9 * lua.limit_s:
            causes.append(
                cause(
                    "legacy-end-reason-heuristic",
                    1.0,
                    1.0,
                    "play time >= 90 % of the limit reads time_expired",
                )
            )
        if reason == "surrender":
            causes.append(
                cause(
                    "legacy-end-reason-heuristic",
                    1.0,
                    1.0,
                    "a stale surrender vote reads surrender",
                )
            )
    out.append(
        judge(
            "end-reason",
            f"Lua end reason {reason!r} must match winner vs defender",
            (
                _sv("stats:f6=f5", 1.0 if defenders_won else 0.0, "bool", None, sr.name),
                _sv(f"lua:end_reason={reason}", None, "text", None, lua.name),
            ),
            0.0 if expect else 1.0,
            0.0,
            causes=causes,
            unit="mismatch",
        )
    )
    return out


def pauses(lua: LuaReading) -> Comparison | None:
    """Lua internal: pause total = sum of the pause events."""
    if lua.pause_events_s is None:
        return None
    total = sum(lua.pause_events_s)
    tol = (
        FRAME_S * len(lua.pause_events_s)
        if lua.kind == "gametimes"
        else FLOOR_S * max(len(lua.pause_events_s), 1)
    )
    return judge(
        "pause-total",
        "Lua pause total - sum of its pause events",
        (
            _sv("lua:pause_total", lua.pause_s, "s", None, lua.name),
            _sv("lua:sum(pauses)", total, "s", None, lua.name),
        ),
        lua.pause_s - total,
        tol,
    )


__all__ = [
    "attackers_surrendered",
    "duration",
    "outcome",
    "pauses",
    "r2_clock_garbage",
    "stats_clock",
]
