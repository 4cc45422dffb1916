"""SQLite backend (standard library): the embedded default, one file per store.

URLs: ``sqlite:///relative/or/absolute/path.db``, ``sqlite:///:memory:`` or a bare file path.
One connection guarded by a lock; transactions are ``BEGIN IMMEDIATE`` so a concurrent writer
waits (up to ``timeout`` seconds) instead of failing half-way.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any

from etstats.errors import ConfigError, DuplicateRound, StorageError
from etstats.queries.api import ReadApi
from etstats.storage import sql
from etstats.storage.base import ArtifactRecord, Row, StoredRound
from etstats.storage.bulk_totals import owe_totals, refill_totals, totals_owed
from etstats.storage.line_indexes import (
    line_indexes_aside,
    line_indexes_rebuilt,
    restore_line_indexes,
)
from etstats.storage.migrate import CREATE_VERSION_TABLE, load_migrations
from etstats.storage.record_lines import refill_if_pending
from etstats.storage.wal_checkpoints import Checkpointer


def sqlite_path(url: str) -> str:
    """The database path of a ``sqlite:`` URL or bare path (``:memory:`` kept)."""
    if url.startswith("sqlite://"):
        rest = url[len("sqlite://") :]
        return rest[1:] if rest.startswith("/") and not rest.startswith("//") else rest
    if url.startswith("sqlite:"):
        return url[len("sqlite:") :]
    return url


@contextmanager
def wrap_exceptions() -> Iterator[None]:
    """Turn ``sqlite3`` errors into :class:`StorageError` (the driver error is the cause)."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        if "UNIQUE" in str(exc) and "rounds." in str(exc):
            raise DuplicateRound(f"sqlite: {exc}") from exc
        raise StorageError(f"sqlite: {exc}") from exc
    except sqlite3.Error as exc:
        raise StorageError(f"sqlite: {exc}") from exc


NEW_STORE_PAGE_BYTES = 16384
"""The page size of a new store (SQLite's default is 4,096). A season's reports are about
50 KB of JSON each, two thirds of its bytes: bigger pages write them (and every batch) with
a quarter of the page writes and reads, for about 4 % less CPU of a bulk load and a 5 %
larger file (docs/performance.md, "The SQLite write path")."""
BULK_WAL_BYTES = 64 * 1024 * 1024
"""WAL size between checkpoints during a bulk load (bounded: a long load's WAL stays small)."""
BULK_CACHE_KIB = 16 * 1024
"""The page cache of a file store's connection during a first load, in KiB (SQLite's
default is 2,000 KiB: 125 pages of 16 KB). A batch inserts into trees whose keys land
anywhere (the artifacts' SHA-256 keys, the rounds' references to them), so once a store is
large each row needs a leaf page of its own; with 2 MB the batch's pages were read again and
again from the file, and the system time per artifact grew with the store. With 16 MB a
30,000-round first load spent about a third less system time (docs/performance.md, "A first
load's page cache (nineteenth session)"). Fixed, so memory does not grow with the store; set
back to what it was when the load ends."""
_OWN_CHECKPOINT_PAGES = 0
"""``wal_autocheckpoint`` of a file store's connection outside a bulk load: none, the commits
leave checkpoints to :class:`etstats.storage.wal_checkpoints.Checkpointer`."""
BULK_INSERT_VALUES = 999
"""Bound values per multi-row ``INSERT`` of :meth:`SQLiteTx.bulk_insert` (SQLite's limit
before 3.32; also kept under the connection's own). Each batch's trigger swap
(:mod:`etstats.storage.bulk_totals`) changes the schema, so every batch prepares these
statements again, at about 5 µs per row of placeholders: 2,000 or 4,000 values a statement
measured no faster."""


