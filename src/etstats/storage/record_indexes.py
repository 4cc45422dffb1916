"""The record indexes (migration 0008) set aside while a bulk load fills an empty store.

The eight partial expression indexes that answer ``etstats.queries.records`` cost about
32 µs of CPU per player line when kept up row by row, and about a quarter of that when built
once over the finished table (docs/performance.md, "Bulk-load mode"). So ``etstats ingest``
into an empty store and ``etstats rebuild`` drop them (one short transaction) when they start
and create them again (another) when they end. Meanwhile the records queries stay correct:
they read the table instead of the index.

A load killed in between leaves a store without them: every open that migrates
(:func:`restore_record_indexes`) creates the missing ones. Their definitions are read from
migration 0008's text, so the code and the migration cannot drift apart (and
tests/storage/test_migrations.py checks that text against the records queries).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from functools import cache
from typing import Protocol

from etstats.storage.migrate import load_migrations
from etstats.storage.sql import SqlTx

RECORD_INDEX_MIGRATION = 8
"""The migration whose ``CREATE INDEX player_round_stats_record_*`` statements these are."""

_CREATE = re.compile(r"CREATE INDEX (player_round_stats_record_\w+) (ON .*?);", re.DOTALL)

_PRESENT = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' "
    "AND tbl_name = 'player_round_stats' AND name LIKE 'player\\_round\\_stats\\_record\\_%' "
    "ESCAPE '\\'",
    "postgres": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
    "AND tablename = 'player_round_stats' "
    "AND indexname LIKE 'player\\_round\\_stats\\_record\\_%' ESCAPE '\\'",
}


class _Transactional(Protocol):
    dialect: str

    def transaction(self) -> AbstractContextManager[SqlTx]: ...


@cache
def record_indexes(dialect: str) -> tuple[tuple[str, str], ...]:
    """(name, ``CREATE INDEX IF NOT EXISTS`` statement) of each record index of ``dialect``,
    from migration 0008's own text."""
    text = next(m.sql for m in load_migrations(dialect) if m.version == RECORD_INDEX_MIGRATION)
    found = tuple(
        (name, f"CREATE INDEX IF NOT EXISTS {name} {rest}") for name, rest in _CREATE.findall(text)
    )
    if not found:  # pragma: no cover - guards a rewrite of the migration's statements
        raise RuntimeError(f"no record indexes found in {dialect} migration 0008")
    return found


def missing_record_indexes(tx: SqlTx, dialect: str) -> list[str]:
    """The names of the record indexes the store lacks (a read; takes no write lock)."""
    present = {str(r[0]) for r in tx.fetchall(_PRESENT[dialect])}
    return [name for name, _ in record_indexes(dialect) if name not in present]


def restore_record_indexes(storage: _Transactional) -> list[str]:
    """Create the record indexes a store lacks (after a bulk load, or a load that was
    killed); returns their names. Opening a complete store only reads its catalogue."""
    with storage.transaction() as tx:
        if not missing_record_indexes(tx, storage.dialect):
            return []
    with storage.transaction() as tx:  # a writer's transaction now: look again inside it
        missing = missing_record_indexes(tx, storage.dialect)
        for name, create in record_indexes(storage.dialect):
            if name in missing:
                tx.execute(create)
    return missing


@contextmanager
def record_indexes_aside(storage: _Transactional) -> Iterator[bool]:
    """Around a bulk load: when the store holds no player line yet, drop the record indexes
    now and create them at the end (also after a failure); yields whether it did."""
    with storage.transaction() as tx:
        empty = tx.fetchone("SELECT 1 FROM player_round_stats LIMIT 1") is None
        if empty:
            for name, _ in record_indexes(storage.dialect):
                tx.execute(f"DROP INDEX IF EXISTS {name}")
    try:
        yield empty
    except BaseException:
        if empty:
            # A store that failed (a full disk, a lost connection) may fail this too; the
            # next open creates them then, and the load's own error is the one to report.
            with suppress(Exception):
                restore_record_indexes(storage)
        raise
    if empty:
        restore_record_indexes(storage)
