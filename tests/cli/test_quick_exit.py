"""``etstats ingest`` and ``rebuild`` end their process without the interpreter's teardown
(:func:`etstats.cli.run`): what a user sees is the same as a normal exit, the exit code, the
whole summary, nothing on stderr (no semaphore left to multiprocessing's resource tracker,
which would warn), and a store that is complete and opens again."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from etstats.cli import _leave
from etstats.storage.sqlite import SQLiteStorage
from etstats.testing.synthetic import season

ROUNDS = 90
"""270 files: more than a batch, so ``--jobs 1`` starts its worker early."""


def _console(*args: str) -> subprocess.CompletedProcess[str]:
    """The console script's own entry point (``etstats.cli:run``), in a fresh process."""
    return subprocess.run(
        [sys.executable, "-c", "from etstats.cli import run; run()", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "ETSTATS_LOAD_PLUGINS": "", "ETSTATS_TIMEZONE": "UTC"},
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("season")
    for art in season(ROUNDS):
        (out / art.name).write_bytes(art.data)
    return out


@pytest.mark.parametrize("jobs", ["0", "1"])
def test_ingest_and_rebuild_exit_as_before(folder: Path, tmp_path: Path, jobs: str) -> None:
    db = str(tmp_path / "store.db")
    for command in (["ingest", str(folder)], ["rebuild"]):
        done = _console(*command, "--db", db, "--jobs", jobs)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        first, store = done.stdout.splitlines()
        assert first.startswith(f"{3 * ROUNDS} file(s): {3 * ROUNDS} stored")
        assert f"{ROUNDS} round(s) ({ROUNDS} with a stats file" in store
    reopened = SQLiteStorage(db)
    try:
        assert len(reopened.rounds()) == ROUNDS
    finally:
        reopened.close()


def test_a_rejected_file_still_exits_1(folder: Path, tmp_path: Path) -> None:
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "2026-01-01-000000-supply-round-1.txt").write_text("not a stats file\n")
    done = _console("ingest", str(bad), "--db", str(tmp_path / "store.db"))
    assert done.returncode == 1, done.stderr
    assert "1 file(s): 0 stored, 0 already known, 1 rejected" in done.stdout


def test_a_running_thread_gets_the_normal_exit() -> None:
    # _leave ends the process only when no other (non-daemon) thread could still be working
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        _leave(0)  # returns: the caller goes on to sys.exit
    finally:
        release.set()
        worker.join()
