"""Hypothesis strategies for the gametimes v1 model (public, for other bots' tests too).

Every strategy builds a *valid* :class:`~etstats.model.gametimes.Gametimes`: serialising it with
:func:`etstats.serde.to_json` and parsing the text with
:func:`etstats.parsing.gametimes.parse_gametimes_bytes` gives an equal model. Derived totals
are consistent (``dead_ms`` is the sum of the deaths' ``dead_ms``, ``pause_total_ms`` the sum
of the pauses), so the strategies also suit consumers that check those invariants.
"""

from __future__ import annotations

from hypothesis import strategies as st

from etstats.model.gametimes import (
    SCHEMA_VERSION,
    ClosedBy,
    Death,
    Emit,
    End,
    EndReason,
    Gametimes,
    KillKind,
    Limbo,
    Pause,
    Player,
    Producer,
    Server,
)

_CHARS = st.characters(exclude_categories=["Cs"])
texts = st.text(_CHARS, max_size=24)
"""Any text JSON can carry (no lone surrogates)."""
guids = st.integers(0, 2**128 - 1).map("{:032X}".format)
"""Full upper-case 32-hex GUIDs (one draw, not 32: the size budget)."""
ms = st.integers(min_value=0, max_value=10**9)
"""Non-negative millisecond values."""
unix = st.integers(min_value=0, max_value=4_102_444_800)
"""UTC epoch seconds up to 2100."""
counts = st.integers(min_value=0, max_value=1000)
teams = st.integers(min_value=0, max_value=3)


@st.composite
def pauses(draw: st.DrawFn) -> Pause:
    """One pause with ``duration_ms == end - start``."""
    start = draw(ms)
    duration = draw(st.integers(min_value=0, max_value=600_000))
    start_unix = draw(unix)
    return Pause(
        start_level_ms=start,
        end_level_ms=start + duration,
        duration_ms=duration,
        start_unix=start_unix,
        end_unix=start_unix + duration // 1000,
    )


@st.composite
def deaths(draw: st.DrawFn) -> Death:
    """One closed dead interval with ``dead_ms + paused_ms == end - at``."""
    at = draw(ms)
    dead = draw(st.integers(min_value=0, max_value=120_000))
    paused = draw(st.integers(min_value=0, max_value=60_000))
    kind = draw(st.sampled_from(KillKind))
    world = kind is KillKind.WORLD
    return Death(
        at_level_ms=at,
        end_level_ms=at + dead + paused,
        killer_guid=None if world else draw(st.none() | guids),
        killer_slot=draw(st.sampled_from((1022, 1023))) if world else draw(st.integers(0, 63)),
        kind=kind,
        mod=draw(st.integers(min_value=0, max_value=80)),
        dead_ms=dead,
        paused_ms=paused,
        closed_by=draw(st.sampled_from(ClosedBy)),
    )


@st.composite
def players(draw: st.DrawFn) -> Player:
    """One player whose counters agree with the death details."""
    detail = tuple(draw(st.lists(deaths(), max_size=4)))
    return Player(
        guid=draw(st.none() | guids),
        slot=draw(st.integers(min_value=0, max_value=63)),
        name=draw(texts),
        team=draw(teams),
        connected_at_end=draw(st.booleans()),
        spawns=draw(counts),
        revives=draw(counts),
        deaths=len(detail),
        kills=draw(counts),
        team_kills=draw(counts),
        self_kills=sum(1 for d in detail if d.kind is KillKind.SELF),
        dead_ms=sum(d.dead_ms for d in detail),
        denied_ms=draw(ms),
        time_axis_ms=draw(ms),
        time_allies_ms=draw(ms),
        connects=draw(counts),
        disconnects=draw(counts),
        team_changes=draw(counts),
        deaths_detail=detail,
    )


@st.composite
def ends(draw: st.DrawFn) -> End:
    """An end block; surrender fields only for surrender ends."""
    reason = draw(st.sampled_from(EndReason))
    surrender = reason is EndReason.SURRENDER
    return End(
        reason=reason,
        exit_line=draw(st.none() | texts),
        winner=draw(st.integers(min_value=0, max_value=2)),
        defender=draw(st.integers(min_value=0, max_value=2)),
        surrender_team=draw(st.integers(min_value=1, max_value=2)) if surrender else 0,
        surrender_caller_guid=draw(st.none() | guids) if surrender else None,
        surrender_caller_name=draw(st.none() | texts) if surrender else None,
    )


@st.composite
def gametimes(draw: st.DrawFn) -> Gametimes:
    """A whole gametimes v1 document."""
    start_level = draw(ms)
    play = draw(st.integers(min_value=0, max_value=3_600_000))
    pause_list = tuple(draw(st.lists(pauses(), max_size=3)))
    total_pause = sum(p.duration_ms for p in pause_list)
    start_unix = draw(unix)
    warmup = draw(st.none() | st.integers(min_value=0, max_value=600_000))
    return Gametimes(
        schema_version=SCHEMA_VERSION,
        producer=Producer(name="etstats.lua", version=draw(texts), lua="Lua 5.4"),
        server=Server(hostname=draw(texts), ip=draw(texts), port=draw(st.integers(0, 65535))),
        map=draw(texts),
        gametype=draw(st.integers(min_value=0, max_value=7)),
        round=draw(st.sampled_from((0, 1, 2))),
        emit=draw(st.sampled_from(Emit)),
        round_start_unix=start_unix,
        round_end_unix=start_unix + (play + total_pause) // 1000,
        round_start_level_ms=start_level,
        round_end_level_ms=start_level + play + total_pause,
        play_ms=play,
        timelimit_ms=draw(st.integers(min_value=0, max_value=7_200_000)),
        warmup_ms=warmup,
        warmup_start_unix=None if warmup is None else start_unix - warmup // 1000,
        started_mid_round=draw(st.booleans()),
        pauses=pause_list,
        pause_total_ms=total_pause,
        end=draw(ends()),
        limbo_ms=Limbo(axis=draw(ms), allies=draw(ms)),
        players=tuple(draw(st.lists(players(), max_size=4))),
    )


__all__ = ["deaths", "ends", "gametimes", "guids", "pauses", "players"]
