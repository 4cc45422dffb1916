"""SQLite keeps the archived raw bytes in ``artifact_bytes`` (migration 0016): a store from
before it has its bytes moved once, reads and replays them as before, and ``rebuild`` writes
neither the archive nor the pages its clear frees into the WAL."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.storage.migrate import CREATE_VERSION_TABLE, load_migrations
from etstats.storage.sqlite import SQLiteStorage
from etstats.storage.testing import snapshot, wipe
from etstats.testing.synthetic import season

BYTES_MIGRATION = 16


def _received(arts: list[Artifact]) -> list[Artifact]:
    """The artifacts with fixed receipt times (a second apart), so two stores match."""
    return [
        Artifact.from_bytes(
            a.data,
            a.name,
            server=a.server,
            received_at=datetime.fromtimestamp(1_800_000_000 + i, UTC),
        )
        for i, a in enumerate(arts)
    ]


def _store_before_the_move(path: Path, arts: list[Artifact]) -> None:
    """A store before migration 0016 (bytes in ``artifacts.data``), ``arts`` pending."""
    conn = sqlite3.connect(path)
    conn.execute(CREATE_VERSION_TABLE)
    for mig in load_migrations("sqlite")[: BYTES_MIGRATION - 1]:
        conn.executescript(mig.sql)
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, 0)", (mig.version, mig.name))
    conn.execute("INSERT INTO servers (id, name) VALUES (1, 'default')")
    conn.executemany(
        "INSERT INTO artifacts (sha256, kind, name, server_id, data, size_bytes, "
        "received_unix, status) VALUES (?, ?, ?, 1, ?, ?, ?, 'pending')",
        [
            (a.sha256, str(a.kind), a.name, a.data, len(a.data), int(a.received_at.timestamp()))
            for a in arts
        ],
    )
    conn.commit()
    conn.close()


def test_the_migration_moves_the_bytes_and_a_rebuild_replays_them(tmp_path: Path) -> None:
    arts = _received(season(3))
    _store_before_the_move(tmp_path / "old.db", arts)
    old = SQLiteStorage(str(tmp_path / "old.db"))  # migrates
    assert old.schema_version() >= BYTES_MIGRATION
    conn = old.connection
    assert "data" not in {r[1] for r in conn.execute("PRAGMA table_info(artifacts)")}
    assert conn.execute("SELECT COUNT(*) FROM artifact_bytes").fetchone()[0] == len(arts)
    for a in arts:
        assert old.artifact_data(a.sha256) == a.data
    Pipeline(old).rebuild()
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

    fresh = SQLiteStorage(str(tmp_path / "fresh.db"))
    Pipeline(fresh).ingest_many(arts)
    assert snapshot(old) == snapshot(fresh)
    assert len(old.rounds()) == 3
    old.close()
    fresh.close()


def test_bytes_are_written_once_per_artifact_and_removed_with_it(tmp_path: Path) -> None:
    store = SQLiteStorage(str(tmp_path / "s.db"))
    arts = _received(season(2))
    pipeline = Pipeline(store)
    pipeline.ingest_many(arts)
    pipeline.ingest_many(arts)  # again: duplicates, nothing written
    pipeline.ingest(arts[0])
    conn = store.connection
    assert conn.execute("SELECT COUNT(*) FROM artifact_bytes").fetchone()[0] == len(arts)
    with store.transaction() as tx:
        assert tx.artifacts_data([a.sha256 for a in arts]) == {a.sha256: a.data for a in arts}
    wipe(store)  # deleting an artifact deletes its bytes (ON DELETE CASCADE)
    assert conn.execute("SELECT COUNT(*) FROM artifact_bytes").fetchone()[0] == 0
    store.close()


def _wal_bytes(store: SQLiteStorage) -> int:
    return os.path.getsize(f"{store.path}-wal")


def test_a_rebuild_does_not_copy_the_archive_into_the_wal(tmp_path: Path) -> None:
    """Rejected artifacts of 256 KB each (8 MB in all) keep their error until the clear sets
    it back to NULL and the rebuild sets it again: with the bytes in the same row each of
    those updates rewrote the row's overflow pages, so the WAL grew past the archive's size
    (PRAGMA wal_checkpoint does not shrink the file: its size is the high-water mark)."""
    store = SQLiteStorage(str(tmp_path / "s.db"))
    junk = [
        Artifact.from_bytes(os.urandom(256 * 1024), f"junk-{i}.txt", kind=None) for i in range(32)
    ]
    archive = sum(len(a.data) for a in junk)
    Pipeline(store).ingest_many(junk)
    assert {a.status for a in store.artifacts()} == {"rejected"}
    store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert _wal_bytes(store) == 0
    Pipeline(store).rebuild()
    assert {a.status for a in store.artifacts()} == {"rejected"}
    assert _wal_bytes(store) < archive / 4  # was 1.1x the archive
    for a in junk[:3]:
        assert store.artifact_data(a.sha256) == a.data
    store.close()


ROUNDS = 160
"""Enough rounds that the pages the clear frees (8.5 MB since the stored reports' form B, 3.1 MB
at 60 rounds) dwarf the WAL's fixed part (about 1 MB of changed index and table pages); with
the freed pages zeroed the WAL would be at least as large as they are."""


def test_the_clear_does_not_zero_the_pages_it_frees(tmp_path: Path) -> None:
    """With ``secure_delete`` on (Debian's and Ubuntu's SQLite builds default to it), every
    page the clear frees was zeroed through the WAL: a WAL as large as the derived rows. The
    clear runs with ``FAST`` and sets the connection's own setting back afterwards."""
    store = SQLiteStorage(str(tmp_path / "s.db"))
    Pipeline(store).ingest_many(_received(season(ROUNDS)))
    conn = store.connection
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.clear_derived()
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    freed = conn.execute("PRAGMA freelist_count").fetchone()[0] * page
    assert freed > 1_000_000  # the derived rows' pages (reports, player and weapon lines)
    assert _wal_bytes(store) < freed / 4
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    Pipeline(store).rebuild()
    assert len(store.rounds()) == ROUNDS
    store.close()
