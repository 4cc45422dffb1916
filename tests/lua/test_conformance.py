"""Conformance of lua/etstats.lua against the simulator's ground truth, and of lua-check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etstats.cli import main
from etstats.testing.simulator import run_scenario
from etstats.testing.simulator.bundled import BUNDLED, bundled_scenarios
from etstats.testing.simulator.conformance import check_all, check_scenario, render_report

pytestmark = pytest.mark.lua

COVERED = {
    "stopwatch_map",
    "pauses",
    "revives_and_gibs",
    "self_team_world_kills",
    "leavers_and_joiners",
    "full_server",
    "hostile_names",
    "surrender_after_failed_vote",
    "shutdown_mid_round",
    "admin_restart",
    "other_exits",
    "team_joins_and_switches",
    "spoofed_exits",
    "spoof_before_real_exit",
    "pauses_with_events",
    "lua_restarts",
    "rcon_restart",
    "last_man_standing",
    "wave_at_resume",
    "rcon_restart_first_second",
    "guidless_reconnect",
    "surrender_caller_switches",
}


def test_bundled_scenarios_cover_the_required_situations() -> None:
    assert set(BUNDLED) == COVERED
    scenarios = bundled_scenarios()
    assert len(scenarios["stopwatch_map"].rounds) == 2
    assert len(scenarios["full_server"].players) == 16
    assert scenarios["full_server"].max_clients == 16


@pytest.mark.parametrize("name", sorted(COVERED))
def test_our_script_matches_the_ground_truth(etstats_lua: Path, name: str) -> None:
    report = check_scenario(bundled_scenarios()[name], etstats_lua)
    assert report.passed, render_report([report])


def test_ground_truth_of_a_pause_and_a_revive(etstats_lua: Path, tmp_path: Path) -> None:
    result = run_scenario(bundled_scenarios()["pauses"], etstats_lua, homepath=tmp_path)
    r1 = result.truth[0]
    assert [p.duration_ms for p in r1.pauses] == [14_000, 12_000]
    waited = r1.player(0).deaths_detail[0]
    assert waited.paused_ms == 26_000  # dead (30 s Axis waves) through both pauses
    assert waited.dead_ms == waited.end_level_ms - waited.at_level_ms - 26_000
    assert r1.player(2).denied_ms == waited.dead_ms  # slot 2 killed slot 0
    assert r1.play_ms == r1.round_end_level_ms - r1.round_start_level_ms + 50 - 26_000
    assert len(result.gametimes_files) == 2


def test_marked_emits_for_shutdown_and_admin_restart(etstats_lua: Path, tmp_path: Path) -> None:
    result = run_scenario(bundled_scenarios()["admin_restart"], etstats_lua, homepath=tmp_path)
    assert [(t.round, t.emit) for t in result.truth] == [
        (1, "map_restart"),
        (1, "round_end"),
        (2, "round_end"),
    ]
    aborted = result.truth[0].player(0).deaths_detail[0]
    assert aborted.closed_by == "round_end"
    shut = run_scenario(
        bundled_scenarios()["shutdown_mid_round"], etstats_lua, homepath=tmp_path / "shut"
    )
    assert shut.truth[-1].emit == "shutdown"
    assert shut.truth[-1].end.exit_line is None


def test_lua_check_catches_a_bad_script(lua_scripts: Path) -> None:
    [report] = check_all(lua_scripts / "bad.lua", ["stopwatch_map"])
    assert not report.passed
    assert any("global 'bit'" in e for e in report.lua_errors)
    assert report.leaked_globals == ("bad.lua: counter", "bad.lua: leaked_state")
    assert any("bad.lua stopped et_Obituary" in s for s in report.starvation)
    assert any("got 0 of" in s for s in report.starvation)
    assert report.problems == ("expected 2 gametimes file(s), got 0",)


def test_lua_check_reports_field_differences(etstats_lua: Path, tmp_path: Path) -> None:
    broken = tmp_path / "off_by_one.lua"
    source = etstats_lua.read_text(encoding="utf-8")
    # a wrapper module that loads the real script, then shifts every et_Obituary by one slot
    broken.write_text(
        f"dofile({str(etstats_lua)!r})\n"
        "local real = et_Obituary\n"
        "function et_Obituary(v, k, m) real(v, (k + 1) % 4, m) end\n",
        encoding="utf-8",
    )
    assert "et_Obituary" in source
    [report] = check_all(broken, ["stopwatch_map"])
    assert not report.passed
    assert any(d.path.endswith(".kills") for d in report.diffs)
    assert any(d.path.endswith(".killer_slot") for d in report.diffs)


def test_cli_exit_codes_and_json(
    etstats_lua: Path, lua_scripts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lua-check", str(etstats_lua), "--scenario", "pauses"]) == 0
    assert "PASS pauses" in capsys.readouterr().out
    assert main(["lua-check", str(lua_scripts / "bad.lua"), "--scenario", "pauses", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data[0]["scenario"] == "pauses"
    assert data[0]["passed"] is False
    assert main(["lua-check", "--scenario", "no_such"]) == 2
    assert main(["lua-check", str(lua_scripts / "missing.lua")]) == 2
    assert main(["lua-check", "--list"]) == 0
    assert "hostile_names" in capsys.readouterr().out


def test_cli_defaults_to_the_repository_script(
    etstats_lua: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lua-check", "--scenario", "self_team_world_kills"]) == 0
    assert "1 passed, 0 failed" in capsys.readouterr().out


def test_a_module_after_ours_receives_every_obituary(
    etstats_lua: Path, lua_scripts: Path, tmp_path: Path
) -> None:
    scenario = bundled_scenarios()["leavers_and_joiners"]
    result = run_scenario(
        scenario, etstats_lua, extra_modules=[lua_scripts / "recorder.lua"], homepath=tmp_path
    )
    sent = [
        f"Obituary {e.data['victim']} {e.data['killer']} {e.data['mod']}"
        for e in result.trace
        if e.kind == "obituary"
    ]
    received = [
        line
        for line in (tmp_path / "recorder.log").read_text().splitlines()
        if line.startswith("Obituary")
    ]
    assert received == sent
    assert any(line.endswith(" 59") for line in received)  # MOD_SWITCHTEAM passes too
    assert result.chain_stops == ()


def _naive(etstats_lua: Path, tmp_path: Path, old: str, new: str) -> Path:
    source = etstats_lua.read_text(encoding="utf-8")
    assert source.count(old) == 1
    path = tmp_path / "naive.lua"
    path.write_text(source.replace(old, new), encoding="utf-8")
    return path


def test_a_script_counting_every_client_spawn_fails_and_is_told_why(
    etstats_lua: Path, tmp_path: Path
) -> None:
    """A script taking ``et_ClientSpawn(n, 0, 1, 1)`` after a late team join for a spawn into
    play (no limbo) reports too many spawns and too little dead time."""
    naive = _naive(
        etstats_lua, tmp_path, "elseif int(teamChange, 0) == 1 then", "elseif false then"
    )
    [report] = check_all(naive, ["team_joins_and_switches"])
    assert not report.passed
    assert any(d.path.endswith(".spawns") for d in report.diffs)
    assert any(d.path.endswith(".dead_ms") for d in report.diffs)
    text = render_report([report])
    assert "why: et_ClientSpawn(n, 0, 1, 1) after a team join or switch" in text


def test_a_script_trusting_cs_intermission_fails_and_is_told_why(
    etstats_lua: Path, tmp_path: Path
) -> None:
    """CS_INTERMISSION stays "1" after round 1: trusting it, a script ends round 2 at another
    module's spoofed ``Exit:`` line."""
    naive = _naive(
        etstats_lua,
        tmp_path,
        "local function check_exit(gs, levelTime)\n",
        "local function check_exit(gs, levelTime)\n"
        '  if configstring(CS_INTERMISSION) == "1" then gs = GS_INTERMISSION end\n',
    )
    [report] = check_all(naive, ["spoofed_exits"])
    assert not report.passed
    assert any(d.path == "$.round_end_level_ms" for d in report.diffs)
    assert "CS_INTERMISSION stays" in render_report([report])


