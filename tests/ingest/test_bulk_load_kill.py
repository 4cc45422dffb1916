"""A bulk load into an empty store killed with SIGKILL while its record indexes are set aside
(bulk-load mode, docs/storage.md): the store opened again has every index and every row
trigger of a fresh store, and running the load again converges on the one-by-one store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.ingest.test_batch import run_and_kill

from etstats.storage.record_indexes import record_indexes
from etstats.storage.sqlite import SQLiteStorage


def _schema(db: Path) -> list[tuple[str, str, str]]:
    raw = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = raw.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND sql IS NOT NULL ORDER BY type, name"
        ).fetchall()
    finally:
        raw.close()
    return [(str(t), str(n), str(s)) for t, n, s in rows]


def test_sigkill_during_a_bulk_load_leaves_a_store_that_heals(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    record_names = {name for name, _ in record_indexes()}
    at_kill: list[set[str]] = []

    def look(pid: int) -> None:
        del pid
        at_kill.append({name for _, name, _ in _schema(db)})

    run_and_kill(tmp_path, before_kill=look)
    # killed in the middle of the load: the record indexes were not there
    assert at_kill
    assert not record_names & at_kill[0]
    fresh = tmp_path / "fresh.db"
    SQLiteStorage(str(fresh)).close()
    # run_and_kill opened the store again (and completed it): all of them are back, as written
    assert _schema(db) == _schema(fresh)
