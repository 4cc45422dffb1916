"""A public simulator of the engine side of the ET:Legacy Lua API (docs/simulator.md).

Runs Lua modules under real Lua 5.4 (``lupa.lua54``), one VM per module, through a scripted
stopwatch map (warmup, countdown, map_restart, play, pauses, exit, intermission, R2), and
computes the ground truth a correct gametimes script must report.
"""

from __future__ import annotations

from etstats.testing.simulator.api import ScenarioResult, run_scenario
from etstats.testing.simulator.bundled import bundled_scenarios
from etstats.testing.simulator.conformance import (
    Diff,
    ScenarioReport,
    check_all,
    check_scenario,
    render_report,
)
from etstats.testing.simulator.engine import ChainStop, Client, Engine, LuaErrorRecord
from etstats.testing.simulator.scenario import (
    CallVote,
    Connect,
    Disconnect,
    Ending,
    EndKind,
    Event,
    Gib,
    Kill,
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
from etstats.testing.simulator.truth import GroundTruth, TruthDeath, TruthPlayer, compute_truth

__all__ = [
    "CallVote",
    "ChainStop",
    "Client",
    "Connect",
    "Diff",
    "Disconnect",
    "EndKind",
    "Ending",
    "Engine",
    "Event",
    "Gib",
    "GroundTruth",
    "Kill",
    "LuaErrorRecord",
    "Pause",
    "PlayerSpec",
    "Rename",
    "Revive",
    "RoundSpec",
    "Scenario",
    "ScenarioError",
    "ScenarioReport",
    "ScenarioResult",
    "TeamChange",
    "TruthDeath",
    "TruthPlayer",
    "Unpause",
    "bundled_scenarios",
    "check_all",
    "check_scenario",
    "compute_truth",
    "guid_for",
    "render_report",
    "run_scenario",
]
