"""The simulated engine behaves like ET:Legacy's Lua API (spec section 4), seen from Lua."""

from __future__ import annotations

from pathlib import Path

import pytest

from etstats.testing.simulator import (
    CallVote,
    Ending,
    EndKind,
    Kill,
    Pause,
    PlayerSpec,
    RoundSpec,
    Scenario,
    ScenarioResult,
    Unpause,
    guid_for,
    run_scenario,
)

pytestmark = pytest.mark.lua

NAME = 'a"b\x08c\x1b^1d'


def _scenario() -> Scenario:
    players = (PlayerSpec(0, guid_for(0), NAME, 1), PlayerSpec(15, guid_for(15), "B", 2))
    r1 = RoundSpec(
        events=(Kill(2_000, 0, 15), Pause(4_000), Unpause(5_000), CallVote(30_000, 15)),
        ending=Ending(EndKind.OBJECTIVE, at_ms=40_000, winner=2),
    )
    return Scenario("probe", "", players, (r1, RoundSpec()), timelimit_min=1.0)


@pytest.fixture(scope="module")
def probe(lua_scripts: Path, tmp_path_factory: pytest.TempPathFactory) -> ScenarioResult:
    return run_scenario(
        _scenario(),
        lua_scripts / "probe.lua",
        extra_modules=[lua_scripts / "recorder.lua"],
        homepath=tmp_path_factory.mktemp("home"),
    )


def lines(result: ScenarioResult, kind: str) -> list[list[str]]:
    """The PROBE lines of one kind, split into words."""
    out = []
    for line in result.console_lines:
        if line.startswith(f"PROBE {kind} "):
            out.append(line.split(" ")[2:])
    return out


def test_probe_runs_without_lua_errors(probe: ScenarioResult) -> None:
    assert probe.lua_errors == ()
    assert "probe" in probe.modnames


def test_client_field_of_entity_beyond_maxclients_raises_like_the_engine(
    probe: ScenarioResult,
) -> None:
    ok, *message = lines(probe, "gentity16")[0]
    assert ok == "false"
    text = " ".join(message)
    assert text.endswith('tried to get invalid gentity field "pers.connected"')
    assert "probe.lua:" in text  # the error names the calling line, like luaL_error
    assert lines(probe, "gentity15")[0] == ["0", "0"]


def test_constants_unknown_cvars_and_popen(probe: ScenarioResult) -> None:
    assert lines(probe, "consts")[0] == ["nil", "4", "1", "3", "3", "64", "32"]
    assert lines(probe, "unknown_cvar")[0] == ["[]"]
    assert lines(probe, "popen")[0] == ["hello"]


def test_vm_lifecycle_follows_a_stopwatch_map(probe: ScenarioResult) -> None:
    inits = [(row[1], row[2], row[3], row[5]) for row in lines(probe, "init")]
    # map: WARMUP restart=0; countdown restart -> PLAYING R1; after R1 -> WARMUP (round
    # toggled to 1); countdown restart -> PLAYING R2. Every VM is new: 0 frames seen.
    assert inits == [
        ("0", "2", "0", "0"),
        ("1", "0", "0", "0"),
        ("1", "2", "1", "0"),
        ("1", "0", "1", "0"),
    ]
    shutdowns = [tuple(row) for row in lines(probe, "shutdown")]
    assert shutdowns == [("1", "0"), ("1", "2"), ("1", "0"), ("0", "3")]


def test_timelimits_and_exit_cvars(probe: ScenarioResult) -> None:
    inits = lines(probe, "init")
    assert inits[1][4] == "1"  # R1 timelimit in minutes
    r2_limit = float(inits[3][4])
    assert 0.4 < r2_limit < 0.6  # 40 s minus an 11 s pause
    assert not r2_limit.is_integer()
    exits = lines(probe, "exit")
    # et_Print("Exit: ...") runs inside G_LogExit before it sets CS_INTERMISSION and toggles
    # g_currentRound; the winner is already set
    assert exits[0] == ["0", "0", "0", "\\w\\1"]
    assert exits[1][0] == "1"
    assert float(exits[1][1]) == r2_limit


