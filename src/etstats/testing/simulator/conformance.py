"""Conformance: run the bundled scenarios against a gametimes script and compare with truth.

For each scenario the report lists Lua errors, leaked globals (anything a module defines
beyond ``et_*`` callbacks), obituary-chain starvation (a recorder module loaded after the
script must receive every obituary), output validity (every file parses with
:func:`etstats.parsing.gametimes.parse_gametimes_file`) and per-field differences from the
ground truth (exact, in ms).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from attrs import frozen

from etstats.serde import to_builtins
from etstats.testing.simulator.api import ScenarioResult, run_scenario
from etstats.testing.simulator.bundled import bundled_scenarios
from etstats.testing.simulator.scenario import Scenario

RECORDER_LUA = """-- etstats conformance recorder: counts the obituaries it receives
function et_Obituary(victim, killer, mod)
  local n = tonumber(et.trap_Cvar_Get("etstats_recorder_obits")) or 0
  et.trap_Cvar_Set("etstats_recorder_obits", tostring(n + 1))
end
"""
"""A second module loaded after the script under test."""


@frozen
class Diff:
    """One field whose value differs from the ground truth."""

    file: str
    path: str
    expected: object
    actual: object


@frozen
class ScenarioReport:
    """The verdict of one scenario."""

    scenario: str
    passed: bool
    lua_errors: tuple[str, ...]
    leaked_globals: tuple[str, ...]
    starvation: tuple[str, ...]
    invalid_files: tuple[str, ...]
    problems: tuple[str, ...]
    """Other failures: missing or extra files, rejected clients."""
    diffs: tuple[Diff, ...]
    hints: tuple[str, ...] = ()
    """Why the differences are likely there: the engine fact (spec 4.7) a script got wrong."""


def repo_script() -> Path | None:
    """``lua/etstats.lua`` of a source checkout this package runs from, if there is one."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "lua" / "etstats.lua"
        if candidate.is_file() and (parent / "pyproject.toml").is_file():
            return candidate
    return None


def _compare(expected: Any, actual: Any, path: str, out: list[tuple[str, object, object]]) -> None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            if key not in actual:
                out.append((f"{path}.{key}", value, "<missing>"))
            else:
                _compare(value, actual[key], f"{path}.{key}", out)
    elif isinstance(expected, list) and isinstance(actual, list):
        if path.endswith(".players"):
            _compare_players(expected, actual, path, out)
            return
        if len(expected) != len(actual):
            out.append((f"{path}.length", len(expected), len(actual)))
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            _compare(e, a, f"{path}[{i}]", out)
    elif expected != actual:
        out.append((path, expected, actual))


def _compare_players(
    expected: list[Any], actual: list[Any], path: str, out: list[tuple[str, object, object]]
) -> None:
    def keyed(players: list[Any]) -> list[tuple[str, Any]]:
        # without a GUID each connection is its own entry: the n-th entry in a slot
        seen: dict[object, int] = {}
        out: list[tuple[str, Any]] = []
        for p in players:
            if not isinstance(p, dict):
                continue
            guid = p.get("guid")
            if guid:
                out.append((str(guid), p))
                continue
            n = seen[p.get("slot")] = seen.get(p.get("slot"), 0) + 1
            out.append((f"slot{p.get('slot')}" + (f"#{n}" if n > 1 else ""), p))
        return out

    found = dict(keyed(actual))
    for k, p in keyed(expected):
        other = found.pop(k, None)
        if other is None:
            out.append((f"{path}[{k}]", "present", "<missing>"))
        else:
            _compare(p, other, f"{path}[{k}]", out)
    for k in found:
        out.append((f"{path}[{k}]", "<absent>", "present"))


_HINTS: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (
        ("limbo",),
        (".spawns", ".dead_ms", ".deaths_detail"),
        "et_ClientSpawn(n, 0, 1, 1) after a team join or switch later than 600 ms into the round "
        "is followed by limbo until the next wave: it is not a spawn into play, and the wait is "
        "dead time without a killer (a switch while dead keeps the death and its killer)",
    ),
    (
        ("end",),
        (".end.", ".round_end", ".play_ms", "gametimes file"),
        "an Exit: line is only an exit when the gamestate turns INTERMISSION within the next "
        'frame; CS_INTERMISSION stays "1" for the whole map after round 1 and et_Print also '
        'carries other modules\' G_LogPrint text; "(already triggered)" exits never replace '
        "the first",
    ),
    (
        ("pause_start",),
        (".pauses", ".paused_ms", ".pause_total_ms", ".dead_ms"),
        "the game clock freezes one frame before the pause bit is first seen and runs again from "
        "the frame before it is first clear; a pause ends by itself after 180 s",
    ),
    (
        ("spawn",),
        ("].end_level_ms", "].at_level_ms"),
        "wave spawns, exits and missile deaths happen inside the engine frame, before "
        "et_RunFrame: stamp waves and exits with the next frame's levelTime and deaths with the "
        "victim's deathTime (player_die sets it before et_Obituary)",
    ),
    (
        ("lua_restart",),
        ("gametimes file", ".emit"),
        "lua_restart gives the old VM only et_Quit and the new VM no et_InitGame: persist the "
        "round and resume it",
    ),
)
"""(trace event kinds, diff path parts, explanation): shown when the scenario had one of the
events and a difference or problem names one of the parts."""


