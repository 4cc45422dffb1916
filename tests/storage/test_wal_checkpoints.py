"""A SQLite file store's commits leave the WAL's checkpoints to a thread of their own
(:mod:`etstats.storage.wal_checkpoints`): a single arrival never waits for one, the rows still
reach the database file, and the thread ends with the store."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path

from etstats.ingest.pipeline import Pipeline
from etstats.storage.sqlite import SQLiteStorage
from etstats.testing.synthetic import season

WAIT_SECONDS = 20.0
"""How long a test waits for the background checkpoint (it takes milliseconds)."""


def _checkpointers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "etstats-wal-checkpoint"]


def _rounds_in_file_alone(db: Path, copy: Path) -> int:
    """Rounds in a copy of the database file without its WAL: what a checkpoint put there."""
    shutil.copyfile(db, copy)
    conn = sqlite3.connect(copy)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM rounds").fetchone()[0])
    finally:
        conn.close()


def test_single_arrivals_leave_the_checkpoint_to_a_thread(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    before = set(_checkpointers())
    store = SQLiteStorage(str(db))
    # the connection the arrivals commit on never checkpoints by itself
    assert store.connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    pipeline = Pipeline(store)
    for artifact in season(4):
        pipeline.ingest(artifact)
    assert len(store.rounds()) == 4
    # ... and yet the rounds reach the database file, copied there by the thread
    deadline = time.monotonic() + WAIT_SECONDS
    while _rounds_in_file_alone(db, tmp_path / "copy.db") < 4:
        assert time.monotonic() < deadline, "no checkpoint reached the database file"
        time.sleep(0.05)
    assert len(set(_checkpointers()) - before) == 1
    store.close()
    assert set(_checkpointers()) - before == set()  # the thread ends with the store


def test_a_bulk_load_checkpoints_on_its_own_and_hands_back(tmp_path: Path) -> None:
    store = SQLiteStorage(str(tmp_path / "store.db"))
    pipeline = Pipeline(store, batch_size=7)
    pipeline.ingest_many(season(6))
    assert len(store.rounds()) == 6
    # after the load the commits are the thread's to checkpoint again
    assert store.connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    store.close()


def test_a_store_in_memory_has_no_checkpoint_thread() -> None:
    before = set(_checkpointers())
    store = SQLiteStorage(":memory:")
    Pipeline(store).ingest_many(season(1))
    assert set(_checkpointers()) - before == set()
    store.close()
