"""``etstats validate PATH... [--json] [--min-severity S]``: findings of stats files.

Prints a table (file, line, severity, code, message) or, with ``--json``, one JSON object per
finding per line. Unreadable files are listed with code ``parse-error``. Exit code: 3 if any
file could not be parsed, else 1 if any error-severity finding, else 0 (the exit code does
not depend on ``--min-severity``, which only filters what is printed).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from etstats.cli import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE
from etstats.cli.walk import Progress, collect_files
from etstats.errors import ParseError
from etstats.model.common import Severity
from etstats.parsing.filenames import is_stats_filename
from etstats.parsing.stats_file import parse_stats_file
from etstats.serde import to_builtins

_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}
COLUMNS = ("file", "line", "severity", "code", "message")


def register(subparsers: Any) -> None:
    """Add the ``validate`` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "validate",
        help="check c0rnp0rn stats files and list their findings",
        description="Parse and check c0rnp0rn stats files; print the findings as a table "
        "(or JSON Lines). Exit 1 on error findings, 3 on unreadable files.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="stats file or directory")
    parser.add_argument("--json", action="store_true", help="one JSON object per finding")
    parser.add_argument(
        "--min-severity",
        choices=[s.value for s in Severity],
        default="warning",
        help="lowest severity printed (default: warning)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate every file; see the module docstring for the exit codes."""
    files = collect_files(args.paths, is_stats_filename)
    if not files:
        print("etstats validate: no stats files found", file=sys.stderr)
        return EXIT_USAGE
    threshold = _RANK[Severity(args.min_severity)]
    rows: list[dict[str, Any]] = []
    counts = dict.fromkeys(Severity, 0)
    unreadable = 0
    progress = Progress(len(files), label="validate")
    for path in files:
        try:
            rnd = parse_stats_file(path)
        except ParseError as exc:
            unreadable += 1
            rows.append(
                {
                    "file": str(path),
                    "line": exc.line,
                    "severity": "error",
                    "code": "parse-error",
                    "message": str(exc),
                    "field": exc.field,
                    "expected": exc.expected,
                    "actual": exc.actual,
                }
            )
            progress.step(path.name)
            continue
        for finding in rnd.findings:
            counts[finding.severity] += 1
            if _RANK[finding.severity] >= threshold:
                row = to_builtins(finding)
                row.pop("source", None)
                rows.append({"file": str(path), **row})
        progress.step(path.name)
    progress.done()
    if args.json:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        _print_table(rows)
    print(
        f"{len(files)} file(s): {counts[Severity.ERROR]} error(s), "
        f"{counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} info, "
        f"{unreadable} unreadable",
        file=sys.stderr,
    )
    if unreadable:
        return EXIT_INPUT
    return EXIT_FINDINGS if counts[Severity.ERROR] else EXIT_OK


def _print_table(rows: list[dict[str, Any]]) -> None:
    cells = [[("" if row[c] is None else str(row[c])) for c in COLUMNS] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(COLUMNS[:-1])]
    out = sys.stdout
    head = [c.upper() for c in COLUMNS]
    for r in [head, *cells]:
        out.write(
            "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=False)) + "  " + r[-1] + "\n"
        )
    out.flush()
