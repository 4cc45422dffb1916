"""``etstats ingest PATH... [--db URL]``: store stats, endstats and gametimes files."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etstats.cli import QUICK_EXIT, plugin_manager
from etstats.cli.jobs_arg import add_jobs_argument, jobs_from_args
from etstats.cli.storage_args import (
    Progress,
    add_db_argument,
    add_deliver_argument,
    add_source_arguments,
    add_window_argument,
    delivery_targets,
    open_from_args,
    print_summary,
)
from etstats.errors import ConfigError
from etstats.ingest.folder_walk import walk_artifact_files
from etstats.ingest.tally import IngestTally
from etstats.ingest.worker_processes import BULK_GC_THRESHOLD, started_early

if TYPE_CHECKING:
    from etstats.ingest.arrival_order import ArrivalSort

# The parsers, the pipeline and the store are imported by _run once the workers started
# (about 50 ms of imports that their start then overlaps; tests/cli/test_start_imports.py).


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "ingest",
        help="store artifacts (stats, endstats, gametimes files or folders) in a database",
        description="Archive, parse, link and store every file given (folders are searched "
        "for *.txt and *.json). Re-ingesting a file changes nothing. Exit code 1 when some "
        "file was rejected (it is still archived with its error), 3 when some file or "
        "folder could not be read (the others are still ingested). FIFOs, sockets and "
        "devices in a folder are skipped with a warning.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders")
    p.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME",
        help="also ingest what this registered artifact source yields (repeatable)",
    )
    add_db_argument(p)
    add_source_arguments(p)
    add_deliver_argument(p)
    add_window_argument(p)
    add_jobs_argument(p)
    p.set_defaults(func=run, **{QUICK_EXIT: True})  # a bulk command: see etstats.cli.run


@contextmanager
def bulk_gc() -> Iterator[None]:
    """Fewer cyclic garbage collections in a bulk command (``ingest``, ``rebuild``): the
    objects loaded so far (modules, code) are moved out of the collector's sight and the
    young generation is collected every 20,000 allocations instead of 700
    (:data:`~etstats.ingest.worker_processes.BULK_GC_THRESHOLD`, which the workers use too).
    A batch builds many short-lived objects and few cycles: about 5 % less CPU; memory stays
    bounded (the batch and the caches are). The previous settings come back when the
    command ends (it may run inside another program, such as the tests)."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*BULK_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def heap_trimmer() -> Callable[[], None]:
    """A call that hands the C heap's free pages back to the OS (glibc ``malloc_trim``; a
    no-op elsewhere). A bulk command calls it after each batch: every batch frees a few MB
    of file bytes, parse results and SQLite pages, and glibc otherwise keeps such freed
    memory resident in the gaps between live blocks, so the resident set crept up with the
    length of the run (about 25 MB after 6,000 files) though the live data stayed flat."""
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int

    def release() -> None:
        trim(0)

    return release


def run(args: argparse.Namespace) -> int:
    with bulk_gc():
        return _run(args)


EARLY_WORKERS_FILES = 256
"""More files than this (a default batch) start the workers as soon as the walk of the
folders has found that many, as an artifact source does: a small input never needs them
(``rebuild``: more archived artifacts than this start them before its clear)."""


def early_jobs(args: argparse.Namespace, files: int) -> int:
    """The workers to start before the store is opened (their start, about a quarter of a
    second, overlaps with the main process's until the first batches are read:
    :mod:`etstats.ingest.worker_processes`): ``--jobs`` for more than a batch of files or a
    source; a bad ``$ETSTATS_JOBS`` is reported later, where it always was."""
    if files <= EARLY_WORKERS_FILES and not getattr(args, "source", None):
        return 0
    try:
        return jobs_from_args(args)
    except ConfigError:
        return 0


