"""``etstats watch DIR... [--db URL]``: ingest new files as they land."""

from __future__ import annotations

import argparse
import contextlib
import sys

from etstats.cli import plugin_manager
from etstats.cli.storage_args import (
    add_db_argument,
    add_deliver_argument,
    add_source_arguments,
    add_window_argument,
    delivery_targets,
    open_from_args,
)
from etstats.ingest.pipeline import IngestResult, Pipeline
from etstats.ingest.watch import DEFAULT_SETTLE_SECONDS, Watcher


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "watch",
        help="ingest new files from folders as they appear (gamestats/, gametimes/)",
        description="Poll the folders and ingest each new file once it has settled (unchanged "
        "for --settle-seconds and not open for writing). A rejected file is not retried "
        "until it changes. "
        "Runs until interrupted (Ctrl-C) unless --once or --max-seconds is given.",
    )
    p.add_argument("dirs", nargs="+", metavar="DIR")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between scans")
    p.add_argument(
        "--settle-seconds",
        type=float,
        default=DEFAULT_SETTLE_SECONDS,
        metavar="SEC",
        help="take a file only after its size and time stayed the same this long, in seconds "
        f"(default {DEFAULT_SETTLE_SECONDS:g}); files a process still has open for writing "
        "are never taken (Linux)",
    )
    p.add_argument("--once", action="store_true", help="ingest what is there now and exit")
    p.add_argument("--max-seconds", type=float, default=None, help="stop after this long")
    add_db_argument(p)
    add_source_arguments(p)
    add_deliver_argument(p)
    add_window_argument(p)
    p.set_defaults(func=run)


def _report(result: IngestResult) -> None:
    extra = f": {result.error}" if result.error else ""
    rounds = f" -> round(s) {', '.join(map(str, result.round_ids))}" if result.round_ids else ""
    print(f"{result.status} {result.name}{rounds}{extra}", flush=True)


def _warn(message: str) -> None:
    print(f"etstats watch: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    pm = plugin_manager(args)
    from etstats.outbox.registry import worker_sinks
    from etstats.outbox.worker import start_worker

    storage = open_from_args(args, pm)
    worker = None
    try:
        targets = delivery_targets(args.deliver, pm)
        pipeline = Pipeline(
            storage,
            pm=pm,
            timezone=args.timezone,
            pair_window_minutes=args.window_minutes,
            deliver=targets,
        )
        sinks = worker_sinks(targets, pm)
        if sinks and not args.once:  # posts go out while watching; --once leaves them queued
            worker = start_worker(storage, sinks, interval=args.interval)
        watcher = Watcher(
            pipeline, args.dirs, server=args.server, settle_seconds=args.settle_seconds, warn=_warn
        )
        if args.once:
            for result in watcher.scan(settle=False):
                _report(result)
            return 0
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the normal way to stop
            watcher.run(interval=args.interval, max_seconds=args.max_seconds, report=_report)
        return 0
    finally:
        if worker is not None:
            worker.stop()
        storage.close()
