"""``etstats audit [--db URL] [--json]``: the reconciliation report from the store."""

from __future__ import annotations

import argparse
import json

from etstats.cli.storage_args import add_db_argument, open_from_args
from etstats.ingest.audit import audit_report, format_report


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
    storage = open_from_args(args, must_exist=True)
    try:
        report = audit_report(storage)
    finally:
        storage.close()
    print(json.dumps(report, indent=2, sort_keys=True) if args.json else format_report(report))
    return 1 if report["conflicts"] else 0