def _run(args: argparse.Namespace) -> int:
    if not args.paths and not args.source:
        print("etstats ingest: give at least one PATH or --source NAME", file=sys.stderr)
        return 2
    warnings: list[str] = []

    def warn(message: str) -> None:
        warnings.append(message)
        print(f"etstats ingest: {message}", file=sys.stderr)

    walk = walk_artifact_files(args.paths, warn=warn)
    # The first files found say whether the workers are wanted (a source always wants them:
    # its artifacts are checked first, below). They start now: their start overlaps with
    # loading the plugins and walking and sorting the rest (0.1 s at 3,000 files).
    head = [] if args.source else list(islice(walk, EARLY_WORKERS_FILES + 1))
    with started_early(early_jobs(args, len(head))):
        from etstats.ingest.arrival_order import ArrivalSort

        pm = plugin_manager(args)
        sources = _sources(pm, args.source)
        # Listed and sorted outside memory: a backfill's path list would grow with its size.
        with ArrivalSort(args.timezone) as files:
            for group, path in chain(head, walk):
                files.add(group, path)
            del head
            return _ingest(args, pm, sources, files, warnings)


def _sources(pm: Any, names: list[str]) -> dict[str, Any]:
    """The registered artifact sources; :class:`ConfigError` if one of ``names`` is not."""
    from etstats.plugins import registered

    sources: dict[str, Any] = registered(pm, "etstats_register_sources")
    unknown = [s for s in names if s not in sources]
    if unknown:
        known = ", ".join(sorted(sources)) or "none"
        raise ConfigError(f"unknown artifact source(s) {', '.join(unknown)} (registered: {known})")
    return sources


def _ingest(
    args: argparse.Namespace,
    pm: Any,
    sources: dict[str, Any],
    files: ArrivalSort,
    warnings: list[str],
) -> int:
    from etstats.ingest.artifacts import MAX_ARTIFACT_BYTES, Artifact
    from etstats.ingest.pipeline import Pipeline

    # only a PATH given as a file can be missing: a folder's files were just listed
    missing = [str(p) for p in map(Path, args.paths) if not p.is_dir() and not p.exists()]
    if missing:
        print(f"etstats ingest: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 3
    if args.paths and not files.count and not args.source and not warnings:
        print(
            "etstats ingest: no stats, endstats or gametimes files found in "
            + ", ".join(args.paths),
            file=sys.stderr,
        )
        return 2
    storage = open_from_args(args, pm)
    try:
        pipeline = Pipeline(
            storage,
            pm=pm,
            timezone=args.timezone,
            pair_window_minutes=args.window_minutes,
            deliver=delivery_targets(args.deliver, pm),
            jobs=jobs_from_args(args),
        )
        # a round's files next to each other: one batch links and reconciles it once
        progress = Progress(files.count)
        unreadable = 0

        def artifacts() -> Iterator[Artifact]:
            # Read lazily: the pipeline takes them in batches (one transaction each).
            nonlocal unreadable
            for path in files:
                try:
                    artifact = Artifact.from_path(path, server=args.server)
                except OSError as exc:
                    print(
                        f"etstats ingest: cannot read {path}: {exc.strerror or exc}",
                        file=sys.stderr,
                    )
                    unreadable += 1
                    continue
                if len(artifact.data) > MAX_ARTIFACT_BYTES:
                    print(
                        f"etstats ingest: skipped {path}: larger than {MAX_ARTIFACT_BYTES} bytes",
                        file=sys.stderr,
                    )
                    unreadable += 1
                    continue
                yield artifact
            for name in args.source:
                yield from sources[name]()

        summary = IngestTally()  # counted as it goes: memory flat in the number of files
        trim = heap_trimmer()
        for result in pipeline.iter_ingest(artifacts(), progress=progress):
            summary.add(result)
            if summary.files % pipeline.batch_size == 0:
                trim()
        progress.finish()
        print_summary(summary, storage)
        if unreadable or any(w.startswith("cannot read") for w in warnings):
            return 3
        return 1 if summary.count("rejected") else 0
    finally:
        storage.close()