class SQLiteTx(sql.SqlTx):
    """A transaction on the SQLite connection."""

    bytes_table = "artifact_bytes"

    def bulk_insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        """Insert many rows, many to a statement (``INSERT ... VALUES (...), (...), ...``),
        the rest by ``executemany``. Same rows in the same order (so the same row ids) as
        one ``executemany``, at about half its CPU: ``executemany`` steps and resets a
        statement per row, 7 µs for a weapon line against 3 µs this way (docs/performance.md,
        "Linking and rows (eighth session)")."""
        if not rows:
            return
        per = _rows_per_insert(self.conn, len(columns))
        whole = len(rows) - len(rows) % per
        if whole:
            insert = _multi_row_insert(table, tuple(columns), per)
            execute = self.conn.execute
            for i in range(0, whole, per):
                execute(insert, list(chain.from_iterable(rows[i : i + per])))
        if whole < len(rows):
            self.conn.executemany(_multi_row_insert(table, tuple(columns), 1), rows[whole:])

    def insert_new(self, table: str, columns: Sequence[str], key: str, rows: list[Row]) -> int:
        """:meth:`SqlTx.insert_new` with many rows a statement (as :meth:`bulk_insert`, the
        remainder in one statement of its own): the same rows in the same order, each
        conflict skipped as by its own statement. ``executemany`` of one-row statements cost
        about three times the CPU for the artifacts (27 against 9 µs a row with their arrival
        trigger; docs/performance.md, "SQLite main process (eleventh session)")."""
        per = _rows_per_insert(self.conn, len(columns))
        cols = tuple(columns)
        written = 0
        for i in range(0, len(rows), per):
            part = rows[i : i + per]
            insert = _multi_row_insert(table, cols, len(part), key)
            written += self.conn.execute(insert, list(chain.from_iterable(part))).rowcount
        return written

    def insert_id(self, insert: str, params: Sequence[Any]) -> int:
        # The id is the row id (INTEGER PRIMARY KEY): sqlite3 keeps it after every INSERT,
        # where RETURNING builds a result table first (half the CPU of a round's insert).
        rowid = self.execute(insert, params).lastrowid
        if rowid is None:  # pragma: no cover - set by every successful INSERT
            raise RuntimeError(f"{insert.split('(')[0]}gave no row id")
        return int(rowid)


def _rows_per_insert(conn: sqlite3.Connection, width: int) -> int:
    """Rows of ``width`` values per statement of :meth:`SQLiteTx.bulk_insert`."""
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(BULK_INSERT_VALUES, limit) // width)


@cache
def _multi_row_insert(
    table: str, columns: tuple[str, ...], rows: int, conflict_key: str | None = None
) -> str:
    """``INSERT INTO table (columns) VALUES`` with ``rows`` rows of placeholders, and ``ON
    CONFLICT (conflict_key) DO NOTHING`` when given (``table``, ``columns`` and the key are
    the code's own names, from :data:`etstats.storage.base.ROUND_TABLES` or the archive's
    tables, never from input)."""
    one = "(" + ", ".join("?" * len(columns)) + ")"
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([one] * rows)  # noqa: S608
    return insert if conflict_key is None else f"{insert} ON CONFLICT ({conflict_key}) DO NOTHING"


