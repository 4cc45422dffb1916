"""PostgreSQL backend (psycopg 3 + psycopg-pool; the ``postgres`` extra).

psycopg is imported when a :class:`PostgresStorage` is created, never at module import, so the
core works without the extra. Writes of per-round rows use ``COPY`` (bulk path); the rest is
parameterised SQL shared with SQLite (:mod:`etstats.storage.sql`).
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from weakref import WeakKeyDictionary

from etstats.errors import AdapterUnavailable, DuplicateRound, StorageError
from etstats.queries.api import ReadApi
from etstats.storage import sql
from etstats.storage.base import (
    ROUND_COLUMNS,
    ROUND_TABLES,
    ArtifactRecord,
    Row,
    StoredRound,
)
from etstats.storage.migrate import CREATE_VERSION_TABLE, load_migrations
from etstats.storage.postgres_tab import with_tab_columns

_MIGRATION_LOCK = 0x65747374  # "etst": pg_advisory_xact_lock key serialising migrations


def _psycopg() -> Any:
    try:
        import psycopg
        import psycopg_pool
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise AdapterUnavailable(
            "PostgreSQL storage needs psycopg 3 and psycopg-pool: pip install 'etstats[postgres]'"
        ) from exc
    return psycopg, psycopg_pool


@contextmanager
def wrap_exceptions() -> Iterator[None]:
    """Turn psycopg errors (and pool timeouts) into :class:`StorageError`."""
    psycopg, _ = _psycopg()
    try:
        yield
    except psycopg.errors.UniqueViolation as exc:
        constraint = getattr(exc.diag, "constraint_name", None) or ""
        if constraint.startswith("rounds_"):
            raise DuplicateRound(f"postgresql: {exc}") from exc
        raise StorageError(f"postgresql: {exc}") from exc
    except psycopg.Error as exc:
        raise StorageError(f"postgresql: {exc}") from exc


def _probe(url: str, connect_timeout: int) -> None:
    """Connect once (then close), so a wrong URL, host or password fails fast with the
    server's own reason instead of a pool timeout. The message never holds the password."""
    from etstats.storage.registry import redact_url

    psycopg, _ = _psycopg()
    try:
        psycopg.connect(url, connect_timeout=connect_timeout).close()
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StorageError(
            f"postgresql: cannot connect to {redact_url(url)}: {redact_url(reason)}"
        ) from None
    except ValueError as exc:  # not a connection string at all
        raise StorageError(f"postgresql: invalid URL {redact_url(url)}: {exc}") from None


