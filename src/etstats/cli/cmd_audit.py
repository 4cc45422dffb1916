"""``etstats audit [--db URL] [--json]``: the reconciliation report from the store."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack

from etstats.cli.storage_args import add_db_argument, open_from_args
from etstats.ingest.audit import report_lines, spooled_audit
from etstats.ingest.spool import write_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "audit",
        help="report linking and reconciliation results stored in the database",
        description="Exit code 1 when a round's reconciliation verdict is 'conflict'.",
    )
    add_db_argument(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with ExitStack() as spools:
        storage = open_from_args(args, must_exist=True)
        try:
            # long lists wait in temporary files and are written as read: memory stays flat
            report = spools.enter_context(spooled_audit(storage))
        finally:
            storage.close()
        out = sys.stdout
        if args.json:
            write_json(report, out)  # as json.dumps(report, indent=2, sort_keys=True)
            out.write("\n")
        else:
            for line in report_lines(report):
                out.write(line + "\n")
        return 1 if len(report["conflicts"]) else 0
