"""The lines' GUID index set aside while a bulk load fills an empty SQLite store.

``player_round_stats_guid`` (migration 0003: the player pages and name searches) has keys
that start with a GUID, so each batch's lines land all over it: every batch rewrote most of
its pages, and each multi-row ``INSERT`` copied the pages it touched into its statement
journal first (89 of the 162 MB of statement journal a 1,000-round season wrote to temporary
files; docs/performance.md, "SQLite main process (eleventh session)"). So ``etstats ingest``
into an empty store and ``etstats rebuild`` drop it (one short transaction) when they start
and create it again (another) when they end: built once at the end it is one sort. The bulk
path's own statements never read it (their plans are the same without it); player queries
meanwhile read the table.

Until migration 0019 the eight record indexes of migration 0008 went aside with it; records
are now answered from ``record_lines`` (:mod:`etstats.storage.record_lines`), kept by the
writer, and those indexes are gone.

A load killed in between leaves a store without the index: every open that migrates
(:func:`restore_line_indexes`) creates it again. Its definition is read from migration 0003's
text, so the code and the migration cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from functools import cache
from typing import Any, Protocol

from etstats.storage.migrate import load_migrations
from etstats.storage.sql import SqlTx

GUID_INDEX_MIGRATION = 3
"""The migration whose ``CREATE INDEX player_round_stats_guid`` is set aside."""

_CREATE_GUID = re.compile(r"CREATE INDEX (player_round_stats_guid) (ON .*?);", re.DOTALL)
_SET_ASIDE = ((GUID_INDEX_MIGRATION, _CREATE_GUID),)

_PRESENT = "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ({marks})"


class _Transactional(Protocol):
    @property
    def connection(self) -> Any: ...

    def transaction(self) -> AbstractContextManager[SqlTx]: ...


@cache
def line_indexes() -> tuple[tuple[str, str], ...]:
    """(name, ``CREATE INDEX IF NOT EXISTS`` statement) of each index a bulk load sets aside:
    the lines' GUID index (``player_round_stats_guid``), from SQLite migration 0003's own
    text."""
    texts = {m.version: m.sql for m in load_migrations("sqlite")}
    found: list[tuple[str, str]] = []
    for version, pattern in _SET_ASIDE:
        here = pattern.findall(texts[version])
        if not here:  # pragma: no cover - guards a rewrite of the migration's statements
            raise RuntimeError(f"no indexes to set aside found in migration {version:04d}")
        found += [(name, f"CREATE INDEX IF NOT EXISTS {name} {rest}") for name, rest in here]
    return tuple(found)


def missing_line_indexes(tx: SqlTx) -> list[str]:
    """The names of the indexes set aside that the store lacks (a read; takes no write lock)."""
    names = [name for name, _ in line_indexes()]
    marks = ", ".join("?" * len(names))
    present = {str(r[0]) for r in tx.fetchall(_PRESENT.format(marks=marks), names)}
    return [name for name in names if name not in present]


def restore_line_indexes(storage: _Transactional) -> list[str]:
    """Create the indexes set aside that a store lacks (after a bulk load, or a load that was
    killed); returns their names. Opening a complete store only reads its catalogue."""
    if not missing_line_indexes(SqlTx(storage.connection)):  # a read outside any lock
        return []
    with storage.transaction() as tx:  # a writer's transaction now: look again inside it
        missing = missing_line_indexes(tx)
        for name, create in line_indexes():
            if name in missing:
                tx.execute(create)
    return missing


def _drop_line_indexes(tx: SqlTx) -> None:
    for name, _ in line_indexes():
        tx.execute(f"DROP INDEX IF EXISTS {name}")


@contextmanager
def line_indexes_rebuilt(tx: SqlTx) -> Iterator[None]:
    """Inside one transaction: drop the indexes set aside, run the body, create them again
    over what it left. Around ``rebuild``'s clear (every line deleted) this costs nothing to
    build and saves the deletes' index upkeep."""
    _drop_line_indexes(tx)
    yield
    for _, create in line_indexes():
        tx.execute(create)


@contextmanager
def line_indexes_aside(storage: _Transactional) -> Iterator[bool]:
    """Around a bulk load: when the store holds no player line yet, drop the indexes set aside
    now and create them at the end (also after a failure); yields whether it did."""
    with storage.transaction() as tx:
        empty = tx.fetchone("SELECT 1 FROM player_round_stats LIMIT 1") is None
        if empty:
            _drop_line_indexes(tx)
    try:
        yield empty
    except BaseException:
        if empty:
            # A store that failed (a full disk, a lost connection) may fail this too; the
            # next open creates them then, and the load's own error is the one to report.
            with suppress(Exception):
                restore_line_indexes(storage)
        raise
    if empty:
        restore_line_indexes(storage)