def _hints(kinds: set[str], paths: list[str]) -> tuple[str, ...]:
    out = []
    for needed, parts, text in _HINTS:
        if kinds.intersection(needed) and any(p in path for p in parts for path in paths):
            out.append(text)
    return tuple(out)


def judge(result: ScenarioResult, obituaries_received: int) -> ScenarioReport:
    """Turn a run (with the recorder appended) into a report."""
    from etstats.errors import ParseError
    from etstats.parsing.gametimes import parse_gametimes_file

    name = result.scenario.name
    errors = tuple(f"{e.callback} @{e.level_ms}: {e.message}" for e in result.lua_errors)
    leaks = tuple(
        f"{module}: {g}"
        for module, names in sorted(result.leaked_globals.items())
        for g in sorted(names)
    )
    sent = sum(1 for e in result.trace if e.kind == "obituary")
    starvation = [
        f"{s.module} stopped {s.callback} by returning {s.value!r}; skipped "
        f"{', '.join(s.skipped) or '-'}"
        for s in result.chain_stops
    ]
    if obituaries_received < sent:
        starvation.append(f"the next module got {obituaries_received} of {sent} obituaries")
    invalid: list[str] = []
    parsed: list[tuple[str, dict[str, Any]]] = []
    for f in result.gametimes_files:
        try:
            parsed.append((f.name, to_builtins(parse_gametimes_file(f))))
        except ParseError as exc:
            invalid.append(f"{f.name}: {exc}")
    problems = [f"client {e.data['slot']} rejected" for e in result.trace if e.kind == "rejected"]
    problems += [
        f"the map was dropped (ERR_DROP, a real server would lose it): {e.data['message']}"
        for e in result.trace
        if e.kind == "dropped"
    ]
    if len(result.gametimes_files) != len(result.truth):
        problems.append(
            f"expected {len(result.truth)} gametimes file(s), got {len(result.gametimes_files)}"
        )
    parsed.sort(key=lambda item: (item[1].get("round_start_level_ms", 0), item[0]))
    diffs: list[Diff] = []
    for truth, (fname, doc) in zip(result.truth, parsed, strict=False):
        found: list[tuple[str, object, object]] = []
        _compare(to_builtins(truth), doc, "$", found)
        diffs.extend(Diff(fname, p, e, a) for p, e, a in found)
    passed = not (errors or leaks or starvation or invalid or problems or diffs)
    hints = _hints({e.kind for e in result.trace}, [d.path for d in diffs] + list(problems))
    return ScenarioReport(
        name,
        passed,
        errors,
        leaks,
        tuple(starvation),
        tuple(invalid),
        tuple(problems),
        tuple(diffs),
        hints,
    )


def check_scenario(scenario: Scenario, script: str | Path) -> ScenarioReport:
    """Run one scenario with the recorder after ``script`` and judge the result."""
    with tempfile.TemporaryDirectory(prefix="etstats-lua-check-") as tmp:
        home = Path(tmp)
        recorder = home / "zz_recorder.lua"
        recorder.write_text(RECORDER_LUA, encoding="utf-8")
        result = run_scenario(scenario, script, extra_modules=[recorder], homepath=home)
        return _judge_with_recorder(result)


def _judge_with_recorder(result: ScenarioResult) -> ScenarioReport:
    # the recorder keeps its count in a cvar so it survives VM restarts
    received = int(result.cvars.get("etstats_recorder_obits", "0") or 0)
    return judge(result, received)


def check_all(script: str | Path, names: Iterable[str] | None = None) -> list[ScenarioReport]:
    """Reports for the bundled scenarios (all, or those named)."""
    scenarios = bundled_scenarios()
    wanted = list(names) if names else list(scenarios)
    unknown = [n for n in wanted if n not in scenarios]
    if unknown:
        raise KeyError(f"unknown scenario(s): {', '.join(unknown)}")
    return [check_scenario(scenarios[n], script) for n in wanted]


def render_report(reports: list[ScenarioReport], *, limit: int = 20) -> str:
    """Human-readable text of the reports."""
    lines: list[str] = []
    for r in reports:
        lines.append(f"{'PASS' if r.passed else 'FAIL'} {r.scenario}")
        sections = (
            ("lua error", r.lua_errors),
            ("leaked global", r.leaked_globals),
            ("starvation", r.starvation),
            ("invalid output", r.invalid_files),
            ("problem", r.problems),
        )
        for label, items in sections:
            lines.extend(f"  {label}: {item}" for item in items[:limit])
            if len(items) > limit:
                lines.append(f"  ... {len(items) - limit} more {label}(s)")
        for d in r.diffs[:limit]:
            lines.append(f"  diff {d.file} {d.path}: expected {d.expected!r}, got {d.actual!r}")
        if len(r.diffs) > limit:
            lines.append(f"  ... {len(r.diffs) - limit} more diff(s)")
        lines.extend(f"  why: {h}" for h in r.hints)
    failed = sum(not r.passed for r in reports)
    lines.append(f"{len(reports) - failed} passed, {failed} failed")
    return "\n".join(lines)
