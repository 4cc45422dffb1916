"""``--jobs N`` of the bulk commands (``ingest``, ``rebuild``): parse workers."""

from __future__ import annotations

import argparse

from etstats.ingest.worker_processes import JOBS_ENV, default_jobs


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, not {text!r}")
    return value


def add_jobs_argument(parser: argparse.ArgumentParser) -> None:
    """``--jobs N``: worker processes that parse the next batch while this one writes it."""
    parser.add_argument(
        "--jobs",
        type=_count,
        default=None,
        metavar="N",
        help="worker processes that parse the next batch while this one writes the "
        f"current batch (default: ${JOBS_ENV}, else 1 on a machine with two or more cores and "
        "0 on one; 0: everything in this process). Workers run at the lowest priority, so "
        "they take only idle CPU, and start only for more than a batch of files. The store "
        "is the same either way",
    )


def jobs_from_args(args: argparse.Namespace) -> int:
    """``--jobs``, else :func:`etstats.ingest.worker_processes.default_jobs` (``ConfigError`` for a
    bad ``$ETSTATS_JOBS``)."""
    jobs: int | None = args.jobs
    return default_jobs() if jobs is None else jobs
