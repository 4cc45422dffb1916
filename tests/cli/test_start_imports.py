"""What ``etstats ingest`` and its worker processes import before they do any work.

A command's start-up is CPU a user pays on every run (and a worker's on every start): the
read API (``etstats.queries``: result types, sessions, careers, ladders), pluggy in a worker
and ``multiprocessing`` at ``--jobs 0`` are imported only where they are used. Checked in a
fresh interpreter, by module name: no timing.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import etstats.queries
from etstats.ingest.worker_processes import WORKER_MODULES


def _imported_by(*modules: str) -> set[str]:
    """The modules a fresh interpreter holds after importing ``modules``."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


READ_API = (
    "etstats.queries.types",
    "etstats.queries.careers",
    "etstats.queries.heartbeats",
    "etstats.queries.ladders",
    "etstats.queries.rounds",
    "etstats.queries.sessions",
    "etstats.queries.session_summary",
)


INGEST_RUNS = (
    "etstats.cli",
    "etstats.cli.cmd_ingest",
    "etstats.ingest.arrival_order",
    "etstats.ingest.artifacts",
    "etstats.ingest.pipeline",
    "etstats.storage.sqlite",
)
"""What ``etstats ingest`` imports before it reads a file: the command, then (once its workers
started) the modules its run imports."""


def test_the_ingest_command_starts_its_workers_before_importing_parsers_or_store() -> None:
    # its workers start as soon as the first files are found: their start then overlaps
    # with these imports instead of following them
    loaded = _imported_by("etstats.cli", "etstats.cli.cmd_ingest")
    assert "etstats.ingest.worker_processes" in loaded
    assert not loaded & {"etstats.ingest.pipeline", "etstats.ingest.artifacts", "etstats.parsing"}
    assert not {m for m in loaded if m.startswith("etstats.storage.sql")}


def test_the_ingest_command_starts_without_the_read_api_or_multiprocessing() -> None:
    loaded = _imported_by(*INGEST_RUNS)
    assert "etstats.storage.sqlite" in loaded  # the check sees the store's modules
    assert not loaded & set(READ_API), "the read API is imported before ingest reads"
    assert "multiprocessing" not in loaded, "--jobs 0 never starts a worker"
    assert "concurrent.futures.process" not in loaded


def test_a_worker_starts_without_pluggy_or_the_store() -> None:
    # what a spawned worker imports: the console script's module, then WORKER_MODULES
    loaded = _imported_by("etstats.cli", *WORKER_MODULES)
    assert "etstats.ingest.reconcile_pool" in loaded
    assert "pluggy" not in loaded
    assert not {m for m in loaded if m.startswith(("etstats.storage", "etstats.queries"))}


@pytest.mark.parametrize("name", etstats.queries.__all__)
def test_every_read_api_name_resolves_lazily(name: str) -> None:
    assert getattr(etstats.queries, name) is not None
    assert name in dir(etstats.queries)


def test_lazy_read_api_names_are_the_defining_modules_objects() -> None:
    from etstats.queries import DEFAULT_MIN_MINUTES, Career, ladders, stat_names, statdefs, types

    assert Career is types.Career
    assert stat_names is statdefs.stat_names
    assert DEFAULT_MIN_MINUTES == ladders.DEFAULT_RATE_MINUTES
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = etstats.queries.nope
