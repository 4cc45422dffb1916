"""Faults: a PostgreSQL connection killed mid-batch, a full SQLite disk. Both leave whole
artifacts only, and re-running the batch completes it."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from etstats.errors import StorageError
from etstats.ingest.pipeline import Pipeline
from etstats.storage.base import Storage
from etstats.storage.sqlite import SQLiteStorage
from etstats.storage.testing import snapshot
from etstats.testing.synthetic import season


def one_by_one_state(tmp_path: Path, arts: list[Any]) -> dict[str, Any]:
    """The store ``arts`` ingested one by one into a fresh SQLite file make (the state a
    batched or interrupted run must converge to)."""
    ref = SQLiteStorage(str(tmp_path / "reference.db"))
    for a in arts:
        Pipeline(ref).ingest(a)
    state = snapshot(ref)
    ref.close()
    return state


def _assert_whole_artifacts_only(store: Storage, arts: list[Any]) -> None:
    """Every archived artifact is fully processed and in a round; nothing is half-stored."""
    stored = {a.sha256 for a in store.artifacts()}
    assert all(a.status == "accepted" for a in store.artifacts())
    in_rounds = {
        s for r in store.rounds() for s in (r.stats_sha256, r.lua_sha256, r.endstats_sha256) if s
    }
    assert stored == in_rounds
    with_players = {row[0] for row in store.table_rows("player_round_stats")}
    assert {r.id for r in store.rounds() if r.stats_sha256} <= with_players
    assert stored < {a.sha256 for a in arts}
    assert stored  # the fault hit in the middle of the batch, not before it


@pytest.mark.pg
@pytest.mark.parametrize("jobs", [0, 2])
def test_connection_killed_mid_batch(
    pg_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    import psycopg

    from etstats.storage.postgres import PgTx, PostgresStorage
    from etstats.storage.testing import pg_database

    arts = season(6)
    calls = {"n": 0}
    original = PgTx.replace_many_round_rows

    def killer(self: PgTx, rows: dict[int, dict[str, Any]]) -> None:
        calls["n"] += any("player_round_stats" in t for t in rows.values())
        if calls["n"] == 2:  # writing the 2nd batch's player lines, the server kills us
            with psycopg.connect(pg_dsn, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (self.conn.info.backend_pid,))
        original(self, rows)

    with pg_database(pg_dsn) as url:
        store = PostgresStorage(url, max_size=2)
        try:
            monkeypatch.setattr(PgTx, "replace_many_round_rows", killer)
            pipeline = Pipeline(store, batch_size=4, jobs=jobs)  # the kill hits the 2nd batch
            with pytest.raises(StorageError):
                pipeline.ingest_many(arts)
            monkeypatch.undo()
            _assert_whole_artifacts_only(store, arts)
            for a in arts:  # the batch is simply run again
                Pipeline(store).ingest(a)
            assert snapshot(store) == one_by_one_state(tmp_path, arts)
        finally:
            store.close()


@pytest.mark.parametrize("jobs", [0, 2])
def test_sqlite_disk_full(tmp_path: Path, jobs: int) -> None:
    arts = season(30, players=16)
    store = SQLiteStorage(str(tmp_path / "small.db"))
    pages = store.connection.execute("PRAGMA page_count").fetchone()[0]
    store.connection.execute(f"PRAGMA max_page_count = {pages + 40}")
    pipeline = Pipeline(store, batch_size=3, jobs=jobs)  # the disk fills up in a later batch
    with pytest.raises(StorageError, match="full"):
        pipeline.ingest_many(arts)
    _assert_whole_artifacts_only(store, arts)
    store.connection.execute("PRAGMA max_page_count = 1073741823")
    for a in arts:
        pipeline.ingest(a)
    assert snapshot(store) == one_by_one_state(tmp_path, arts)
    assert multiprocessing.active_children() == []
    store.close()
