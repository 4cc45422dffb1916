"""The catalogue of named causes a disagreement can be explained by.

Each cause has a stable code, a one-line description and the rule that sizes it (the amount a
rule may attribute to it). A comparison is ``explained`` only when the sum of its causes'
ranges, widened by the sources' resolution, contains the observed difference.
"""

from __future__ import annotations

from attrs import frozen

from etstats.reconciliation.model import CauseAmount
from etstats.reconciliation.model import build_cause_amount as cause_amount


@frozen
class CauseInfo:
    code: str
    title: str
    magnitude: str
    """How the amount is sized (documentation text)."""


_CATALOGUE: tuple[CauseInfo, ...] = (
    CauseInfo(
        "rounding",
        "Resolution of the written values",
        "+-3 s per one-decimal minutes value, +-1 s per floored/M:SS value, "
        "+-0.05 per one-decimal percent or ratio",
    ),
    CauseInfo(
        "pause-overlap",
        "Pause time counted by one source only",
        "exact per death from gametimes v1 (Death.paused_ms); otherwise at most the "
        "round's pause total",
    ),
    CauseInfo(
        "round-end-tail",
        "Open death at round end closed at different instants",
        "one server frame per open death plus, for c0rnp0rn 3/7, the intermission snapshot",
    ),
    CauseInfo(
        "disconnect-while-dead",
        "Player left while dead",
        "the open interval (v1) or up to the time the player was not on a team "
        "(legacy: round duration minus played time), plus a 5 s stale snapshot",
    ),
    CauseInfo(
        "spectator-while-dead",
        "Player went to spectator while dead",
        "legacy Lua tails the open death to round end: up to round duration minus the "
        "player's team time",
    ),
    CauseInfo(
        "team-switch",
        "Team switch during the round",
        "legacy Lua counts the MOD_SWITCHTEAM self-kill as a death; c0rnp0rn resets the "
        "open death: one death and one wave period per team change",
    ),
    CauseInfo(
        "late-join",
        "Player joined after the round started",
        "time played lower than the round duration by the join time; bounds only",
    ),
    CauseInfo(
        "dead-time-overcount",
        "c0rnp0rn 3/7 snapshot overcount of TAB[25]/TAB[24]",
        "per dead interval d the sum of the 5 s snapshot offsets inside d (about "
        "d(d-5)/10 s); from v1 intervals exactly, else bounded by the death count and the "
        "longest possible interval (two respawn waves)",
    ),
    CauseInfo(
        "round2-clock-garbage",
        "Round-2 header clock unusable",
        "f8 = 0:00 or f8 > f7 in a round-2 file: the clock carries no duration",
    ),
    CauseInfo(
        "surrender-clock",
        "Surrender shows the full limit in the stopwatch clock",
        "f8 = f7 when the attackers surrendered: f8 overstates by f7 minus the played time",
    ),
    CauseInfo(
        "legacy-clock-mixing",
        "slomix Lua v1.6.0-1.6.2 mixed two clocks",
        "spawn/death intervals meaningless: the Lua value may be anything from 0 to the "
        "round duration per death",
    ),
    CauseInfo(
        "legacy-end-reason-heuristic",
        "slomix Lua end reason is a 90 % heuristic",
        "an objective completed in the last 10 % of the limit reads time_expired; a "
        "stale surrender vote reads surrender",
    ),
    CauseInfo(
        "legacy-pause-undetected",
        "slomix Lua before v1.6.3 never detected pauses",
        "durations and dead times include the pauses (unknown size, bounded by the wall "
        "clock minus the game clock)",
    ),
    CauseInfo(
        "guid-prefix-collision",
        "Two players share an 8-character GUID prefix",
        "the stats file cannot tell them apart: no per-player comparison",
    ),
    CauseInfo(
        "no-weapon-activity",
        "Stats file omits players with weapon mask 0",
        "a player who never fired, hit, killed or died to a weapon has no line",
    ),
    CauseInfo(
        "stale-snapshot",
        "c0rnp0rn line of a disconnected player is up to 5 s old",
        "5 s of time and the events in it",
    ),
    CauseInfo(
        "deaths-outside-weapons",
        "Deaths not in the 28 weapon buckets",
        "team-kill and world deaths: up to the Lua count of such deaths",
    ),
    CauseInfo(
        "differential-rounding",
        "Round-2 values obtained by subtracting rounded totals",
        "twice the resolution of the subtracted field",
    ),
    CauseInfo(
        "sticky-ratio",
        "Ratio field not updated below 120 s of team time",
        "TAB[24]/TAB[23] keep an older value: any amount when team time < 2 min",
    ),
)

CAUSES: dict[str, CauseInfo] = {c.code: c for c in _CATALOGUE}
"""Every cause code, in documentation order."""


def cause(code: str, low: float, high: float, evidence: str) -> CauseAmount:
    """A :class:`CauseAmount` for a catalogued code (signed range, low <= high)."""
    if code not in CAUSES:
        raise KeyError(f"unknown cause code {code!r}")
    if low > high:
        low, high = high, low
    # float(x) is x for a float: the call only for an int bound
    return cause_amount(
        code,
        low if low.__class__ is float else float(low),
        high if high.__class__ is float else float(high),
        evidence,
    )


__all__ = ["CAUSES", "CauseInfo", "cause"]
