"""Bulk-load mode (docs/storage.md, "Bulk-load mode"): a bulk load into a store without
player lines drops the lines' GUID index and builds it once at the end; a store opened
without it (a load killed in between) gets it back; and a bulk write's row triggers are back,
word for word, after it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from etstats.errors import StorageError
from etstats.ingest.pipeline import Pipeline
from etstats.storage.base import Storage
from etstats.storage.line_indexes import line_indexes, missing_line_indexes
from etstats.storage.sql import SqlTx
from etstats.storage.sqlite import SQLiteStorage
from etstats.testing.synthetic import season


def _missing(store: Storage) -> list[str]:
    with store.transaction() as tx:
        assert isinstance(tx, SqlTx)
        return missing_line_indexes(tx)


def _names() -> list[str]:
    return [name for name, _ in line_indexes()]


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStorage]:
    store = SQLiteStorage(str(tmp_path / "store.db"))
    yield store
    store.close()


def test_the_definition_is_the_guid_index_of_migration_0003() -> None:
    assert line_indexes() == (
        (
            "player_round_stats_guid",
            "CREATE INDEX IF NOT EXISTS player_round_stats_guid "
            "ON player_round_stats (guid, name, round_id)",
        ),
    )


def test_postgres_keeps_them(store: Storage) -> None:
    with store.bulk_load() as set_aside:
        assert set_aside == isinstance(store, SQLiteStorage)


def test_bulk_load_into_an_empty_store_builds_them_at_the_end(
    sqlite_store: SQLiteStorage,
) -> None:
    store = sqlite_store
    with store.bulk_load() as set_aside:
        assert set_aside
        assert _missing(store) == _names()
    assert _missing(store) == []
    Pipeline(store).ingest_many(season(4))  # itself a bulk load into an empty store
    assert _missing(store) == []
    with store.bulk_load() as set_aside:  # lines stored: the indexes stay
        assert not set_aside
        assert _missing(store) == []


def test_a_failed_load_still_builds_them(sqlite_store: SQLiteStorage) -> None:
    store = sqlite_store
    with pytest.raises(StorageError), store.bulk_load():
        raise StorageError("the load failed")
    assert _missing(store) == []


def test_opening_a_store_without_them_creates_them(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    store = SQLiteStorage(str(db))
    Pipeline(store).ingest_many(season(4))
    close_records = store.records(min_minutes=0)
    store.close()
    raw = sqlite3.connect(db)
    for name in _names():  # as a killed load leaves it
        raw.execute(f"DROP INDEX {name}")
    raw.commit()
    raw.close()
    store = SQLiteStorage(str(db))
    assert _missing(store) == []
    assert store.records(min_minutes=0) == close_records
    store.close()


def _triggers_and_indexes(db: Path) -> list[tuple[str, str]]:
    raw = sqlite3.connect(db)
    rows = raw.execute(
        "SELECT name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') "
        "AND sql IS NOT NULL ORDER BY name"
    ).fetchall()
    raw.close()
    return [(str(n), str(s)) for n, s in rows]


def test_bulk_writes_and_the_clear_put_triggers_and_indexes_back(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    store = SQLiteStorage(str(db))
    fresh = _triggers_and_indexes(db)
    assert [n for n, _ in fresh if n in _names()] == _names()
    assert not [n for n, _ in fresh if n.startswith("player_round_stats_record_")]
    arts = season(6)
    Pipeline(store, batch_size=5).ingest_many(arts)
    assert _triggers_and_indexes(db) == fresh
    with pytest.raises(StorageError), store.transaction() as tx:
        tx.replace_many_round_rows({1: {"weapon_stats": [(1, 0)]}})  # too few columns
    assert _triggers_and_indexes(db) == fresh
    store.clear_derived()
    assert _triggers_and_indexes(db) == fresh
    store.close()


def _bulk_settings(store: SQLiteStorage) -> tuple[int, int]:
    """The WAL pages between checkpoints and the page cache size of the store's connection."""
    conn = store.connection
    return (
        int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]),
        int(conn.execute("PRAGMA cache_size").fetchone()[0]),
    )


# 64 MB of 16 KB pages between checkpoints; a first load's 16 MB page cache (negative: KiB)
_FIRST_LOAD = (4096, -16 * 1024)
# a load into a store that holds lines: the same checkpoints, SQLite's default cache (there
# the load mostly reads, and a fuller cache only raised its memory with the store)
_LATER_LOAD = (4096, -2000)
# outside a load the commits leave checkpoints to a thread (wal_checkpoints), and the page
# cache is SQLite's default 2,000 KiB again: a long-running watcher or server does not keep
# a load's memory
_USUAL = (0, -2000)


def test_a_bulk_load_checkpoints_the_wal_rarely_then_as_before(
    sqlite_store: SQLiteStorage,
) -> None:
    """During a load the connection copies the WAL into the file every 64 MB (few checkpoints
    and fsyncs), and a first load (no lines yet: a new store, a rebuild after its clear)
    keeps a batch's pages in a larger cache; afterwards, also after a failure, its commits
    leave checkpoints to the background thread again, its cache is what it was, and what the
    load wrote is in the database file."""
    store = sqlite_store
    seen: list[tuple[int, int]] = []

    def fail() -> None:
        seen.append(_bulk_settings(store))
        raise StorageError("the load failed")

    def note(_: object) -> None:
        seen.append(_bulk_settings(store))

    assert _bulk_settings(store) == _USUAL
    with pytest.raises(StorageError), store.bulk_load():
        fail()
    assert _bulk_settings(store) == _USUAL
    Pipeline(store).ingest_many(season(4), progress=note)  # a first load
    assert (set(seen), _bulk_settings(store)) == ({_FIRST_LOAD}, _USUAL)
    wal = Path(store.path + "-wal")
    busy, frames, copied = store.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert (busy, frames == copied) == (0, True)  # nothing left behind but what is copied
    assert wal.exists()

    seen.clear()
    Pipeline(store).ingest_many(season(6), progress=note)  # 2 new rounds into a store with lines
    with pytest.raises(StorageError), store.bulk_load():
        fail()
    assert (set(seen), _bulk_settings(store)) == ({_LATER_LOAD}, _USUAL)

    seen.clear()
    store.connection.execute("PRAGMA cache_size = -4000")  # a tool's own setting stays its own
    Pipeline(store).rebuild(progress=note)  # a first load again, after its clear
    assert (set(seen), _bulk_settings(store)) == ({_FIRST_LOAD}, (0, -4000))
    assert len(store.rounds()) == 6


def test_a_new_store_has_16_kb_pages_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    raw = sqlite3.connect(old)
    raw.execute("PRAGMA page_size = 4096")
    raw.execute("CREATE TABLE t (x)")  # a store created before (with SQLite's default)
    raw.close()
    for path, size in ((old, 4096), (tmp_path / "new.db", 16384)):
        store = SQLiteStorage(str(path))
        try:
            assert store.connection.execute("PRAGMA page_size").fetchone()[0] == size
            with store.bulk_load():  # the WAL between checkpoints: 64 MB either way
                pages = store.connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
                assert pages * size == 64 * 1024 * 1024
            Pipeline(store).ingest_many(season(2))
            assert len(store.rounds()) == 2
        finally:
            store.close()


def test_a_bulk_load_in_memory_needs_no_wal(sqlite_store: SQLiteStorage) -> None:
    Pipeline(sqlite_store).ingest_many(season(2))
    store = SQLiteStorage("sqlite:///:memory:")
    try:
        Pipeline(store).ingest_many(season(2))
        assert store.rounds() == sqlite_store.rounds() != []
    finally:
        store.close()