class PgTx(sql.SqlTx):
    """A transaction on one pooled connection; bulk inserts go through ``COPY``."""

    placeholder = "%s"
    keeps_record_candidates = False
    """PostgreSQL answers records from migration 0008's expression indexes (its 0019 changes
    nothing): see :mod:`etstats.storage.record_lines`."""
    writes_in_background = True
    """A batch's row writes may run in a thread while the ingest reconciles: they are mostly
    the server's work (``COPY``, triggers, indexes), waited for with the GIL released
    (:mod:`etstats.ingest.alongside`)."""
    round_table_order = (
        "weapon_stats",
        *(table for table in ROUND_TABLES if table != "weapon_stats"),
    )
    """Weapon lines before player lines: the player-lines insert trigger (migration 0013)
    then adds each new line's weapon parts from the weapon lines already there, and the
    weapon-lines insert trigger, finding no player line of a new round yet, updates no
    totals row; the other order updates every player's totals row a second time. Either
    order gives the same totals (each trigger reads the tables as they are)."""

    def lock_group(self, server_id: int, map_name: str, round_number: int) -> None:
        """Transaction-scoped advisory lock on (server, map), so concurrent ingesters
        (``watch`` beside ``serve``) never link the same rounds, or pair a round 2 with its
        round 1, from different snapshots. The key covers every round number of the map; a
        writer needing several maps takes them in :func:`etstats.storage.base.lock_order`
        (re-taking a held key is a no-op), so two writers cannot deadlock."""
        del round_number  # one key per map: R1 and R2 groups are written together
        self.execute(
            "SELECT pg_advisory_xact_lock(?, hashtext(?))", (int(server_id), f"map:{map_name}")
        )

    @contextmanager
    def totals_kept_for(self, round_ids: Sequence[int]) -> Iterator[None]:
        """The statement-level triggers of migration 0006 already work per batch."""
        del round_ids
        yield

    def bulk_insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        """``COPY`` in the binary format: each value goes as its column's type's bytes, so
        neither side formats or parses text (the client's part takes about a third of its
        time as text; the server skips scanning the reports' JSON for escapes). The values
        stored are the same: a double's bytes are the double (docs/performance.md, "Stats-only
        against the reference (ninth session)")."""
        if not rows:
            return
        if table == "player_round_stats":  # migration 0014: TAB fields as columns too
            columns, rows = with_tab_columns(columns, rows)
        types = self._column_types(table, tuple(columns))
        with (
            self.conn.cursor() as cur,
            cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)

    def insert_id(self, insert: str, params: Sequence[Any]) -> int:
        """Run ``insert`` (one row, ``?`` placeholders) and return the new id, through libpq
        itself: a statement prepared once per connection, its values sent as text. The bulk
        path saves each new round this way, one round trip each (the linking needs the id at
        once); psycopg's own ``execute`` spends about 110 µs of this process's CPU on one
        such call, this about 40 (docs/performance.md, "PostgreSQL bulk ingest: arrays and
        statement triggers (eleventh session)"). Values other than ``None``, ``int`` and
        ``str`` (or a string with a NUL, which libpq would cut) go through psycopg."""
        encoding = self.conn.info.encoding
        values: list[bytes | None] = []
        for v in params:
            if v is None:
                values.append(None)
            elif type(v) is int:
                values.append(str(v).encode())
            elif type(v) is str and "\x00" not in v:
                values.append(v.encode(encoding))
            else:
                return super().insert_id(insert, params)
        psycopg, _ = _psycopg()
        pgconn = self.conn.pgconn
        if pgconn.pipeline_status != psycopg.pq.PipelineStatus.OFF:
            return super().insert_id(insert, params)
        with self.conn.lock:
            name = self._prepared(pgconn, f"{insert} RETURNING id")
            result = pgconn.exec_prepared(name, values)
        if result.status != psycopg.pq.ExecStatus.TUPLES_OK or result.ntuples != 1:
            raise psycopg.errors.error_from_result(result, encoding=encoding)
        return int(result.get_value(0, 0) or b"")

    def _prepared(self, pgconn: Any, statement: str) -> bytes:
        """The name of ``statement`` (``?`` placeholders) prepared on this connection, which
        prepares it the first time (the caller holds the connection's lock). psycopg drops
        every prepared statement of a connection (``DEALLOCATE ALL``) after a rollback and
        after a statement such as ``DROP`` or ``ALTER``: :func:`forget_prepared` then forgets
        them here too, and the next use prepares again under a new name."""
        names = _PREPARED.setdefault(self.conn, {})
        name = names.get(statement)
        if name is None:
            parts = statement.split("?")
            text = "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], 1)) + parts[-1]
            name = f"etstats_{next(_NAMES)}".encode()
            result = pgconn.prepare(name, text.encode())
            psycopg, _ = _psycopg()
            if result.status != psycopg.pq.ExecStatus.COMMAND_OK:
                raise psycopg.errors.error_from_result(result, encoding=self.conn.info.encoding)
            names[statement] = name
        return name

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        cur = super().execute(sql, params)
        if _DISCARDS(sql):
            forget_prepared(self.conn)
        return cur

    # -- many keys in one statement --------------------------------------------------------
    # The shared SQL spells a set of keys as ``IN (?, ?, ...)`` or an ``OR`` of windows, up
    # to 500 values a statement: psycopg parses such a query text again at every call (it
    # caches only short ones) and adapts each value on its own, and the server parses and
    # plans it each time. Here a set of keys is one array parameter per column
    # (``= ANY(...)``, ``unnest(...)``) sent in the binary format (``%b``): one short query
    # text, prepared once per connection by psycopg, whatever the number of keys
    # (docs/performance.md, "PostgreSQL bulk ingest: arrays and statement triggers
    # (eleventh session)").
    def _rows(self, query: str, params: Sequence[Any]) -> list[Row]:
        """The rows of ``query``, whose placeholders are psycopg's own (``%b``)."""
        return [tuple(r) for r in self.conn.execute(query, params).fetchall()]

    def known_artifacts(self, shas: Sequence[str]) -> dict[str, ArtifactRecord]:
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        rows = self._rows(f"{_SELECT_ARTIFACTS} WHERE sha256 = ANY(%b::text[])", (wanted,))
        return {r[0]: ArtifactRecord(*r) for r in rows}

    def artifacts_data(self, shas: Sequence[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        rows = self._rows(
            "SELECT sha256, data FROM artifacts WHERE sha256 = ANY(%b::text[])", (wanted,)
        )
        return {str(sha): bytes(data) for sha, data in rows}

    def insert_artifacts(self, items: Sequence[tuple[ArtifactRecord, bytes]]) -> set[str]:
        """One ``INSERT ... SELECT FROM unnest(...)`` for the whole batch: the server runs one
        statement (and the arrival counts' statement trigger of migration 0017 once) instead
        of one per artifact; the hashes written are those it returns."""
        if not items:
            return set()
        columns: list[list[Any]] = [[] for _ in _ARTIFACT_TYPES]
        for record, data in items:
            for column, value in zip(
                columns, (*sql.artifact_values(record), bytes(data)), strict=True
            ):
                column.append(value)
        rows = self._rows(_INSERT_ARTIFACTS, columns)
        return {str(r[0]) for r in rows}

    def update_artifacts(self, records: Sequence[ArtifactRecord]) -> None:
        """One ``UPDATE ... FROM unnest(...)`` for all of them (a hash given twice: the
        shared ``executemany``, whose last update wins)."""
        if not records:
            return
        if len({r.sha256 for r in records}) < len(records):
            super().update_artifacts(records)
            return
        self.conn.execute(
            _UPDATE_ARTIFACTS,
            [
                [r.sha256 for r in records],
                [r.status for r in records],
                [r.error for r in records],
                [r.map_name for r in records],
                [r.round_number for r in records],
                [r.anchor_unix for r in records],
                [r.start_unix for r in records],
                [r.kind for r in records],
            ],
        )

    def artifacts_in_windows(self, windows: Sequence[sql.Window]) -> list[ArtifactRecord]:
        if not windows:
            return []
        rows = self._rows(_ARTIFACTS_IN_WINDOWS, [list(c) for c in zip(*windows, strict=True)])
        return list({r[0]: ArtifactRecord(*r) for r in rows}.values())

    def stats_rounds_in_windows(self, windows: Sequence[sql.Window]) -> list[StoredRound]:
        if not windows:
            return []
        rows = self._rows(_ROUNDS_IN_WINDOWS, [list(c) for c in zip(*windows, strict=True)])
        return list({r[0]: StoredRound(*r) for r in rows}.values())

    def rounds_with_artifacts(self, shas: Sequence[str]) -> list[StoredRound]:
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return []
        rows = self._rows(_ROUNDS_WITH_ARTIFACTS, (wanted, wanted, wanted))
        return [StoredRound(*r) for r in rows]

    def rounds_with_any_artifact(self, shas: Sequence[str]) -> list[StoredRound]:
        return self.rounds_with_artifacts(shas)

    def rounds_by_id(self, round_ids: Sequence[int]) -> list[StoredRound]:
        wanted = sorted({int(r) for r in round_ids})
        if not wanted:
            return []
        rows = self._rows(f"{_SELECT_ROUNDS} WHERE id = ANY(%b::bigint[]) ORDER BY id", (wanted,))
        return [StoredRound(*r) for r in rows]

    def _column_types(self, table: str, columns: tuple[str, ...]) -> list[str]:
        """The type names of ``columns`` of ``table`` (the binary ``COPY`` must send each
        value as its column's exact type), read from the catalog once per process: every
        store runs the same migrated schema, whose tables use built-in types only."""
        key = (table, columns)
        types = _COPY_TYPES.get(key)
        if types is None:
            found: dict[str, str] = dict(
                self.fetchall(
                    "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                    "WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped",
                    (table,),
                )
            )
            types = _COPY_TYPES[key] = [str(found[c]) for c in columns]
        return types


_ARTIFACT_TYPES = (
    *("text", "text", "text", "bigint", "bigint", "bigint", "text", "text", "text"),
    *("bigint", "bigint", "bigint", "text", "bytea"),
)
"""The types of ``artifacts``' columns :data:`etstats.storage.sql.ARTIFACT_COLUMNS` and
``data``, in that order (migration 0001)."""
_SELECT_ARTIFACTS = f"SELECT {', '.join(sql.ARTIFACT_COLUMNS)} FROM artifacts"  # noqa: S608
_SELECT_ROUNDS = f"SELECT id, {', '.join(ROUND_COLUMNS)} FROM rounds"  # noqa: S608
_INSERT_ARTIFACTS = (
    f"INSERT INTO artifacts ({', '.join((*sql.ARTIFACT_COLUMNS, 'data'))}) "  # noqa: S608
    f"SELECT * FROM unnest({', '.join(f'%b::{t}[]' for t in _ARTIFACT_TYPES)}) "
    "ON CONFLICT (sha256) DO NOTHING RETURNING sha256"
)
_UPDATE_ARTIFACTS = (
    "UPDATE artifacts a SET status = u.status, error = u.error, map_name = u.map_name, "
    "round_number = u.round_number, anchor_unix = u.anchor_unix, start_unix = u.start_unix, "
    "kind = u.kind FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::bigint[], "
    "%b::bigint[], %b::bigint[], %b::text[]) "
    "AS u(sha256, status, error, map_name, round_number, anchor_unix, start_unix, kind) "
    "WHERE a.sha256 = u.sha256"
)
_WINDOWS = (
    "unnest(%b::bigint[], %b::text[], %b::bigint[], %b::bigint[], %b::bigint[]) "
    "AS w(server_id, map_name, round_number, lo, hi)"
)
""":data:`etstats.storage.sql.Window` values as rows, one array per field."""
_IN_WINDOW = (
    "t.server_id = w.server_id AND t.map_name = w.map_name AND t.round_number = w.round_number"
)
# Each window is one index range scan (artifacts_group, rounds_pairing), as in the shared
# ``OR`` of windows: the subquery per window, kept apart by ``OFFSET 0``, so the planner does
# not join the windows to the whole table (a merge join over every row of a group).
_ARTIFACTS_IN_WINDOWS = (
    f"SELECT t.* FROM {_WINDOWS} CROSS JOIN LATERAL ("  # noqa: S608
    f"SELECT {', '.join(f't.{c}' for c in sql.ARTIFACT_COLUMNS)} FROM artifacts t "
    f"WHERE {_IN_WINDOW} AND t.anchor_unix BETWEEN w.lo AND w.hi "
    "AND t.status = 'accepted' OFFSET 0) t"
)
_ROUNDS_IN_WINDOWS = (
    f"SELECT t.* FROM {_WINDOWS} CROSS JOIN LATERAL ("  # noqa: S608
    f"SELECT t.id, {', '.join(f't.{c}' for c in ROUND_COLUMNS)} FROM rounds t "
    f"WHERE {_IN_WINDOW} AND t.stats_file_unix BETWEEN w.lo AND w.hi "
    "AND t.stats_sha256 IS NOT NULL OFFSET 0) t"
)
_ROUNDS_WITH_ARTIFACTS = (
    f"{_SELECT_ROUNDS} WHERE stats_sha256 = ANY(%b::text[]) "
    "OR lua_sha256 = ANY(%b::text[]) OR endstats_sha256 = ANY(%b::text[]) ORDER BY id"
)

_PREPARED: WeakKeyDictionary[Any, dict[str, bytes]] = WeakKeyDictionary()
"""Per psycopg connection: the statements :meth:`PgTx.insert_id` prepared on it, by text."""
_NAMES = itertools.count()
"""Numbers for the prepared statements' names: a name is never used twice in a process, so a
statement prepared again cannot meet one psycopg did not drop after all."""
_DISCARDS = re.compile(r"\s*(?:DROP|ALTER|ROLLBACK|DISCARD|DEALLOCATE)\b", re.IGNORECASE).match
"""Statements after which psycopg drops a connection's prepared statements (its own test is
on the command's status: ``DROP``, ``ALTER``, ``ROLLBACK``, ``DISCARD ALL``, ``DEALLOCATE
ALL``)."""


def forget_prepared(conn: Any) -> None:
    """Forget the statements :meth:`PgTx.insert_id` prepared on ``conn``: psycopg has dropped
    them (a rollback, or a statement named in :data:`_DISCARDS`)."""
    _PREPARED.pop(conn, None)


_COPY_TYPES: dict[tuple[str, tuple[str, ...]], list[str]] = {}
"""(table, columns) -> column type names, for :meth:`PgTx.bulk_insert` (a handful of keys)."""


class PostgresStorage(ReadApi):
    """A store in a PostgreSQL database, reached through a connection pool.

    :param url: a libpq URL/conninfo (``postgresql://user@host:port/db``).
    :param pool: an existing ``psycopg_pool.ConnectionPool`` to use; it is never closed here.
    :param max_size: pool size when the pool is created here.
    :param connect_timeout: seconds one connection attempt may take. A pool retries in the
        background and reports only "timed out" after ``timeout``; so one plain connection is
        tried first, and a wrong URL fails within these seconds with the server's reason.
    """

    dialect = "postgres"

    def __init__(
        self,
        url: str,
        *,
        pool: Any = None,
        max_size: int = 4,
        migrate: bool = True,
        timeout: float = 30.0,
        connect_timeout: int = 5,
    ) -> None:
        _, psycopg_pool = _psycopg()
        self.url = url
        self._own_pool = pool is None
        with wrap_exceptions():
            if pool is None:
                _probe(url, connect_timeout)
                pool = psycopg_pool.ConnectionPool(
                    url,
                    min_size=1,
                    max_size=max_size,
                    open=False,
                    timeout=timeout,
                    check=psycopg_pool.ConnectionPool.check_connection,
                    name="etstats",
                )
                pool.open(wait=True, timeout=timeout)
        self.pool = pool
        if migrate:
            self.migrate()

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        with wrap_exceptions(), self.pool.connection() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[PgTx]:
        with self._connection() as conn:
            try:
                with conn.transaction():
                    yield PgTx(conn)
            except BaseException:
                forget_prepared(conn)  # rolled back: psycopg dropped the prepared statements
                raise

    @contextmanager
    def _reader(self) -> Iterator[PgTx]:
        """Reads of the typed API: one transaction (one snapshot per statement)."""
        with self.transaction() as tx:
            yield tx

    def migrate(self) -> list[int]:
        applied: list[int] = []
        with self._connection() as conn:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                conn.execute(CREATE_VERSION_TABLE)
            for mig in load_migrations(self.dialect):
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                    done = conn.execute(
                        "SELECT 1 FROM schema_migrations WHERE version = %s", (mig.version,)
                    ).fetchone()
                    if done:
                        continue
                    conn.execute(mig.sql.encode("utf-8"))
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name, applied_unix) "
                        "VALUES (%s, %s, %s)",
                        (mig.version, mig.name, int(time.time())),
                    )
                applied.append(mig.version)
            forget_prepared(conn)  # DDL: psycopg may have dropped the prepared statements
        return applied

    def schema_version(self) -> int:
        with self._connection() as conn, conn.transaction():
            conn.execute(CREATE_VERSION_TABLE)
            row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def rounds(self) -> list[StoredRound]:
        with self.transaction() as tx:
            return sql.read_rounds(tx)

    def artifacts(self) -> list[ArtifactRecord]:
        with self.transaction() as tx:
            return sql.read_artifacts(tx)

    def artifacts_page(self, after: tuple[int, str] | None, limit: int) -> list[ArtifactRecord]:
        with self.transaction() as tx:
            return sql.read_artifacts_page(tx, after, limit)

    def rounds_page(self, after_id: int | None, limit: int) -> list[StoredRound]:
        with self.transaction() as tx:
            return sql.read_rounds_page(tx, after_id, limit)

    def verdicts_page(self, after_id: int | None, limit: int) -> list[tuple[int, str, int, int]]:
        with self.transaction() as tx:
            return sql.read_verdicts_page(tx, after_id, limit)

    def linked_shas(self, shas: Sequence[str]) -> set[str]:
        with self.transaction() as tx:
            return sql.read_linked_shas(tx, shas)

    def artifact_data(self, sha256: str) -> bytes:
        with self.transaction() as tx:  # a plain read: PostgreSQL readers take no row locks
            return tx.artifact_data(sha256)

    def table_rows(self, table: str, round_ids: Sequence[int] | None = None) -> list[Row]:
        with self.transaction() as tx:
            return sql.read_table(tx, table, round_ids)

    def clear_derived(self) -> None:
        with self.transaction() as tx:
            # TRUNCATE fires no DELETE triggers: deleting every line through the running
            # totals' statement triggers (migration 0006) subtracts them line by line from
            # totals that are about to be empty anyway, which took over ten minutes at
            # 10,000 rounds. The totals are derived from the lines only, so they go with them.
            tables = ", ".join(("player_totals", "player_name_lines", *ROUND_TABLES))
            tx.execute(f"TRUNCATE {tables}")  # fixed table names only
            sql.clear_derived(tx)

    @contextmanager
    def bulk_load(self) -> Iterator[bool]:
        """Nothing to set aside: building the record indexes after a load into an empty
        store measured no less server CPU than keeping them up during ``COPY``
        (docs/performance.md, "Bulk writes on SQLite"), while ``DROP INDEX`` would lock
        readers out of the player lines."""
        yield False

    def close(self) -> None:
        if self._own_pool:
            self.pool.close()

    def __repr__(self) -> str:
        return f"PostgresStorage({self.url!r})"
