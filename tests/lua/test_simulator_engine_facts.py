"""The simulator follows the engine facts of spec section 4.7, seen from a logging Lua module."""

from __future__ import annotations

from pathlib import Path

import pytest

from etstats.testing.simulator import (
    Connect,
    Ending,
    EndKind,
    Kill,
    Pause,
    PlayerSpec,
    RoundSpec,
    Scenario,
    ScenarioResult,
    TeamChange,
    guid_for,
    run_scenario,
)
from etstats.testing.simulator.scenario import MOD_FALLING

pytestmark = pytest.mark.lua

LOGGER = """
local function out(...)
  local t = {}
  for i = 1, select("#", ...) do t[#t + 1] = tostring((select(i, ...))) end
  et.G_Print("LOG " .. table.concat(t, " ") .. "\\n")
end
local last = 0
function et_RunFrame(t)
  last = t
  local f = et.gentity_get(6, "pers.connected") == 2 and et.gentity_get(6, "ps.pm_flags") or 0
  if (f & 16384) ~= 0 then out("limbo6", t) end
end
function et_ClientConnect(n, first, bot) out("connect", n, first, bot) end
function et_ClientUserinfoChanged(n) out("userinfo", n, et.gentity_get(n, "sess.sessionTeam")) end
function et_ClientBegin(n) out("begin", n) end
function et_ClientSpawn(n, r, tc, rh)
  out("spawn", n, r, tc, rh, et.gentity_get(n, "sess.sessionTeam"), last)
end
function et_Obituary(v, k, m) out("obit", v, k, m) end
function et_Print(text)
  if text:sub(1, 5) == "Exit:" then
    out("exitline", last, et.trap_Cvar_Get("gamestate"), et.trap_GetConfigstring(12))
  end
end
function et_ShutdownGame(r)
  out("shutdown", r, et.gentity_get(6, "sess.time_played"), et.gentity_get(6, "sess.time_axis"))
end
"""


def _run(tmp_path: Path, scenario: Scenario, *extra: str) -> ScenarioResult:
    logger = tmp_path / "logger.lua"
    logger.write_text(LOGGER, encoding="utf-8")
    modules = []
    for i, body in enumerate(extra):
        path = tmp_path / f"extra{i}.lua"
        path.write_text(body, encoding="utf-8")
        modules.append(path)
    return run_scenario(scenario, logger, extra_modules=modules, homepath=tmp_path / "home")


def _log(result: ScenarioResult) -> list[list[str]]:
    return [line.split(" ")[1:] for line in result.console_lines if line.startswith("LOG ")]


def _scenario() -> Scenario:
    players = (
        PlayerSpec(0, guid_for(0), "A", 1),
        PlayerSpec(1, guid_for(1), "B", 2),
        PlayerSpec(6, guid_for(6), "Late", 1, present_at_start=False),
        PlayerSpec(7, None, "[BOT]x", 2, is_bot=True, present_at_start=False),
    )
    r1 = RoundSpec(
        events=(
            Kill(1_000, 0, 1022, MOD_FALLING),
            Connect(5_000, 6, 1),
            Connect(5_000, 7, 2),
            TeamChange(8_000, 1, 1),
            Pause(40_000),
        ),
        ending=Ending(EndKind.SURRENDER, at_ms=45_000, caller=0),
    )
    r2 = RoundSpec(ending=Ending(EndKind.OBJECTIVE, at_ms=5_000))
    return Scenario("facts", "", players, (r1, r2), timelimit_min=2.0)


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> ScenarioResult:
    reject = 'function et_ClientConnect(n, first, bot) if n >= 6 then return "no" end end\n'
    return _run(tmp_path_factory.mktemp("facts"), _scenario(), reject)


def test_connect_order_and_first_connect_as_spectator(facts: ScenarioResult) -> None:
    """``ClientConnect`` -> [userinfo] -> ``ClientSpawn(n, 0, 1, 1)`` -> ``ClientBegin``; a
    human's first connect is forced to spectator, joining a team is a separate SetTeam."""
    log = _log(facts)
    bot = [e for e in log if e[0] in ("connect", "userinfo", "spawn", "begin") and e[1] == "7"]
    assert [e[0] for e in bot[:4]] == ["connect", "userinfo", "spawn", "begin"]
    assert bot[2][1:6] == ["7", "0", "1", "1", "2"]  # a bot goes straight onto its team
    # the human in slot 6 is rejected by the second module: bots never are
    assert any("dropped client 6" in line for line in facts.console_lines)
    assert not any("dropped client 7" in line for line in facts.console_lines)


def test_a_late_team_join_waits_in_limbo_until_the_wave(facts: ScenarioResult) -> None:
    log = _log(facts)
    switch = [e for e in log if e[0] in ("obit", "userinfo", "spawn") and e[1] == "1"]
    switch = switch[switch.index(["obit", "1", "1", "59"]) :][:3]
    assert [e[0] for e in switch] == ["obit", "userinfo", "spawn"]  # MOD_SWITCHTEAM first
    assert switch[2][1:6] == ["1", "0", "1", "1", "1"]
    spawns = [e for e in log if e[0] == "spawn" and e[1] == "1"]
    wave = spawns[spawns.index(switch[2]) + 1]
    assert wave[2:5] == ["0", "0", "1"]  # the real spawn: a reinforcement wave
    assert int(wave[6]) - int(switch[2][6]) > 600  # later than the teamChange spawn


def test_exit_is_logged_inside_the_frame_and_cs_intermission_is_sticky(
    facts: ScenarioResult,
) -> None:
    exits = [e for e in _log(facts) if e[0] == "exitline"]
    # gamestate still PLAYING when the line is printed; G_LogExit sets CS_INTERMISSION right
    # after it, and in round 2 it is already "1" (set in round 1, never reset by map_restart)
    assert [e[2:] for e in exits] == [["0", "0"], ["0", "1"]]


def test_a_surrender_vote_passes_during_a_pause(facts: ScenarioResult) -> None:
    kinds = [e.kind for e in facts.trace]
    r1_end = kinds.index("end")
    assert "pause_start" in kinds[:r1_end]
    assert "pause_end" not in kinds[kinds.index("pause_start") : r1_end]
    assert facts.trace[r1_end].data["reason"] == "surrender"


def test_time_played_only_while_alive(tmp_path: Path) -> None:
    """``sess.time_played`` excludes the limbo wait after a late join; team time does not."""
    players = (
        PlayerSpec(0, guid_for(0), "A", 1),
        PlayerSpec(1, guid_for(1), "B", 2),
        PlayerSpec(6, guid_for(6), "Late", 1, present_at_start=False),
    )
    r1 = RoundSpec(events=(Connect(5_000, 6, 1),), ending=Ending(EndKind.OBJECTIVE, 40_000))
    result = _run(tmp_path, Scenario("played", "", players, (r1,)))
    shutdown = [e for e in _log(result) if e[0] == "shutdown"][-1]
    played, axis = int(shutdown[2]), int(shutdown[3])
    assert 0 < played < axis
    assert axis - played >= 24_000  # joined at ~5 s, first Axis wave at 30 s of game clock
