"""Gametimes v1 files written by the real ``lua/etstats.lua`` (run under the simulator) load and
reconcile: every file is read, its internal checks agree, and the dead time the engine reads
from them is the simulator's ground truth."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from tests.helpers import need

from etstats.reconciliation import Verdict, load_paths, reconcile

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.lua


@pytest.mark.parametrize("name", ["stopwatch_map", "pauses", "admin_restart"])
def test_script_output_reconciles(name: str, tmp_path: Path) -> None:
    need(importlib.util.find_spec("lupa") is not None, "lupa is not installed")
    script = ROOT / "lua" / "etstats.lua"
    need(script.is_file(), "lua/etstats.lua not found")
    from etstats.testing.simulator import run_scenario
    from etstats.testing.simulator.bundled import bundled_scenarios

    result = run_scenario(bundled_scenarios()[name], script, homepath=tmp_path)
    files = list(result.gametimes_files)
    assert files
    artifacts, problems = load_paths(files)
    assert problems == []
    assert {a.kind for a in artifacts} == {"gametimes"}
    report = reconcile(artifacts)
    assert len(report.rounds) == len(files)
    assert all(u.reason == "no stats files given" for u in report.unmatched)
    checks = report.comparisons()
    assert checks
    assert [c for c in checks if c.verdict is not Verdict.AGREE] == []
    for rnd, truth in zip(report.rounds, result.truth, strict=True):
        assert (rnd.round, rnd.lua_end_unix) == (truth.round, truth.round_end_unix)
        want = {p.guid[:8]: p.dead_ms / 1000 for p in truth.players if p.guid}
        got = {
            c.player: c.sources[0].value for c in rnd.comparisons if c.check == "lua-dead-le-played"
        }
        assert got == want
