"""Scenarios as data: JSON round trips, errors, and lua-check --scenario-file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from etstats.cli import main
from etstats.errors import ParseError, ValidationError
from etstats.testing.simulator import Scenario, ScenarioError, run_scenario, scenario_io
from etstats.testing.simulator.bundled import bundled_scenarios
from etstats.testing.simulator.scenario_io import (
    load_scenario,
    scenario_from_json,
    scenario_to_json,
)
from etstats.testing.simulator.strategies import scenarios

pytestmark = pytest.mark.lua

EXAMPLE = (scenario_io.__doc__ or "")[(scenario_io.__doc__ or "").index('{"name"') :]


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_bundled_scenarios_round_trip_through_json(name: str) -> None:
    scenario = bundled_scenarios()[name]
    assert scenario_from_json(scenario_to_json(scenario)) == scenario


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_random_scenarios_round_trip_through_json(scenario: Scenario) -> None:
    assert scenario_from_json(scenario_to_json(scenario)) == scenario


def test_documented_example_loads_and_plays(tmp_path: Path) -> None:
    scenario = scenario_from_json(EXAMPLE)
    result = run_scenario(scenario, tmp_path / "no-script.lua", homepath=tmp_path)
    [truth] = result.truth
    assert truth.end.reason == "objective"
    assert truth.pause_total_ms == 11_000  # 1 s + the 10 s resume countdown
    assert truth.player("0123456789ABCDEF0123456789ABCDEF").deaths == 1


def test_bad_scenarios_raise_parse_or_validation_errors(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="not JSON"):
        scenario_from_json("{", source="x.json")
    with pytest.raises(ValidationError) as info:
        scenario_from_json(EXAMPLE.replace('"Pause"', '"Nap"'))
    assert info.value.problems
    with pytest.raises(ParseError, match="cannot read"):
        load_scenario(tmp_path / "missing.json")


def test_impossible_event_names_the_event(tmp_path: Path) -> None:
    scenario = scenario_from_json(
        EXAMPLE.replace('"victim": 0, "killer": 1', '"victim": 5, "killer": 1')
    )
    with pytest.raises(ScenarioError) as info:
        run_scenario(scenario, tmp_path / "none.lua", homepath=tmp_path)
    assert info.value.event == scenario.rounds[0].events[0]


def test_lua_check_runs_scenario_files(
    etstats_lua: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mine.json"
    path.write_text(EXAMPLE, encoding="utf-8")
    assert main(["lua-check", str(etstats_lua), "--scenario-file", str(path)]) == 0
    out = capsys.readouterr().out
    assert "PASS mine" in out
    assert "1 passed, 0 failed" in out
    bad = tmp_path / "bad.json"
    bad.write_text("[", encoding="utf-8")
    assert main(["lua-check", str(etstats_lua), "--scenario-file", str(bad)]) == 3
