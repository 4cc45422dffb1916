"""``run_scenario``: play a scenario against Lua modules and collect everything observable."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from attrs import frozen

from etstats.testing.simulator.clock import SimClock
from etstats.testing.simulator.engine import ChainStop, Engine, LuaErrorRecord
from etstats.testing.simulator.runner import Runner
from etstats.testing.simulator.scenario import Scenario
from etstats.testing.simulator.trace import TraceEvent
from etstats.testing.simulator.truth import GroundTruth, compute_truth


@frozen
class ScenarioResult:
    """What one scenario run produced."""

    scenario: Scenario
    gametimes_files: tuple[Path, ...]
    """``*.json`` files the script wrote below ``<homepath>/legacy/gametimes/``, by name."""
    truth: tuple[GroundTruth, ...]
    """One entry per round that reached PLAYING, in play order."""
    lua_errors: tuple[LuaErrorRecord, ...]
    console_lines: tuple[str, ...]
    leaked_globals: dict[str, frozenset[str]]
    """Module file name -> globals it created that are not ``et_*`` callbacks."""
    chain_stops: tuple[ChainStop, ...]
    """Every ``et_Obituary``/``et_ClientConnect`` walk a module stopped by returning a value."""
    trace: tuple[TraceEvent, ...]
    homepath: Path
    modnames: tuple[str, ...]
    cvars: dict[str, str]
    """The engine's cvars when the run ended (scripts may persist state in cvars)."""


def run_scenario(
    scenario: Scenario,
    script_path: str | Path,
    *,
    extra_modules: Sequence[str | Path] = (),
    homepath: Path | None = None,
    wall_base_unix: int | None = None,
    on_frame: Callable[[Engine], None] | None = None,
) -> ScenarioResult:
    """Play ``scenario`` with ``lua_modules = script_path + extra_modules``.

    Files go below ``homepath`` (a new temporary directory when ``None``; it is not deleted,
    so the caller can read the gametimes files). ``wall_base_unix`` sets the simulated
    ``os.time()`` at the start (UTC epoch seconds; e.g. to meet a real receiver's clock);
    ``on_frame`` is called after every ``et_RunFrame``.
    """
    home = homepath if homepath is not None else Path(tempfile.mkdtemp(prefix="etstats-sim-"))
    modules = [Path(script_path), *(Path(m) for m in extra_modules)]
    clock = SimClock() if wall_base_unix is None else SimClock(wall_base_unix=wall_base_unix)
    engine = Engine(modules, home, max_clients=scenario.max_clients, clock=clock, on_frame=on_frame)
    runner = Runner(scenario, engine)
    trace = runner.run()
    outdir = home / engine.cvars["fs_game"] / "gametimes"
    files = tuple(sorted(outdir.glob("*.json"))) if outdir.is_dir() else ()
    return ScenarioResult(
        scenario=scenario,
        gametimes_files=files,
        truth=tuple(compute_truth(scenario, trace)),
        lua_errors=tuple(engine.lua_errors),
        console_lines=tuple(engine.console),
        leaked_globals={k: frozenset(v) for k, v in engine.leaks.items()},
        chain_stops=tuple(engine.chain_stops),
        trace=tuple(trace),
        homepath=home,
        modnames=tuple(engine.modnames),
        cvars=dict(engine.cvars),
    )