def test_clocks_are_distinct_and_wall_clock_follows_level_time(probe: ScenarioResult) -> None:
    frames = [[int(x) for x in row[:5]] for row in lines(probe, "frame")]
    level, uptime, wall = frames[0][0], frames[0][1], frames[0][2]
    assert uptime != level
    last = frames[-1]
    assert last[2] - wall >= (last[1] - uptime) // 1000 - 1 > 30
    assert lines(probe, "clocks")[0][3] == "2026"


def test_pause_sets_bit_freezes_players_and_moves_level_start(probe: ScenarioResult) -> None:
    paused = [row for row in lines(probe, "frame") if row[3] == "16"]
    assert paused, "no frame saw the pause bit"
    game_clocks = {int(row[4]) for row in paused}
    # levelTime keeps running, CS_LEVEL_START_TIME moves in 500 ms steps: clock stays put
    assert max(game_clocks) - min(game_clocks) < 500
    assert len(paused) > 200  # 1 s + 10 s resume countdown at 20 fps
    assert {row[6] for row in paused} == {"4"}  # PM_FREEZE


def test_client_connect_userinfo_and_raw_name_bytes(probe: ScenarioResult) -> None:
    connects = lines(probe, "connect")
    first = [row for row in connects if row[0] == "0"]
    assert first[0][1] == "1"
    assert all(row[1] == "0" for row in first[1:])
    assert first[0][3] == guid_for(0)
    assert " ".join(first[0][4:]) == '"a\\"b\\8c\\27^1d"'  # %q of the raw bytes


def test_obituary_spawn_and_command_arguments(probe: ScenarioResult) -> None:
    assert lines(probe, "obituary")[0] == ["0", "15", "8", "0"]
    spawns = [row for row in lines(probe, "spawn") if row[0] == "0"]
    assert all(row[1] == "0" for row in spawns)
    assert lines(probe, "command")[0] == ["15", "callvote", "2", "callvote", "surrender"]


def test_second_module_receives_every_obituary(probe: ScenarioResult) -> None:
    log = (probe.homepath / "recorder.log").read_text().splitlines()
    assert [row for row in log if row.startswith("Obituary")] == ["Obituary 0 15 8"]
    assert probe.chain_stops == ()


def test_callback_errors_are_logged_and_the_vm_keeps_running(
    lua_scripts: Path, tmp_path: Path
) -> None:
    result = run_scenario(_scenario(), lua_scripts / "crash_then_count.lua", homepath=tmp_path)
    assert result.lua_errors
    first = result.lua_errors[0]
    assert first.callback == "et_RunFrame"
    assert "boom at" in first.message
    console = [c for c in result.console_lines if c.startswith("Lua 5.4 API: et_RunFrame")]
    assert console[0].startswith("Lua 5.4 API: et_RunFrame error running lua script: '")
    counted = [c for c in result.console_lines if c.startswith("frames ")]
    assert counted
    assert counted[1] == "frames 4"


def test_number_from_client_connect_rejects_the_client(lua_scripts: Path, tmp_path: Path) -> None:
    quiet = Scenario("reject", "", _scenario().players, (RoundSpec(),), timelimit_min=0.5)
    result = run_scenario(quiet, lua_scripts / "reject.lua", homepath=tmp_path)
    assert any(e.kind == "rejected" for e in result.trace)
    assert any("denied" in line for line in result.console_lines)
    assert {s.callback for s in result.chain_stops} == {"et_ClientConnect"}


def test_bad_script_breaks_the_obituary_chain_and_leaks(lua_scripts: Path, tmp_path: Path) -> None:
    result = run_scenario(
        _scenario(),
        lua_scripts / "bad.lua",
        extra_modules=[lua_scripts / "recorder.lua"],
        homepath=tmp_path,
    )
    assert any("global 'bit'" in e.message for e in result.lua_errors)
    assert result.leaked_globals["bad.lua"] == {"leaked_state", "counter"}
    stop = result.chain_stops[0]
    assert (stop.module, stop.callback, stop.value, stop.skipped) == (
        "bad.lua",
        "et_Obituary",
        "0",
        ("recorder.lua",),
    )
    log = (tmp_path / "recorder.log").read_text()
    assert "Obituary" not in log
