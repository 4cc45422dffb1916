"""``etstats parse PATH... [--differential]``: stats files to JSON Lines on stdout.

One JSON object per input file per line (see :mod:`etstats.render.stats_json` for the keys).
Directories are walked recursively for stats files (``*-round-N.txt``, not endstats).
A file that cannot be parsed is reported on stderr and skipped; the exit code is then 3.
``--differential`` replaces each paired round-2 file by its R2-only values
(:func:`etstats.differential.differential_all`).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from etstats.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE
from etstats.cli.argtypes import timezone_name
from etstats.cli.walk import Progress, collect_files
from etstats.errors import ParseError
from etstats.model.stats import StatsRound
from etstats.parsing.filenames import is_stats_filename
from etstats.parsing.stats_file import parse_stats_file
from etstats.render.stats_json import stats_round_json


def register(subparsers: Any) -> None:
    """Add the ``parse`` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "parse",
        help="parse c0rnp0rn stats files and print one JSON object per file (JSON Lines)",
        description="Parse c0rnp0rn stats files and print one JSON object per file per line: "
        "header, provenance, players (weapons and TAB fields) and findings. "
        "Directories are searched recursively for *-round-N.txt files.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="stats file or directory")
    parser.add_argument(
        "--differential",
        action="store_true",
        help="replace each paired round-2 file by its R2-only values",
    )
    parser.add_argument(
        "--window-minutes",
        type=float,
        default=45.0,
        metavar="MIN",
        help="R1/R2 pairing window for --differential (default 45)",
    )
    parser.add_argument(
        "--timezone",
        type=timezone_name,
        default=os.environ.get("ETSTATS_TIMEZONE"),
        metavar="TZ",
        help="IANA timezone of the file names: --differential then pairs on real minutes "
        "across daylight-saving changes (default: $ETSTATS_TIMEZONE, else wall clocks)",
    )
    parser.set_defaults(func=run)


def parse_inputs(paths: list[str], *, label: str = "parse") -> tuple[list[StatsRound], int]:
    """Parse every stats file under ``paths``; ParseErrors go to stderr.

    Returns the rounds (input order) and the number of unreadable files.
    """
    files = collect_files(paths, is_stats_filename)
    progress = Progress(len(files), label=label)
    rounds: list[StatsRound] = []
    failed = 0
    for path in files:
        try:
            rounds.append(parse_stats_file(path))
        except ParseError as exc:
            failed += 1
            print(f"etstats {label}: {exc}", file=sys.stderr)
        progress.step(path.name)
    progress.done()
    return rounds, failed


def run(args: argparse.Namespace) -> int:
    """Print the JSON Lines; exit 3 if a file could not be parsed, 2 if none was found."""
    rounds, failed = parse_inputs(args.paths)
    if not rounds and not failed:
        print("etstats parse: no stats files found", file=sys.stderr)
        return EXIT_USAGE
    if args.differential:
        from etstats.differential import differential_all, utc_file_times

        times = utc_file_times(rounds, args.timezone) if args.timezone else None
        rounds = differential_all(rounds, window_minutes=args.window_minutes, timestamps=times)
    ascii_only = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "") != "utf8"
    out = sys.stdout
    for rnd in rounds:
        out.write(stats_round_json(rnd, ascii_only=ascii_only) + "\n")
    out.flush()
    return EXIT_INPUT if failed else EXIT_OK
