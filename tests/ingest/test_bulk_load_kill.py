"""A bulk load into an empty store killed with SIGKILL while its GUID index is set aside
(bulk-load mode, docs/storage.md): the store opened again has every index and every row
trigger of a fresh store, and running the load again converges on the one-by-one store. The
same for ``rebuild``: killed part-way, the archive is whole and a second run converges."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.ingest.test_batch import run_and_kill

from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.storage.line_indexes import line_indexes
from etstats.storage.sqlite import SQLiteStorage
from etstats.storage.testing import snapshot
from etstats.testing.synthetic import season


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
    aside_names = {name for name, _ in line_indexes()}
    at_kill: list[set[str]] = []

    owed: list[int] = []

    def look(pid: int) -> None:
        del pid
        at_kill.append({name for _, name, _ in _schema(db)})
        raw = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            owed.append(int(raw.execute("SELECT COUNT(*) FROM totals_refill").fetchone()[0]))
        finally:
            raw.close()

    run_and_kill(tmp_path, before_kill=look)
    # killed in the middle of the load: the GUID index was not there
    assert at_kill
    assert not aside_names & at_kill[0]
    assert owed == [1]  # and the running totals were owed (computed by the next open)
    fresh = tmp_path / "fresh.db"
    SQLiteStorage(str(fresh)).close()
    # run_and_kill opened the store again (and completed it): all of them are back, as written
    assert _schema(db) == _schema(fresh)


_REBUILD_CHILD = """
import json, sys
from etstats.ingest import bulk_stream
from etstats.ingest.pipeline import Pipeline
from etstats.storage.sqlite import SQLiteStorage

bulk_stream.ARCHIVE_WINDOW_BATCHES = 2  # windows of 12 records: several windows, held-over seconds
store = SQLiteStorage(sys.argv[1])
def ack(result):
    print(json.dumps([result.sha256, result.status]), flush=True)
Pipeline(store, batch_size=6).rebuild(progress=ack)
print("done", flush=True)
"""


def test_sigkill_mid_rebuild_keeps_the_archive_and_a_rerun_converges(tmp_path: Path) -> None:
    """``rebuild`` killed in the middle of a batch (its windows of the archive crossing receipt
    seconds): the archive is whole, what it acknowledged is stored, and running the rebuild
    again gives the store the ingest wrote."""
    db = tmp_path / "rebuilt.db"
    arts = [
        Artifact.from_bytes(
            a.data, a.name, server=a.server, received_at=datetime.fromtimestamp(1.8e9 + i // 9, UTC)
        )
        for i, a in enumerate(season(30))
    ]
    store = SQLiteStorage(str(db))
    Pipeline(store, batch_size=6).ingest_many(arts)
    ingested = snapshot(store)
    store.close()

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    acknowledged: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-c", _REBUILD_CHILD, str(db)], stdout=subprocess.PIPE, text=True, env=env
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            acknowledged.append(json.loads(line)[0])
            if len(acknowledged) == 33:  # mid sixth batch acknowledged: the seventh is running
                child.send_signal(signal.SIGKILL)
                break
    assert child.returncode == -signal.SIGKILL

    store = SQLiteStorage(str(db))
    stored = {a.sha256: a.status for a in store.artifacts()}
    assert set(stored) == {a.sha256 for a in arts}  # the archive lost nothing
    assert all(stored[sha] == "accepted" for sha in acknowledged)
    with store.transaction() as tx:
        kept = tx.artifacts_data([a.sha256 for a in arts])
    assert kept == {a.sha256: a.data for a in arts}
    assert len(store.rounds()) < 30  # killed part-way
    Pipeline(store, batch_size=6).rebuild()
    assert snapshot(store) == ingested
    store.close()