def test_ground_truth_of_team_changes(etstats_lua: Path, tmp_path: Path) -> None:
    """Spec 4.7's definitions, checked on the truth itself."""
    result = run_scenario(
        bundled_scenarios()["team_joins_and_switches"], etstats_lua, homepath=tmp_path
    )
    r1 = result.truth[0]
    dead_switch = r1.player(0).deaths_detail[0]  # killed by slot 3, then switched while dead
    assert (dead_switch.kind, dead_switch.killer_slot, dead_switch.closed_by) == (
        "enemy",
        3,
        "respawn",
    )
    assert r1.player(3).denied_ms >= dead_switch.dead_ms
    alive_switch = r1.player(1).deaths_detail[0]
    assert (alive_switch.kind, alive_switch.mod, alive_switch.killer_guid) == (
        "team_change",
        59,
        None,
    )
    assert r1.player(1).deaths == 0
    assert r1.player(2).deaths_detail[0].closed_by == "spectator"
    late = r1.player(6)
    assert late.deaths_detail[0].kind == "team_change"
    # two wave spawns (after the limbo, after the death); the teamChange spawn is none
    assert (late.spawns, late.connects, late.deaths) == (2, 1, 1)
    r2 = result.truth[1]
    assert r2.player(0).deaths_detail == ()  # a switch within 600 ms: straight into play
