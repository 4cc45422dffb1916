"""``etstats lua-check [SCRIPT] [--scenario NAME] [--json]``: conformance of a gametimes script.

Runs the simulator's bundled scenarios (docs/simulator.md) against SCRIPT (default: the
repository's ``lua/etstats.lua`` when running from a source checkout; an installed,
non-editable package has no script, so SCRIPT must then be given) and prints one verdict per
scenario. ``--scenario-file`` adds scenarios written as JSON (without ``--scenario`` only those
files run). Exit 0 when every scenario passes, 1 otherwise, 2 for a usage error, 3 for an
unreadable scenario file.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INPUT = 0, 1, 2, 3


def register(subparsers: Any) -> None:
    """Add the ``lua-check`` subcommand."""
    parser = subparsers.add_parser(
        "lua-check",
        help="run the simulator's scenarios against a Lua gametimes script",
        description=__doc__,
    )
    parser.add_argument("script", nargs="?", help="the Lua script (default: lua/etstats.lua)")
    parser.add_argument(
        "--scenario", action="append", metavar="NAME", help="run only this scenario (repeatable)"
    )
    parser.add_argument(
        "--scenario-file",
        action="append",
        metavar="PATH",
        help="also run this scenario JSON file (docs/simulator.md; repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    parser.add_argument("--list", action="store_true", help="list the bundled scenarios")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the check; the exit code."""
    from etstats.errors import ParseError
    from etstats.serde import to_builtins
    from etstats.testing.simulator.bundled import bundled_scenarios
    from etstats.testing.simulator.conformance import (
        check_all,
        check_scenario,
        render_report,
        repo_script,
    )
    from etstats.testing.simulator.scenario_io import load_scenario

    if args.list:
        for name, scenario in bundled_scenarios().items():
            print(f"{name}: {' '.join(scenario.description.split())}")
        return EXIT_OK
    script = Path(args.script) if args.script else repo_script()
    if script is None:
        print("etstats lua-check: no SCRIPT given and no lua/etstats.lua next to the package")
        return EXIT_USAGE
    if not script.is_file():
        print(f"etstats lua-check: {script}: no such file")
        return EXIT_USAGE
    try:
        files = [load_scenario(path) for path in args.scenario_file or ()]
    except ParseError as exc:
        print(f"etstats lua-check: {exc}")
        return EXIT_INPUT
    try:
        reports = check_all(script, args.scenario) if args.scenario or not files else []
    except KeyError as exc:
        print(f"etstats lua-check: {exc.args[0]}")
        return EXIT_USAGE
    reports += [check_scenario(scenario, script) for scenario in files]
    if args.json:
        print(json.dumps(to_builtins(reports), indent=2, default=repr))
    else:
        print(render_report(reports))
    return EXIT_OK if all(r.passed for r in reports) else EXIT_FAIL
