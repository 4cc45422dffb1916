"""Random valid scenarios: lua/etstats.lua reports exactly the simulator's ground truth."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from tests.helpers import need

from etstats.testing.simulator import Scenario, run_scenario
from etstats.testing.simulator.conformance import check_scenario, render_report
from etstats.testing.simulator.strategies import make_playable, scenarios

pytestmark = [pytest.mark.lua, pytest.mark.property]

SCRIPT = Path(__file__).resolve().parents[2] / "lua" / "etstats.lua"
SETTINGS = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    deadline=None,  # a scenario takes 0.1-1 s, more on a busy machine: no timing here
)


def _script() -> Path:
    need(SCRIPT.is_file(), f"{SCRIPT} not found")
    return SCRIPT


@SETTINGS
@given(scenarios(latin1_names=False))
def test_script_equals_truth_with_utf8_names(scenario: Scenario) -> None:
    report = check_scenario(scenario, _script())
    assert report.lua_errors == ()
    assert report.passed, render_report([report])


@SETTINGS
@given(scenarios(latin1_names=True))
def test_script_equals_truth_with_latin1_names(scenario: Scenario) -> None:
    report = check_scenario(scenario, _script())
    assert report.lua_errors == ()
    assert report.passed, render_report([report])


@SETTINGS
@given(scenarios())
def test_truth_invariants(scenario: Scenario) -> None:
    """Truth is self-consistent: play time, dead time and denied time add up."""
    with tempfile.TemporaryDirectory() as tmp:
        result = run_scenario(scenario, Path(tmp) / "no-script.lua", homepath=Path(tmp))
    for truth in result.truth:
        assert truth.pause_total_ms == sum(p.duration_ms for p in truth.pauses)
        assert 0 <= truth.play_ms <= truth.round_end_level_ms - truth.round_start_level_ms + 50
        denied = sum(p.denied_ms for p in truth.players)
        enemy = sum(d.dead_ms for p in truth.players for d in p.deaths_detail if d.kind == "enemy")
        assert denied == enemy
        for p in truth.players:
            assert p.dead_ms == sum(d.dead_ms for d in p.deaths_detail)
            # limbo waits after team joins are dead time but not deaths
            assert p.deaths == sum(d.kind != "team_change" for d in p.deaths_detail)
            assert p.time_axis_ms + p.time_allies_ms <= truth.play_ms + 50


def test_make_playable_drops_impossible_events() -> None:
    from etstats.testing.simulator import Kill, PlayerSpec, Revive, RoundSpec, guid_for

    players = (PlayerSpec(0, guid_for(0), "a", 1), PlayerSpec(1, guid_for(1), "b", 2))
    impossible = (Kill(1_000, 0, 1, gib=True), Revive(2_000, 0, 1), Kill(3_000, 0, 1))
    sc = Scenario("x", "", players, (RoundSpec(events=impossible),), timelimit_min=0.25)
    fixed = make_playable(sc)
    assert fixed.rounds[0].events == (Kill(1_000, 0, 1, gib=True),)