class SQLiteStorage(ReadApi):
    """A store in one SQLite file (or in memory)."""

    dialect = "sqlite"

    def __init__(self, url: str, *, timeout: float = 30.0, migrate: bool = True) -> None:
        self.url = url
        self.path = sqlite_path(url)
        if not self.path.strip():
            # sqlite3 would open a private temporary database for "": a store that vanishes
            raise ConfigError(
                f"{url!r} names no SQLite file (use sqlite:///path/to/file.db, a plain path, "
                "or sqlite:///:memory: for a throw-away store)"
            )
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        with wrap_exceptions():
            self._conn = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA foreign_keys = ON")
            # Takes effect only in a new, empty file (an existing store keeps its own).
            self._conn.execute(f"PRAGMA page_size = {NEW_STORE_PAGE_BYTES}")
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute("PRAGMA synchronous = NORMAL")
                self._conn.execute(f"PRAGMA wal_autocheckpoint = {_OWN_CHECKPOINT_PAGES}")
        self._checkpoints = Checkpointer(self.path) if self.path != ":memory:" else None
        self._bulk = False
        """Inside :meth:`_bulk_pragmas`: the connection checkpoints by itself."""
        if migrate:
            self.migrate()

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection (for tests and tools; do not use across threads)."""
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[sql.SqlTx]:
        with self._lock, wrap_exceptions():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield SQLiteTx(self._conn)
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        if self._checkpoints is not None and not self._bulk:
            self._checkpoints.poke()

    def migrate(self) -> list[int]:
        applied: list[int] = []
        with self._lock, wrap_exceptions():
            self._conn.execute(CREATE_VERSION_TABLE)
            done = {r[0] for r in self._conn.execute("SELECT version FROM schema_migrations")}
            for mig in load_migrations(self.dialect):
                if mig.version in done:
                    continue
                try:
                    # the script's BEGIN leaves the transaction open for the version row
                    self._conn.executescript("BEGIN IMMEDIATE;\n" + mig.sql)
                    self._conn.execute(
                        "INSERT INTO schema_migrations (version, name, applied_unix) "
                        "VALUES (?, ?, ?)",
                        (mig.version, mig.name, int(time.time())),
                    )
                    self._conn.execute("COMMIT")
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise
                applied.append(mig.version)
            restore_line_indexes(self)  # after a bulk load that was killed
            self._settle_owed_totals()  # likewise
            self._refill_record_lines()
        return applied

    def _refill_record_lines(self) -> None:
        """Migration 0019 on a store that held lines: fill the record candidates once."""
        if SQLiteTx(self._conn).fetchone("SELECT 1 FROM record_lines_refill") is None:
            return  # the usual open: one read outside any lock
        with self.transaction() as tx:
            refill_if_pending(tx)

    def schema_version(self) -> int:
        with self._lock, wrap_exceptions():
            self._conn.execute(CREATE_VERSION_TABLE)
            row = self._conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def _read(self) -> SQLiteTx:
        return SQLiteTx(self._conn)

    @contextmanager
    def _reader(self) -> Iterator[sql.SqlTx]:
        """Reads of the typed API: one consistent snapshot (a deferred read transaction)."""
        with self._lock, wrap_exceptions():
            self._conn.execute("BEGIN")
            try:
                yield SQLiteTx(self._conn)
            finally:
                if self._conn.in_transaction:
                    self._conn.execute("COMMIT")

    def rounds(self) -> list[StoredRound]:
        with self._lock, wrap_exceptions():
            return sql.read_rounds(self._read())

    def artifacts(self) -> list[ArtifactRecord]:
        with self._lock, wrap_exceptions():
            return sql.read_artifacts(self._read())

    def artifacts_page(self, after: tuple[int, str] | None, limit: int) -> list[ArtifactRecord]:
        with self._lock, wrap_exceptions():
            return sql.read_artifacts_page(self._read(), after, limit)

    def rounds_page(self, after_id: int | None, limit: int) -> list[StoredRound]:
        with self._lock, wrap_exceptions():
            return sql.read_rounds_page(self._read(), after_id, limit)

    def verdicts_page(self, after_id: int | None, limit: int) -> list[tuple[int, str, int, int]]:
        with self._lock, wrap_exceptions():
            return sql.read_verdicts_page(self._read(), after_id, limit)

    def linked_shas(self, shas: Sequence[str]) -> set[str]:
        with self._lock, wrap_exceptions():
            return sql.read_linked_shas(self._read(), shas)

    def artifact_data(self, sha256: str) -> bytes:
        with self._lock, wrap_exceptions():
            return self._read().artifact_data(sha256)

    def table_rows(self, table: str, round_ids: Sequence[int] | None = None) -> list[Row]:
        with self._lock, wrap_exceptions():
            return sql.read_table(self._read(), table, round_ids)

    def clear_derived(self) -> None:
        """Delete every derived row (``rebuild``'s start) in one transaction.

        Foreign keys are not enforced meanwhile (the pragma is a no-op inside a transaction,
        so it is set around it, under the store's lock): every table that references a round
        is emptied before the rounds, so no reference is left dangling, and SQLite can then
        empty each table whole instead of collecting every row id in memory first (with them
        enforced, 116 MB at 100,000 rounds, 3.6 million weapon lines: docs/performance.md).

        ``secure_delete`` is ``FAST`` meanwhile: where SQLite is built with
        ``SQLITE_SECURE_DELETE`` (Debian's and Ubuntu's are), every page the clear frees was
        otherwise overwritten with zeros and written through the WAL, so the clear wrote
        about the whole store again (a 10,000-round store: a 751 MB WAL for an 835 MB file).
        ``FAST`` still zeroes deleted content on the pages written anyway; the freed pages
        hold derived rows that the rebuild writes again, from the archive that stays."""
        from etstats.storage.bulk_totals import cleared_round_counts, cleared_totals

        with self._lock:
            secure_delete = int(self._conn.execute("PRAGMA secure_delete").fetchone()[0])
            self._conn.execute("PRAGMA foreign_keys = OFF")
            self._conn.execute("PRAGMA secure_delete = FAST")
            try:
                with (
                    self._bulk_pragmas(),  # one transaction that rewrites most of the pages
                    self.transaction() as tx,
                    cleared_totals(self._conn),
                    cleared_round_counts(self._conn),
                    line_indexes_rebuilt(tx),
                ):
                    sql.clear_derived(tx)
            finally:
                self._conn.execute("PRAGMA foreign_keys = ON")
                self._conn.execute(f"PRAGMA secure_delete = {secure_delete}")

    @contextmanager
    def bulk_load(self) -> Iterator[bool]:
        with (
            self._bulk_pragmas(),
            line_indexes_aside(self) as empty,
            self._first_load_cache(empty),
            self._totals_at_the_end(empty),
            self._statement_journals_in_memory(),
        ):
            yield empty

    @contextmanager
    def _first_load_cache(self, first_load: bool) -> Iterator[None]:
        """Around a first load (a store without lines: a new store, or ``rebuild`` after its
        clear), which writes every round: a page cache of :data:`BULK_CACHE_KIB`, so a
        batch's pages stay in memory until its commit; what it was before is set back at the
        end, also after a failure. A load into a store that holds lines (files already known,
        a week's import) keeps the usual cache: there it mostly read, and a fuller cache only
        raised its peak memory with the store (300 files into the 100,000-round store: 91 MB
        against 58 MB into the 1,000-round one)."""
        if not first_load or self.path == ":memory:":
            yield
            return
        with self._lock, wrap_exceptions():
            usual = int(self._conn.execute("PRAGMA cache_size").fetchone()[0])
            self._conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")  # negative: KiB
        try:
            yield
        finally:
            with self._lock, suppress(sqlite3.Error):
                self._conn.execute(f"PRAGMA cache_size = {usual}")

    @contextmanager
    def _totals_at_the_end(self, first_load: bool) -> Iterator[None]:
        """Around a first load (a store without lines): the running totals are owed meanwhile
        and computed from every line when it ends, also after a failure (if that fails too,
        the next open does it) (:mod:`etstats.storage.bulk_totals`)."""
        if not first_load:
            yield
            return
        with self.transaction():
            owe_totals(self._conn)
        try:
            yield
        except BaseException:
            with suppress(Exception):
                self._settle_owed_totals()
            raise
        self._settle_owed_totals()

    def _settle_owed_totals(self) -> None:
        """Compute the running totals if they are owed (a first load ended or was killed)."""
        if not totals_owed(self._conn):  # the usual open: one read outside any lock
            return
        with self.transaction():
            if totals_owed(self._conn):
                refill_totals(self._conn)

    @contextmanager
    def _statement_journals_in_memory(self) -> Iterator[None]:
        """While a bulk load writes its batches (set back before the indexes set aside are
        built): this connection's temporary files in memory (``temp_store = MEMORY``). A
        multi-row ``INSERT`` inside a transaction first copies each page it changes into a
        statement journal (to undo that statement alone), and past 64 KB SQLite spills that
        journal to a temporary file: on a 1,000-round season about 100 MB of ``pwrite``
        calls a run, none of them ever read back. In memory each journal lives for one
        statement, bounded by what one statement touches (one batch's lines at most), while
        the sorts of the index builds at the end, which grow with the store, still spill to
        disk (docs/performance.md, "SQLite main process (eleventh session)")."""
        if self.path == ":memory:":
            yield
            return
        with self._lock, wrap_exceptions():
            self._conn.execute("PRAGMA temp_store = MEMORY")
        try:
            yield
        finally:
            with self._lock, suppress(sqlite3.Error):
                self._conn.execute("PRAGMA temp_store = DEFAULT")

    @contextmanager
    def _bulk_pragmas(self) -> Iterator[None]:
        """During a bulk load (of this connection only, set back after it): this connection
        checkpoints the WAL itself every :data:`BULK_WAL_BYTES` (its commits do not wake the
        background :class:`etstats.storage.wal_checkpoints.Checkpointer`), so not every
        batch's commit copies its pages into the database file and waits for two ``fsync``
        calls (a 1,000-round season at 4 KB pages: 11 checkpoints instead of 44). Durability
        is the same: a committed batch is in the WAL (``synchronous = NORMAL`` syncs at
        checkpoints), which the next open replays after a kill."""
        if self.path == ":memory:":
            yield
            return
        with self._lock, wrap_exceptions():
            page = int(self._conn.execute("PRAGMA page_size").fetchone()[0])
            self._conn.execute(f"PRAGMA wal_autocheckpoint = {BULK_WAL_BYTES // page}")
            self._bulk = True
        try:
            yield
        finally:
            self._bulk = False
            with self._lock, suppress(sqlite3.Error):
                self._conn.execute(f"PRAGMA wal_autocheckpoint = {_OWN_CHECKPOINT_PAGES}")
                # A passive checkpoint never waits for readers (a web server's long read).
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.close()
        with self._lock:
            self._conn.close()

    def __repr__(self) -> str:
        return f"SQLiteStorage({self.path!r})"
