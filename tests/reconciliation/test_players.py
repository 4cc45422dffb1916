"""Player matching by GUID prefix: case, collisions, bots, renames."""

from __future__ import annotations

from etstats.reconciliation.model import Verdict
from etstats.reconciliation.players import match_players
from etstats.reconciliation.readings import LuaPlayerReading, LuaReading, StatsPlayerReading


def _sp(key: str, name: str, bot: bool = False) -> StatsPlayerReading:
    return StatsPlayerReading(
        key=key,
        name=name,
        team=1,
        bot=bot,
        layout=38,
        dead_s=60.0,
        played_s=300.0,
        alive_percent=80.0,
        denied_s=0,
        weapon_deaths=1,
        self_kills=0,
        times_revived=0,
        kills=1,
    )


def _lp(guid: str | None, name: str) -> LuaPlayerReading:
    return LuaPlayerReading(
        guid=guid, name=name, team=1, deaths=1, spawns=2, dead_s=60.0, kills=1, deaths_detail=()
    )


def _lua(*players: LuaPlayerReading) -> LuaReading:
    return LuaReading(
        name="g.json",
        kind="gametimes",
        map="m",
        round=1,
        start_unix=0,
        end_unix=300,
        play_s=300,
        pause_s=0,
        pause_count=0,
        end_reason=None,
        winner=None,
        defender=None,
        surrender_team=None,
        limit_s=None,
        limbo_axis_s=None,
        limbo_allies_s=None,
        players=players,
    )


def test_prefix_matches_case_insensitively_and_names_are_evidence() -> None:
    m = match_players([_sp("A1B2C3D4", "old")], _lua(_lp("a1b2c3d4" + "0" * 24, "new")))
    assert len(m.pairs) == 1
    assert [f.code for f in m.findings] == ["player-renamed"]
    assert m.links[0].guid == "a1b2c3d4" + "0" * 24


def test_prefix_collision_is_reported_and_not_compared() -> None:
    m = match_players(
        [_sp("A1B2C3D4", "one")],
        _lua(_lp("A1B2C3D4" + "0" * 24, "one"), _lp("A1B2C3D4" + "F" * 24, "two")),
    )
    assert m.pairs == ()
    assert m.links[0].collision
    assert m.roster[0].check == "player-identity"
    assert m.roster[0].verdict is Verdict.EXPLAINED
    assert m.roster[0].causes[0].code == "guid-prefix-collision"


def test_bots_are_reported_not_matched() -> None:
    m = match_players([_sp("OMNIBOT0", "[BOT]x", bot=True)], _lua(_lp(None, "[BOT]x")))
    assert m.pairs == ()
    assert all(link.bot for link in m.links)
    assert m.roster == ()


def test_one_sided_players_are_roster_conflicts() -> None:
    m = match_players([_sp("11111111", "stats-only")], _lua(_lp("2" * 32, "lua-only")))
    assert {c.verdict for c in m.roster} == {Verdict.CONFLICT}
    assert len(m.roster) == 2
