"""Rules on hand-built readings: defects that only a targeted case reaches."""

from __future__ import annotations

import attrs

from etstats.reconciliation.model import Verdict
from etstats.reconciliation.readings import (
    LuaDeath,
    LuaPlayerReading,
    LuaReading,
    StatsPlayerReading,
    StatsReading,
)
from etstats.reconciliation.rules import internal, player
from etstats.reconciliation.rules import round as round_rules


def _sr(**kw: object) -> StatsReading:
    base: dict[str, object] = {
        "name": "s.txt",
        "map": "supply",
        "round": 1,
        "time": None,
        "limit_s": 600,
        "clock_s": 400,
        "playtime_ms": None,
        "winner": 2,
        "defender": 1,
        "header_fields": 9,
        "layout": 38,
        "players": (),
    }
    base.update(kw)
    return StatsReading(**base)  # type: ignore[arg-type]


def _lua(**kw: object) -> LuaReading:
    base: dict[str, object] = {
        "name": "g.json",
        "kind": "gametimes",
        "map": "supply",
        "round": 1,
        "start_unix": 0,
        "end_unix": 400,
        "play_s": 400.0,
        "pause_s": 0.0,
        "pause_count": 0,
        "end_reason": "objective",
        "winner": 2,
        "defender": 1,
        "surrender_team": 0,
        "limit_s": 600.0,
        "limbo_axis_s": 30.0,
        "limbo_allies_s": 20.0,
        "players": (),
    }
    base.update(kw)
    return LuaReading(**base)  # type: ignore[arg-type]


SP = StatsPlayerReading(
    key="A1B2C3D4",
    name="p",
    team=1,
    bot=False,
    layout=38,
    dead_s=60.0,
    played_s=402.0,
    alive_percent=85.0,
    denied_s=40,
    weapon_deaths=3,
    self_kills=0,
    times_revived=0,
    kills=2,
)
LP = LuaPlayerReading(
    guid="A1B2C3D4" + "0" * 24,
    name="p",
    team=1,
    deaths=3,
    spawns=4,
    dead_s=61.0,
    revives=0,
    denied_s=40.5,
    played_s=400.0,
    self_kills=0,
    kills=2,
    connected_at_end=True,
    team_changes=0,
    deaths_detail=(
        LuaDeath(20.0, 0.0, "respawn", "enemy", "X"),
        LuaDeath(21.0, 0.0, "respawn", "enemy", "X"),
        LuaDeath(20.0, 0.0, "respawn", "enemy", "X"),
    ),
)


def test_clean_player_agrees() -> None:
    c = player.dead_time(SP, _sr(), LP, _lua())
    assert c is not None
    assert c.verdict is Verdict.AGREE
    t = player.time_played(SP, _sr(), LP, _lua())
    assert t is not None
    assert t.verdict is Verdict.AGREE


def test_a_wrong_value_is_a_conflict_not_explained() -> None:
    bad = attrs.evolve(SP, dead_s=180.0)  # c0rnp0rn 8 has no overcount
    c = player.dead_time(bad, _sr(), LP, _lua())
    assert c is not None
    assert c.verdict is Verdict.CONFLICT
    assert c.difference == 119.0


def test_overcount_explains_an_inflated_c0rnp0rn7_value() -> None:
    inflated = attrs.evolve(SP, dead_s=61.0 + 3 * 40.0)  # 3 deaths of ~20 s: +30..50 each
    c = player.dead_time(inflated, _sr(header_fields=8), LP, _lua())
    assert c is not None
    assert c.verdict is Verdict.EXPLAINED
    assert [x.code for x in c.causes] == ["dead-time-overcount"]
    too_much = attrs.evolve(SP, dead_s=61.0 + 3 * 90.0)
    c = player.dead_time(too_much, _sr(header_fields=8), LP, _lua())
    assert c is not None
    assert c.verdict is Verdict.CONFLICT


def test_round2_clock_garbage_is_explained() -> None:
    sr = _sr(round=2, limit_s=400, clock_s=4265, winner=1)  # 71:05 in a 6:40 round
    c = round_rules.stats_clock(sr)
    assert c is not None
    assert c.verdict is Verdict.EXPLAINED
    assert c.causes[0].code == "round2-clock-garbage"
    d = round_rules.duration(sr, _lua(winner=1, end_reason="time_expired"))
    assert d[0].verdict is Verdict.EXPLAINED
    assert d[0].causes[0].code == "round2-clock-garbage"


def test_surrender_clock_is_explained_only_for_a_surrender() -> None:
    sr = _sr(clock_s=600, winner=1)  # defenders (Axis) won, f8 = f7
    lua = _lua(end_reason="surrender", surrender_team=2, winner=1, play_s=300.0)
    c = round_rules.duration(sr, lua)[0]
    assert c.verdict is Verdict.EXPLAINED
    assert [x.code for x in c.causes] == ["surrender-clock"]
    held = round_rules.duration(sr, _lua(end_reason="objective", winner=1, play_s=300.0))[0]
    assert held.verdict is Verdict.CONFLICT
    reason = round_rules.outcome(sr, _lua(end_reason="objective", winner=1))
    assert [c.verdict for c in reason if c.check == "end-reason"] == [Verdict.CONFLICT]


def test_dead_time_above_played_time_is_explained_by_the_overcount() -> None:
    sp = attrs.evolve(
        SP,
        dead_s=420.0,
        played_s=300.0,
        raw_played_s=300.0,
        raw_alive_percent=70.0,
        weapon_deaths=6,
        self_kills=2,
    )
    got = internal.dead_le_played(sp, _sr(header_fields=8))
    assert got is not None
    assert got.verdict is Verdict.EXPLAINED
    assert got.causes[0].code == "dead-time-overcount"
    fixed = internal.dead_le_played(sp, _sr(header_fields=9))
    assert fixed is not None
    assert fixed.verdict is Verdict.CONFLICT


def test_old_legacy_play_time_may_contain_undetected_pauses() -> None:
    sr = _sr(clock_s=400)
    old = _lua(kind="gametimes-legacy", play_s=460.0, version=(1, 6, 1))
    c = round_rules.duration(sr, old)[0]
    assert c.verdict is Verdict.EXPLAINED
    assert [x.code for x in c.causes] == ["legacy-pause-undetected"]
    new = _lua(kind="gametimes-legacy", play_s=460.0, version=(1, 7, 2))
    assert round_rules.duration(sr, new)[0].verdict is Verdict.CONFLICT
