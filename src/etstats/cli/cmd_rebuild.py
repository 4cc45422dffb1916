"""``etstats rebuild [--db URL]``: re-derive every round from the archived raw artifacts."""

from __future__ import annotations

import argparse

from etstats.cli import QUICK_EXIT, plugin_manager
from etstats.cli.cmd_ingest import bulk_gc, early_jobs, heap_trimmer
from etstats.cli.jobs_arg import add_jobs_argument, jobs_from_args
from etstats.cli.storage_args import (
    Progress,
    add_db_argument,
    add_window_argument,
    open_from_args,
    print_summary,
)
from etstats.ingest.pipeline import Pipeline
from etstats.ingest.tally import IngestTally
from etstats.ingest.worker_processes import started_early


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "rebuild",
        help="re-parse and re-link every archived artifact (after an upgrade)",
        description="Delete every derived row and rebuild rounds from the raw bytes kept in "
        "the store. Previously rejected artifacts are tried again.",
    )
    add_db_argument(p)
    add_window_argument(p)
    add_jobs_argument(p)
    p.set_defaults(func=run, **{QUICK_EXIT: True})  # a bulk command: see etstats.cli.run


def run(args: argparse.Namespace) -> int:
    with bulk_gc():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    pm = plugin_manager(args)
    storage = open_from_args(args, pm, must_exist=True)
    try:
        # counted by the database: listing every artifact record would grow with the store
        archived = sum(storage.store_counts(brief=True).artifacts.values())
        progress = Progress(archived)
        # the workers start (about a quarter of a second) while the store is cleared
        with started_early(early_jobs(args, archived)):
            pipeline = Pipeline(
                storage, pm=pm, pair_window_minutes=args.window_minutes, jobs=jobs_from_args(args)
            )
            summary = IngestTally()  # counted as it goes: memory flat in the store size
            trim = heap_trimmer()
            for result in pipeline.iter_rebuild(progress=progress):
                summary.add(result)
                if summary.files % pipeline.batch_size == 0:
                    trim()
        progress.finish()
        print_summary(summary, storage)
        return 1 if summary.count("rejected") else 0
    finally:
        storage.close()
