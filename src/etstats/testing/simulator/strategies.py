"""Hypothesis strategy of random valid scenarios (imports hypothesis: test-only).

:func:`scenarios` draws players (2..16 on a 16-slot server, some joining late), one or two
rounds with random kills (enemy, team, self, world, gibs), revives, pauses, disconnects,
connects, team changes (alive, dead, to and from the spectators), spoofed ``Exit:`` lines,
``lua_restart``, pauses with events (some left to resume by themselves), votes and endings;
then :func:`make_playable` removes every event the
engine refuses (e.g. killing a dead player) by dry-running the scenario without Lua modules.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from attrs import evolve
from hypothesis import strategies as st

from etstats.testing.simulator.engine import Engine
from etstats.testing.simulator.runner import Runner
from etstats.testing.simulator.scenario import (
    MOD_FALLING,
    MOD_SUICIDE,
    WORLD,
    CallVote,
    Connect,
    Disconnect,
    Ending,
    EndKind,
    Event,
    Gib,
    Kill,
    LogPrint,
    LuaRestart,
    Pause,
    PlayerSpec,
    Rename,
    Revive,
    RoundSpec,
    Scenario,
    ScenarioError,
    TeamChange,
    Unpause,
    guid_for,
)

ROUND_MS = 60_000
"""Random rounds have a 1-minute time limit; events fall inside it."""


def make_playable(scenario: Scenario, *, attempts: int = 200) -> Scenario:
    """``scenario`` minus the events the engine refuses; endings that cannot happen become
    time limits."""
    with tempfile.TemporaryDirectory(prefix="etstats-sim-dry-") as tmp:
        for _ in range(attempts):
            try:
                Runner(scenario, Engine([], Path(tmp), scenario.max_clients)).run()
            except ScenarioError as exc:
                scenario = _without(scenario, exc.event, str(exc))
            else:
                return scenario
    raise ScenarioError(f"could not make {scenario.name} playable")


def _without(scenario: Scenario, event: object, reason: str) -> Scenario:
    rounds = []
    removed = False
    for spec in scenario.rounds:
        if not removed and event is not None and event in spec.events:
            events = list(spec.events)
            events.remove(event)
            spec = evolve(spec, events=tuple(events))
            removed = True
        elif not removed and event is not None and event in spec.warmup_events:
            warm = list(spec.warmup_events)
            warm.remove(event)
            spec = evolve(spec, warmup_events=tuple(warm))
            removed = True
        rounds.append(spec)
    if not removed:  # an ending that could not happen
        rounds = [
            evolve(r, ending=Ending()) if r.ending.kind is EndKind.SURRENDER else r for r in rounds
        ]
        if rounds == list(scenario.rounds):
            raise ScenarioError(f"cannot repair {scenario.name}: {reason}")
    return evolve(scenario, rounds=tuple(rounds))


_SPOOFS = ("Wolf EndRound.", "Timelimit hit.", "Axis Surrender", "Allied team eliminated.")

_NAMES = st.text(
    st.characters(codec="latin-1", exclude_characters='\\;\x00\n"%'), min_size=1, max_size=20
) | st.sampled_from(['^1"q"', "a\x08b\x1bc", "\x7f", "caf\xe9", "^^7x'y"])


@st.composite
def _events(draw: st.DrawFn, slots: list[int]) -> list[Event]:
    """One event, or a kill followed by its revive or gib."""
    at = draw(st.integers(0, ROUND_MS - 1_000))
    slot = st.sampled_from(slots)
    later = at + draw(st.integers(50, 4_000))
    kind = draw(
        st.sampled_from(
            ["kill"] * 6
            + ["gibkill", "self", "world", "revive", "revive", "gib", "pause"]
            + ["disconnect", "connect", "team", "team", "vote", "rename", "spoof", "lua_restart"]
        )
    )
    if kind == "kill":  # a quarter are missile deaths inside the server frame
        return [Kill(at, draw(slot), draw(slot), in_frame=draw(st.integers(0, 3)) == 0)]
    if kind == "gibkill":
        return [Kill(at, draw(slot), draw(slot), gib=True)]
    if kind == "self":
        v = draw(slot)
        return [Kill(at, v, v, MOD_SUICIDE)]
    if kind == "world":
        return [Kill(at, draw(slot), WORLD, MOD_FALLING)]
    if kind == "revive":
        v = draw(slot)
        return [Kill(at, v, draw(slot)), Revive(later, v, draw(slot))]
    if kind == "gib":
        v = draw(slot)
        return [Kill(at, v, draw(slot)), Gib(later, v)]
    if kind == "disconnect":
        return [Disconnect(at, draw(slot))]
    if kind == "connect":
        return [Connect(at, draw(slot), draw(st.sampled_from([1, 2])))]
    if kind == "team":
        return [TeamChange(at, draw(slot), draw(st.sampled_from([1, 2, 3])))]
    if kind == "vote":
        return [CallVote(at, draw(slot))]
    if kind == "rename":
        return [Rename(at, draw(slot), draw(_NAMES))]
    if kind == "spoof":  # another module's et.G_LogPrint: never an exit
        return [LogPrint(at, "Exit: " + draw(st.sampled_from(_SPOOFS)))]
    if kind == "lua_restart":
        return [LuaRestart(at)]
    pause_end = later + draw(st.integers(0, 6_000))
    # things that still happen while paused: team changes, joins, leaves, votes
    during: list[Event] = [
        TeamChange(at + 100, draw(slot), draw(st.sampled_from([1, 2, 3]))),
        Connect(at + 150, draw(slot), draw(st.sampled_from([1, 2]))),
        Disconnect(at + 200, draw(slot)),
        CallVote(at + 250, draw(slot)),
    ]
    extra: list[Event] = draw(st.lists(st.sampled_from(during), max_size=2, unique=True))
    if draw(st.integers(0, 4)) == 0:  # no unpause: the engine resumes after 180 s
        return [Pause(at), *extra]
    return [Pause(at), *extra, Unpause(pause_end)]


@st.composite
def _round(draw: st.DrawFn, slots: list[int], *, last: bool) -> RoundSpec:
    events = [e for group in draw(st.lists(_events(slots), max_size=30)) for e in group]
    endings = [EndKind.TIMELIMIT, EndKind.OBJECTIVE, EndKind.SURRENDER]
    endings += (
        [EndKind.SHUTDOWN, EndKind.NEXTMAP_VOTE]
        if last
        else [EndKind.MAP_RESTART, EndKind.RCON_RESTART]
    )
    endings.append(EndKind.ELIMINATED)
    kind = draw(st.sampled_from(endings))
    ending = Ending(
        kind,
        at_ms=draw(st.integers(1_000, ROUND_MS - 5_000)),
        winner=draw(st.sampled_from([1, 2])),
        caller=draw(st.sampled_from(slots)),
    )
    warm = draw(
        st.lists(
            st.builds(Kill, st.integers(0, 2_500), st.sampled_from(slots), st.sampled_from(slots)),
            max_size=2,
        )
    )
    return RoundSpec(events=tuple(events), ending=ending, warmup_events=tuple(warm))


@st.composite
def scenarios(draw: st.DrawFn, *, latin1_names: bool = True) -> Scenario:
    """A random playable scenario (one map, one or two rounds, 16 slots).

    Names are sent Latin-1 encoded when ``latin1_names`` (bytes >= 0x80 that are not UTF-8),
    else UTF-8 encoded.
    """
    count = draw(st.integers(2, 16))
    slots = sorted(draw(st.sets(st.integers(0, 15), min_size=count, max_size=count)))
    players = tuple(
        PlayerSpec(
            s,
            None if draw(st.integers(0, 9)) == 0 else guid_for(s),
            draw(_NAMES),
            team=1 + i % 2,
            name_encoding="latin-1" if latin1_names else "utf-8",
            present_at_start=i < 2 or draw(st.booleans()),
        )
        for i, s in enumerate(slots)
    )
    n_rounds = draw(st.integers(1, 3))
    rounds = tuple(draw(_round(slots, last=i == n_rounds - 1)) for i in range(n_rounds))
    sc = Scenario(
        name="random",
        description="hypothesis",
        players=players,
        rounds=rounds,
        timelimit_min=ROUND_MS / 60_000,
        axis_limbo_ms=draw(st.sampled_from([5_000, 15_000, 30_000])),
        allies_limbo_ms=draw(st.sampled_from([5_000, 20_000])),
        defender=draw(st.sampled_from([0, 1])),
        seed=draw(st.integers(0, 1000)),
    )
    return make_playable(sc)
