"""``etstats reconcile PATH...``: which number is right, and why.

Reads stats files, endstats files and gametimes (slomix legacy or etstats v1), in any mix of
files and directories, links them into rounds and prints one table per round and a summary
(``--json`` for machines). ``--fail-on conflict`` exits 1 when a comparison has that verdict
or a worse one (for CI). ``--plot out.png`` draws the dead-time scatter;
``--spawn-audit`` prints the spawn audit (JSON) instead of the tables.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
from typing import TYPE_CHECKING, Any

from etstats.cli import EXIT_OK, EXIT_USAGE
from etstats.cli.argtypes import timezone_name

if TYPE_CHECKING:
    from etstats.model.common import Finding
    from etstats.reconciliation.loader import LoadedArtifact

EXIT_FINDINGS = 1
EXIT_UNREADABLE = 3


def _offset(text: str) -> int:
    """``+2``, ``-5``, ``+05:30``, ``5.5`` (hours) -> seconds east of UTC."""
    m = re.fullmatch(r"([+-]?)(\d{1,2}):(\d{2})", text.strip())
    if m:
        sign = -1 if m[1] == "-" else 1
        return sign * (int(m[2]) * 3600 + int(m[3]) * 60)
    try:
        hours = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a UTC offset: {text!r}") from None
    if not -14 <= hours <= 14:
        raise argparse.ArgumentTypeError(f"UTC offset out of range: {text!r}")
    return round(hours * 3600)


def register(subparsers: Any) -> None:
    """Add the ``reconcile`` subcommand."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "reconcile", help="reconcile stats files, endstats and Lua gametimes", description=__doc__
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or directories")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--fail-on",
        choices=("conflict", "explained", "tolerated"),
        default=None,
        help="exit 1 if any comparison has this verdict or a worse one",
    )
    p.add_argument(
        "--utc-offset",
        type=_offset,
        action="append",
        default=None,
        metavar="HOURS",
        help="server UTC offset (+1, -05:00; repeat for DST); inferred from the data when omitted",
    )
    p.add_argument(
        "--limbo",
        type=float,
        default=None,
        metavar="SECONDS",
        help="respawn wave period to assume without Lua data (default 30)",
    )
    p.add_argument(
        "--window",
        "--window-minutes",
        dest="window",
        type=float,
        default=45.0,
        metavar="MINUTES",
        help="R1/R2 pairing window (default 45)",
    )
    p.add_argument(
        "--timezone",
        type=timezone_name,
        default=os.environ.get("ETSTATS_TIMEZONE"),
        metavar="TZ",
        help="IANA timezone of the stats file names: R1/R2 pairing "
        "then uses real minutes across daylight-saving changes (default: "
        "$ETSTATS_TIMEZONE, else the file-name wall clocks as written)",
    )
    p.add_argument("--all", action="store_true", help="also list agreeing comparisons")
    p.add_argument("--plot", metavar="PNG", help="write the dead-time scatter plot")
    p.add_argument(
        "--spawn-audit",
        action="store_true",
        help="print the spawn audit (JSON) instead of the tables",
    )
    p.add_argument("--limit", type=int, default=200, help="spawn audit: rows (1..1000)")
    p.add_argument(
        "--diff-seconds",
        type=float,
        default=30.0,
        help="spawn audit: diff_gt_threshold flag (0..3600)",
    )
    p.set_defaults(func=run)


_RANK = {"agree": 0, "tolerated": 1, "explained": 2, "conflict": 3}


def run(args: argparse.Namespace) -> int:
    from etstats.reconciliation import load_paths

    artifacts, problems = load_paths(args.paths)
    # The parsed inputs stay alive until the report is printed: keep the cycle collector from
    # re-scanning them on every full collection while the engine allocates its results (a
    # large season); unfrozen afterwards for callers of main() in a longer-lived process.
    gc.freeze()
    try:
        return _report(args, artifacts, problems)
    finally:
        gc.unfreeze()


def _report(
    args: argparse.Namespace, artifacts: list[LoadedArtifact], problems: list[Finding]
) -> int:
    from etstats.reconciliation import reconcile
    from etstats.reconciliation.report import format_report
    from etstats.serde import to_builtins

    if not artifacts:
        for f in problems:
            print(f"etstats reconcile: {f.source}: {f.message}", file=sys.stderr)
        if not problems:
            print("etstats reconcile: no stats, endstats or gametimes files found", file=sys.stderr)
        return EXIT_UNREADABLE
    report = reconcile(
        artifacts,
        utc_offset_seconds=args.utc_offset,
        limbo_s=args.limbo,
        window_minutes=args.window,
        timezone=args.timezone,
    )
    if problems:
        import attrs

        report = attrs.evolve(report, findings=(*problems, *report.findings))
    if args.plot:
        from etstats.reconciliation.plot import plot_dead_time

        plot_dead_time(report, args.plot)
    if args.spawn_audit:
        from etstats.reconciliation.spawn_audit import spawn_audit

        if not 1 <= args.limit <= 1000 or not 0 <= args.diff_seconds <= 3600:
            print(
                "etstats reconcile: --limit must be 1..1000, --diff-seconds 0..3600",
                file=sys.stderr,
            )
            return EXIT_USAGE
        print(
            json.dumps(
                spawn_audit(report, limit=args.limit, diff_seconds=args.diff_seconds),
                indent=2,
                ensure_ascii=False,
            )
        )
    elif args.json:
        data = to_builtins(report)
        data["summary"] = {"verdicts": report.verdict_counts(), "causes": report.cause_counts()}
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(format_report(report, show_agree=args.all))
    if args.fail_on is not None:
        worst = max((_RANK[c.verdict.value] for c in report.comparisons()), default=0)
        if worst >= _RANK[args.fail_on]:
            return EXIT_FINDINGS
    return EXIT_OK
