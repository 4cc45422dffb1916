"""SQL shared by the SQLite and PostgreSQL backends (one query text, two placeholder styles).

Queries are written with ``?`` placeholders; the PostgreSQL backend turns them into ``%s``.
Every value is passed as a parameter; identifiers come only from the fixed table lists in
:mod:`etstats.storage.base`, never from input.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from etstats.storage.base import ROUND_COLUMNS, ROUND_TABLES, ArtifactRecord, Row, StoredRound
from etstats.storage.outbox_sql import OutboxTxMixin
from etstats.storage.record_lines import (
    add_record_lines,
    clear_record_lines,
    drop_record_lines,
    prune_record_lines,
)

Window = tuple[int, str, int, int, int]
"""``(server id, map name, round number, lo, hi)``: a time window of one link group."""

ARTIFACT_COLUMNS = (
    "sha256",
    "kind",
    "name",
    "server_id",
    "size_bytes",
    "received_unix",
    "status",
    "error",
    "map_name",
    "round_number",
    "anchor_unix",
    "start_unix",
    "link_note",
)

_ORDER: dict[str, str] = {
    "servers": "name",
    "artifacts": "sha256",
    "rounds": "server_id, map_name, round_number, round_start_unix",
}


_INSERT_ROUND = (
    f"INSERT INTO rounds ({', '.join(ROUND_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' for _ in ROUND_COLUMNS)})"
)
_UPDATE_ROUND = f"UPDATE rounds SET {', '.join(f'{c} = ?' for c in ROUND_COLUMNS)} WHERE id = ?"  # noqa: S608


class SqlTx(OutboxTxMixin):
    """A transaction over a DB-API style connection (``sqlite3`` or ``psycopg``).

    It remembers the rounds it created whose per-round rows it has not written yet: their
    first rewrite has nothing to delete and no totals to subtract (a bulk load into a new
    store: every round), so those statements are skipped.
    """

    placeholder = "?"
    keeps_record_candidates = True
    """Whether the writer keeps the record candidates of migration 0019
    (:mod:`etstats.storage.record_lines`): SQLite's; PostgreSQL keeps expression indexes."""
    writes_in_background = False
    """Whether a batch's row writes may run in a thread beside the ingest's reconciling
    (:mod:`etstats.ingest.alongside`). Not on SQLite: its writes run in this process and need
    the GIL for every row."""
    bytes_table = "artifacts"
    """The table of the archived raw bytes (columns ``sha256``, ``data``): ``artifacts``
    itself on PostgreSQL (TOAST: a status update does not rewrite them); SQLite keeps them
    in ``artifact_bytes`` (migration 0016), since it rewrites an updated row whole."""
    round_table_order: tuple[str, ...] = tuple(ROUND_TABLES)
    """The order in which a round's tables are rewritten (PostgreSQL writes the weapon lines
    before the player lines: :class:`etstats.storage.postgres.PgTx`)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._unwritten: set[int] = set()

    # -- helpers ---------------------------------------------------------------------------
    def q(self, sql: str) -> str:
        """``sql`` with this dialect's placeholders."""
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self.q(sql), tuple(params))

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return [tuple(r) for r in self.execute(sql, params).fetchall()]

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row = self.execute(sql, params).fetchone()
        return None if row is None else tuple(row)

    def bulk_insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        """Insert many rows (``executemany``; PostgreSQL overrides this with COPY)."""
        if not rows:
            return
        marks = ", ".join("?" for _ in columns)
        sql = self.q(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})")  # noqa: S608
        self.conn.executemany(sql, rows)

    def insert_new(self, table: str, columns: Sequence[str], key: str, rows: list[Row]) -> int:
        """Insert ``rows`` in order, skipping each whose ``key`` is taken (``ON CONFLICT DO
        NOTHING``); returns how many were written. One ``executemany`` (both drivers sum its
        rows); SQLite overrides this with many rows a statement. ``table``, ``columns`` and
        ``key`` are the code's own names, never input."""
        if not rows:
            return 0
        marks = ", ".join("?" for _ in columns)
        cur = self.conn.cursor()
        cur.executemany(
            self.q(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "  # noqa: S608
                f"ON CONFLICT ({key}) DO NOTHING"
            ),
            rows,
        )
        return int(cur.rowcount)

    def insert_id(self, insert: str, params: Sequence[Any]) -> int:
        """Run ``insert`` (one row into a table with an ``id`` key) and return the new id."""
        row = self.fetchone(f"{insert} RETURNING id", params)
        if row is None:  # pragma: no cover - INSERT ... RETURNING always returns a row
            raise RuntimeError(f"{insert.split('(')[0]}returned no id")
        return int(row[0])

    # -- servers ---------------------------------------------------------------------------
    def ensure_server(self, name: str, timezone: str = "UTC") -> int:
        self.execute(
            "INSERT INTO servers (name, timezone) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (name, timezone),
        )
        row = self.fetchone("SELECT id FROM servers WHERE name = ?", (name,))
        if row is None:  # pragma: no cover - the INSERT above guarantees the row
            raise RuntimeError(f"server {name!r} vanished")
        return int(row[0])

    def server_timezone(self, server_id: int) -> str:
        row = self.fetchone("SELECT timezone FROM servers WHERE id = ?", (server_id,))
        return "UTC" if row is None else str(row[0])

    def server_name(self, server_id: int) -> str | None:
        row = self.fetchone("SELECT name FROM servers WHERE id = ?", (server_id,))
        return None if row is None else str(row[0])

    # -- artifacts -------------------------------------------------------------------------
    def get_artifact(self, sha256: str) -> ArtifactRecord | None:
        row = self.fetchone(
            f"SELECT {', '.join(ARTIFACT_COLUMNS)} FROM artifacts WHERE sha256 = ?",  # noqa: S608
            (sha256,),
        )
        return None if row is None else ArtifactRecord(*row)

    def insert_artifact(self, record: ArtifactRecord, data: bytes) -> bool:
        """Archive the bytes; ``False`` when another writer archived the same hash first."""
        cols, values = self._artifact_row(record, data)
        marks = ", ".join("?" for _ in cols)
        row = self.fetchone(
            f"INSERT INTO artifacts ({', '.join(cols)}) VALUES ({marks}) "  # noqa: S608
            "ON CONFLICT (sha256) DO NOTHING RETURNING sha256",
            values,
        )
        if row is not None and self.bytes_table != "artifacts":
            self._insert_bytes([(record.sha256, bytes(data))])
        return row is not None

    def _artifact_row(self, record: ArtifactRecord, data: bytes) -> tuple[tuple[str, ...], Row]:
        """The columns and values of ``record``'s row in ``artifacts`` (its bytes too when
        they are kept there: :attr:`bytes_table`)."""
        if self.bytes_table != "artifacts":
            return ARTIFACT_COLUMNS, artifact_values(record)
        return (*ARTIFACT_COLUMNS, "data"), (*artifact_values(record), bytes(data))

    def _insert_bytes(self, rows: Sequence[tuple[str, bytes]]) -> None:
        """Archive ``(sha256, bytes)`` pairs in :attr:`bytes_table` (when that is a table of
        its own; their ``artifacts`` rows first, for the foreign key)."""
        if rows:
            self.insert_new(self.bytes_table, ("sha256", "data"), "sha256", list(rows))

    def update_artifact(self, record: ArtifactRecord) -> None:
        self.execute(
            "UPDATE artifacts SET status = ?, error = ?, map_name = ?, round_number = ?, "
            "anchor_unix = ?, start_unix = ?, kind = ? WHERE sha256 = ?",
            (
                record.status,
                record.error,
                record.map_name,
                record.round_number,
                record.anchor_unix,
                record.start_unix,
                record.kind,
                record.sha256,
            ),
        )

    def update_artifacts(self, records: Sequence[ArtifactRecord]) -> None:
        """:meth:`update_artifact` of many records in one ``executemany``."""
        if not records:
            return
        cur = self.conn.cursor()
        cur.executemany(
            self.q(
                "UPDATE artifacts SET status = ?, error = ?, map_name = ?, round_number = ?, "
                "anchor_unix = ?, start_unix = ?, kind = ? WHERE sha256 = ?"
            ),
            [
                (
                    r.status,
                    r.error,
                    r.map_name,
                    r.round_number,
                    r.anchor_unix,
                    r.start_unix,
                    r.kind,
                    r.sha256,
                )
                for r in records
            ],
        )

    def artifacts_data(self, shas: Sequence[str]) -> dict[str, bytes]:
        """The archived bytes of these hashes (one query per 500; unknown ones left out)."""
        wanted = list(dict.fromkeys(shas))
        out: dict[str, bytes] = {}
        for i in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[i : i + _IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            for sha, data in self.fetchall(
                f"SELECT sha256, data FROM {self.bytes_table} WHERE sha256 IN ({marks})",  # noqa: S608
                chunk,
            ):
                out[str(sha)] = bytes(data)
        return out

    def set_link_note(self, sha256: str, note: str | None) -> None:
        self.execute("UPDATE artifacts SET link_note = ? WHERE sha256 = ?", (note, sha256))

    def rename_artifact(self, sha256: str, name: str) -> None:
        self.execute("UPDATE artifacts SET name = ? WHERE sha256 = ?", (name, sha256))

    def artifact_data(self, sha256: str) -> bytes:
        row = self.fetchone(
            f"SELECT data FROM {self.bytes_table} WHERE sha256 = ?",  # noqa: S608
            (sha256,),
        )
        if row is None:
            raise KeyError(sha256)
        return bytes(row[0])

    def known_artifacts(self, shas: Sequence[str]) -> dict[str, ArtifactRecord]:
        """The archived artifacts among ``shas`` by hash (one query per 500 hashes)."""
        wanted = list(dict.fromkeys(shas))
        out: dict[str, ArtifactRecord] = {}
        for i in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[i : i + _IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = self.fetchall(
                f"SELECT {', '.join(ARTIFACT_COLUMNS)} FROM artifacts "  # noqa: S608
                f"WHERE sha256 IN ({marks})",
                chunk,
            )
            out.update((r[0], ArtifactRecord(*r)) for r in rows)
        return out

    def insert_artifacts(self, items: Sequence[tuple[ArtifactRecord, bytes]]) -> set[str]:
        """Archive many artifacts (with their status and facts) in one ``executemany``;
        returns the hashes written (an already archived hash is skipped)."""
        if not items:
            return set()
        rows = [self._artifact_row(r, d) for r, d in items]
        count = self.insert_new("artifacts", rows[0][0], "sha256", [values for _, values in rows])
        if count == len(items):
            written = {r.sha256 for r, _ in items}
        else:
            # Another writer archived some of them first: ask which rows are ours.
            shas = [r.sha256 for r, _ in items]
            mine = {r.sha256: r for r, _ in items}
            written = {
                sha
                for sha, rec in self.known_artifacts(shas).items()
                if (rec.name, rec.received_unix) == (mine[sha].name, mine[sha].received_unix)
            }
        if self.bytes_table != "artifacts":
            data = {r.sha256: d for r, d in items if r.sha256 in written}
            self._insert_bytes([(sha, bytes(d)) for sha, d in data.items()])
        return written

    def group_artifacts(
        self, server_id: int, map_name: str, round_number: int, lo_unix: int, hi_unix: int
    ) -> list[ArtifactRecord]:
        rows = self.fetchall(
            f"SELECT {', '.join(ARTIFACT_COLUMNS)} FROM artifacts "  # noqa: S608
            "WHERE server_id = ? AND map_name = ? AND round_number = ? AND status = 'accepted' "
            "AND anchor_unix BETWEEN ? AND ? ORDER BY anchor_unix, sha256",
            (server_id, map_name, round_number, lo_unix, hi_unix),
        )
        return [ArtifactRecord(*r) for r in rows]

    def artifacts_in_windows(self, windows: Sequence[Window]) -> list[ArtifactRecord]:
        """:meth:`group_artifacts` of many windows ``(server id, map, round number, lo, hi)``
        (anchor seconds, UTC) in one statement per 100 windows; unordered, each artifact
        once."""
        where = (
            "server_id = ? AND map_name = ? AND round_number = ? AND anchor_unix BETWEEN ? AND ?"
        )
        rows = self._in_windows(
            f"SELECT {', '.join(ARTIFACT_COLUMNS)} FROM artifacts "  # noqa: S608
            "WHERE status = 'accepted' AND ",
            where,
            windows,
        )
        return list({r[0]: ArtifactRecord(*r) for r in rows}.values())

    def stats_rounds_in_windows(self, windows: Sequence[Window]) -> list[StoredRound]:
        """:meth:`stats_rounds_between` of many windows ``(server id, map, round number, lo,
        hi)`` (stats file seconds, UTC) in one statement per 100 windows; unordered, each
        round once."""
        where = (
            "server_id = ? AND map_name = ? AND round_number = ? "
            "AND stats_file_unix BETWEEN ? AND ?"
        )
        rows = self._in_windows(
            f"SELECT id, {', '.join(ROUND_COLUMNS)} FROM rounds "  # noqa: S608
            "WHERE stats_sha256 IS NOT NULL AND ",
            where,
            windows,
        )
        return list({r[0]: StoredRound(*r) for r in rows}.values())

    def rounds_with_any_artifact(self, shas: Sequence[str]) -> list[StoredRound]:
        """:meth:`rounds_with_artifacts` of many hashes (one statement per 500); unordered."""
        wanted = list(dict.fromkeys(shas))
        out: dict[int, StoredRound] = {}
        for i in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[i : i + _IN_CHUNK]
            out.update((r.id, r) for r in self.rounds_with_artifacts(chunk))
        return list(out.values())

    def _in_windows(self, select: str, where: str, windows: Sequence[Window]) -> list[Row]:
        """Rows of ``select`` + any of ``where`` (one per window), 100 windows a statement."""
        rows: list[Row] = []
        for i in range(0, len(windows), _WINDOW_CHUNK):
            chunk = windows[i : i + _WINDOW_CHUNK]
            terms = " OR ".join(f"({where})" for _ in chunk)
            rows += self.fetchall(f"{select}({terms})", [v for w in chunk for v in w])
        return rows

    def lock_group(self, server_id: int, map_name: str, round_number: int) -> None:
        """Serialise writers of one (server, map) until commit.

        SQLite needs nothing: ``BEGIN IMMEDIATE`` already admits one writer at a time.
        """

    # -- rounds ----------------------------------------------------------------------------
    def rounds_with_artifacts(self, shas: Sequence[str]) -> list[StoredRound]:
        if not shas:
            return []
        marks = ", ".join("?" for _ in shas)
        rows = self.fetchall(
            f"SELECT id, {', '.join(ROUND_COLUMNS)} FROM rounds "  # noqa: S608
            f"WHERE stats_sha256 IN ({marks}) OR lua_sha256 IN ({marks}) "
            f"OR endstats_sha256 IN ({marks}) ORDER BY id",
            (*shas, *shas, *shas),
        )
        return [StoredRound(*r) for r in rows]

    def rounds_by_id(self, round_ids: Sequence[int]) -> list[StoredRound]:
        """The rounds with these ids (missing ids are left out), ordered by id."""
        wanted = sorted({int(r) for r in round_ids})
        out: list[StoredRound] = []
        for i in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[i : i + _IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = self.fetchall(
                f"SELECT id, {', '.join(ROUND_COLUMNS)} FROM rounds "  # noqa: S608
                f"WHERE id IN ({marks}) ORDER BY id",
                chunk,
            )
            out.extend(StoredRound(*r) for r in rows)
        return out

    def save_round(self, round_id: int | None, values: dict[str, Any]) -> int:
        params = [values.get(c) for c in ROUND_COLUMNS]
        if round_id is None:
            rid = self.insert_id(_INSERT_ROUND, params)
            # A new id (SQLite may reuse the id of a round deleted in this transaction, but
            # delete_rounds took its rows with it).
            self._unwritten.add(rid)
            return rid
        self.execute(_UPDATE_ROUND, (*params, round_id))
        return round_id

    def stats_rounds_between(
        self, server_id: int, map_name: str, round_number: int, lo_unix: int, hi_unix: int
    ) -> list[StoredRound]:
        rows = self.fetchall(
            f"SELECT id, {', '.join(ROUND_COLUMNS)} FROM rounds "  # noqa: S608
            "WHERE server_id = ? AND map_name = ? AND round_number = ? "
            "AND stats_sha256 IS NOT NULL AND stats_file_unix BETWEEN ? AND ? "
            "ORDER BY stats_file_unix, id",
            (server_id, map_name, round_number, lo_unix, hi_unix),
        )
        return [StoredRound(*r) for r in rows]

    def set_round_scope(
        self, round_id: int, values_scope: str | None, r1_round_id: int | None
    ) -> None:
        self.execute(
            "UPDATE rounds SET values_scope = ?, r1_round_id = ? WHERE id = ?",
            (values_scope, r1_round_id, round_id),
        )

    def clear_round_links(self, round_ids: Sequence[int]) -> None:
        """Drop the artifact references of rounds about to be re-keyed (keeps UNIQUE happy)."""
        for rid in round_ids:
            self.execute(
                "UPDATE rounds SET stats_sha256 = NULL, lua_sha256 = NULL, "
                "endstats_sha256 = NULL, round_start_unix = -id WHERE id = ?",
                (rid,),
            )

    def delete_rounds(self, round_ids: Sequence[int]) -> None:
        drop_record_lines(self, round_ids)
        for rid in round_ids:
            for table in ROUND_TABLES:
                self.execute(f"DELETE FROM {table} WHERE round_id = ?", (rid,))  # noqa: S608
            self.execute("DELETE FROM rounds WHERE id = ?", (rid,))

    def replace_many_round_rows(self, rows: dict[int, dict[str, list[Row]]]) -> None:
        """:meth:`replace_round_rows` for many rounds at once: per table one ``DELETE`` per
        500 rounds and one bulk insert (``executemany``, or ``COPY`` on PostgreSQL)."""
        lines = [rid for rid, t in rows.items() if "player_round_stats" in t or "weapon_stats" in t]
        with self.totals_kept_for(lines):
            self._replace_many_round_rows(rows)
        self._unwritten.difference_update(rows)
        if any("player_round_stats" in t for t in rows.values()):
            prune_record_lines(self)

    @contextmanager
    def totals_kept_for(self, round_ids: Sequence[int]) -> Iterator[None]:
        """Around rewriting the player and weapon lines of ``round_ids``: SQLite keeps the
        running totals per batch (:mod:`etstats.storage.bulk_totals`); PostgreSQL's
        statement triggers need nothing."""
        from etstats.storage.bulk_totals import deferred_totals

        with deferred_totals(self.conn, round_ids, self.stored_before(round_ids)):
            yield

    def stored_before(self, round_ids: Sequence[int]) -> list[int]:
        """Those of ``round_ids`` that may have per-round rows stored already (whose rows a
        rewrite deletes first): all but the rounds this transaction created and has not
        written rows for yet."""
        return [rid for rid in round_ids if rid not in self._unwritten]

    def _replace_many_round_rows(self, rows: dict[int, dict[str, list[Row]]]) -> None:
        for table in self.round_table_order:
            columns = ROUND_TABLES[table]
            ids = sorted(rid for rid, by_table in rows.items() if table in by_table)
            old = self.stored_before(ids)
            lines = table == "player_round_stats"
            if lines:  # the record candidates go with their lines and come back with them
                drop_record_lines(self, old)
            for i in range(0, len(old), _IN_CHUNK):
                chunk = old[i : i + _IN_CHUNK]
                marks = ", ".join("?" * len(chunk))
                self.execute(
                    f"DELETE FROM {table} WHERE round_id IN ({marks})",  # noqa: S608
                    chunk,
                )
            self.bulk_insert(table, columns, [row for rid in ids for row in rows[rid][table]])
            if lines:
                add_record_lines(self, ids)

    def replace_round_rows(self, round_id: int, rows: dict[str, list[Row]]) -> None:
        stored = bool(self.stored_before([round_id]))
        for table in self.round_table_order:
            if table not in rows:
                continue
            lines = table == "player_round_stats"
            if stored:
                if lines:
                    drop_record_lines(self, [round_id])
                self.execute(f"DELETE FROM {table} WHERE round_id = ?", (round_id,))  # noqa: S608
            self.bulk_insert(table, ROUND_TABLES[table], rows[table])
            if lines:
                add_record_lines(self, [round_id])
        self._unwritten.discard(round_id)
        if "player_round_stats" in rows:
            prune_record_lines(self)


def artifact_values(r: ArtifactRecord) -> tuple[Any, ...]:
    """``r``'s values in the order of :data:`ARTIFACT_COLUMNS`."""
    return (
        r.sha256,
        r.kind,
        r.name,
        r.server_id,
        r.size_bytes,
        r.received_unix,
        r.status,
        r.error,
        r.map_name,
        r.round_number,
        r.anchor_unix,
        r.start_unix,
        r.link_note,
    )


def read_rounds(tx: SqlTx) -> list[StoredRound]:
    rows = tx.fetchall(
        f"SELECT id, {', '.join(ROUND_COLUMNS)} FROM rounds "  # noqa: S608
        f"ORDER BY {_ORDER['rounds']}"
    )
    return [StoredRound(*r) for r in rows]


def read_artifacts(tx: SqlTx) -> list[ArtifactRecord]:
    rows = tx.fetchall(
        f"SELECT {', '.join(ARTIFACT_COLUMNS)} FROM artifacts "  # noqa: S608
        "ORDER BY received_unix, sha256"
    )
    return [ArtifactRecord(*r) for r in rows]


def read_artifacts_page(
    tx: SqlTx, after: tuple[int, str] | None, limit: int
) -> list[ArtifactRecord]:
    """A page of :func:`read_artifacts` (keyset on the ``artifacts_receipt`` index).

    The keyset is a row-value comparison: SQLite and PostgreSQL both seek the index to it.
    Written as ``received_unix > ? OR (received_unix = ? AND sha256 > ?)``, a big store's
    SQLite plan scanned the index from its start for every page instead (at 100,000 rounds
    40-190 ms a page of 4,096 with the store cached, seconds from disk, against 8 ms:
    docs/performance.md)."""
    select = f"SELECT {', '.join(ARTIFACT_COLUMNS)} FROM artifacts"  # noqa: S608
    if after is None:
        rows = tx.fetchall(f"{select} ORDER BY received_unix, sha256 LIMIT ?", (limit,))
    else:
        rows = tx.fetchall(
            f"{select} WHERE (received_unix, sha256) > (?, ?) "
            "ORDER BY received_unix, sha256 LIMIT ?",
            (after[0], after[1], limit),
        )
    return [ArtifactRecord(*r) for r in rows]


def read_rounds_page(tx: SqlTx, after_id: int | None, limit: int) -> list[StoredRound]:
    """Up to ``limit`` rounds with an id above ``after_id``, by id (primary-key keyset)."""
    rows = tx.fetchall(
        f"SELECT id, {', '.join(ROUND_COLUMNS)} FROM rounds WHERE id > ? "  # noqa: S608
        "ORDER BY id LIMIT ?",
        (-1 if after_id is None else after_id, limit),
    )
    return [StoredRound(*r) for r in rows]


def read_verdicts_page(
    tx: SqlTx, after_id: int | None, limit: int
) -> list[tuple[int, str, int, int]]:
    """(round id, verdict, errors, warnings) of stored reconciliations by round id, without
    the report text."""
    rows = tx.fetchall(
        "SELECT round_id, verdict, errors, warnings FROM reconciliations WHERE round_id > ? "
        "ORDER BY round_id LIMIT ?",
        (-1 if after_id is None else after_id, limit),
    )
    return [(int(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows]


def read_linked_shas(tx: SqlTx, shas: Sequence[str]) -> set[str]:
    """Those of ``shas`` that some round links (stats, Lua or endstats)."""
    found: set[str] = set()
    wanted = list(dict.fromkeys(shas))
    for i in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[i : i + _IN_CHUNK]
        marks = ", ".join("?" * len(chunk))
        for column in ("stats_sha256", "lua_sha256", "endstats_sha256"):
            rows = tx.fetchall(
                f"SELECT {column} FROM rounds WHERE {column} IN ({marks})",  # noqa: S608
                chunk,
            )
            found.update(str(r[0]) for r in rows)
    return found


def read_table(tx: SqlTx, table: str, round_ids: Sequence[int] | None = None) -> list[Row]:
    """Every row of ``table`` (a known table name), sorted by all its columns; with
    ``round_ids``, only the rows of those rounds (per-round tables and ``rounds``)."""
    key = "round_id"
    if table in ROUND_TABLES:
        cols = ROUND_TABLES[table]
    elif table == "rounds":
        cols, key = ("id", *ROUND_COLUMNS), "id"
    elif table == "artifacts":
        cols = ARTIFACT_COLUMNS
    elif table == "servers":
        cols = ("id", "name", "timezone")
    else:
        raise ValueError(f"unknown table {table!r}")
    order = ", ".join(str(i + 1) for i in range(len(cols)))
    select = f"SELECT {', '.join(cols)} FROM {table}"  # noqa: S608 - names from the constants
    if round_ids is None:
        return tx.fetchall(f"{select} ORDER BY {order}")
    if table not in ROUND_TABLES and table != "rounds":
        raise ValueError(f"table {table!r} has no round id")
    wanted = sorted({int(r) for r in round_ids})
    rows: list[Row] = []
    # Chunks of ascending ids, each sorted by the database: the first column is the round id,
    # so their concatenation is in the same order as the unfiltered read.
    for i in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[i : i + _IN_CHUNK]
        marks = ", ".join("?" * len(chunk))
        rows.extend(
            tx.fetchall(f"{select} WHERE {key} IN ({marks}) ORDER BY {order}", tuple(chunk))
        )
    return rows


_IN_CHUNK = 500
"""Most bound values in one ``IN (...)`` list."""
_WINDOW_CHUNK = 100
"""Windows per statement of the ``*_in_windows`` reads (5 parameters each)."""


def clear_derived(tx: SqlTx) -> None:
    clear_record_lines(tx)
    for table in ROUND_TABLES:
        tx.execute(f"DELETE FROM {table}")  # noqa: S608
    tx.execute("DELETE FROM rounds")
    tx.execute(
        "UPDATE artifacts SET status = 'pending', error = NULL, map_name = NULL, "
        "round_number = NULL, anchor_unix = NULL, start_unix = NULL, link_note = NULL"
    )
