"""SQLite's bulk insert writes many rows per ``INSERT`` statement (``SQLiteTx.bulk_insert``):
the rows, their order (so their row ids) and, with the row triggers in place (a single
arrival), the running totals must be what one row per statement gives, however the rows fall
into statements."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.sessions.builders import Line, bare_round, player_row
from tests.sessions.test_totals_properties import assert_fast_equals_plain

from etstats.storage.base import ROUND_TABLES, ArtifactRecord, Row
from etstats.storage.sqlite import SQLiteStorage, SQLiteTx

_WEAPONS = ROUND_TABLES["weapon_stats"]
_PLAYERS = ROUND_TABLES["player_round_stats"]


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStorage]:
    store = SQLiteStorage(str(tmp_path / "bulk.db"))
    yield store
    store.close()


def _weapon_rows(rid: int, n: int) -> list[Row]:
    return [(rid, i // 3, i % 3 + 1, i, 2 * i, i % 4, i % 5, i % 2, "round") for i in range(n)]


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 7, 9, 10])
def test_rows_come_back_in_the_order_written(sqlite_store: SQLiteStorage, count: int) -> None:
    # a limit of 27 bound values: three weapon rows a statement, the rest one by one
    sqlite_store.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 27)
    with sqlite_store.transaction() as tx:
        rid = bare_round(tx, "bulk", 1_700_000_000)
        rows = _weapon_rows(rid, count)
        assert isinstance(tx, SQLiteTx)
        tx.bulk_insert("weapon_stats", _WEAPONS, rows)
    stored = sqlite_store.connection.execute(
        f"SELECT {', '.join(_WEAPONS)} FROM weapon_stats ORDER BY rowid"  # noqa: S608
    ).fetchall()
    assert stored == rows


def test_row_triggers_see_each_row_of_a_statement(sqlite_store: SQLiteStorage) -> None:
    """A GUID's lines of one round within one statement count the round once, and a
    bot's lines not at all, as when each line is its own statement."""
    sqlite_store.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 2 * len(_PLAYERS))
    lines = [
        Line("000000A1", "alpha", 1, kills=3),
        Line("000000A1", "alpha", 2, kills=4),  # same GUID, same statement
        Line("000000A2", "gamma", 1, kills=1),
        Line("OMNIBOT0001", "[BOT]beta", 2, kills=9),
        Line("000000A1", "alpha2", 1, kills=2),  # same GUID, next statement
    ]
    with sqlite_store.transaction() as tx:
        assert isinstance(tx, SQLiteTx)
        for k in range(2):
            rid = bare_round(tx, "bulk", 1_700_000_000 + 3_600 * k)
            tx.bulk_insert(
                "player_round_stats",
                _PLAYERS,
                [player_row(rid, i, ln, "round") for i, ln in enumerate(lines)],
            )
            tx.bulk_insert("weapon_stats", _WEAPONS, _weapon_rows(rid, 3 * len(lines)))
    assert_fast_equals_plain(sqlite_store)
    (rounds,) = sqlite_store.connection.execute(
        "SELECT rounds FROM player_totals WHERE guid = '000000A1'"
    ).fetchone()
    assert rounds == 2


def _record(i: int, server_id: int, received: int = 1_700_000_000) -> tuple[ArtifactRecord, bytes]:
    data = f"artifact {i}".encode()
    status = "rejected" if i % 3 == 0 else "accepted"
    sha = f"{i:064x}"
    kind = ("stats", "gametimes", "endstats")[i % 3]
    return ArtifactRecord(sha, kind, f"{i}.txt", server_id, len(data), received + i, status), data


@pytest.mark.parametrize("count", [1, 2, 5, 8])
def test_artifacts_archived_many_to_a_statement_as_one_by_one(tmp_path: Path, count: int) -> None:
    """Archiving a batch (``insert_artifacts``, many rows a statement on SQLite) stores the
    same rows in the same order, skips the hashes archived before, reports which it wrote,
    and leaves the arrival counts the per-row trigger gives for one artifact at a time."""
    stores = [SQLiteStorage(str(tmp_path / f"{name}.db")) for name in ("bulk", "single")]
    try:
        written: list[set[str]] = []
        for n, store in enumerate(stores):
            # a limit of 2 rows a statement for the batch, the remainder a statement of its own
            store.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 2 * 12 + 5)
            with store.transaction() as tx:
                sid = tx.ensure_server("bulk")
                # archived already, received earlier
                before = [_record(i, sid, 1_600_000_000) for i in range(0, 2 * count, 2)]
                assert tx.insert_artifacts(before) == {r.sha256 for r, _ in before}
            with store.transaction() as tx:
                batch = [_record(i, sid) for i in range(count * 2)]
                if n == 0:
                    written.append(tx.insert_artifacts(batch))
                else:
                    written.append({r.sha256 for r, d in batch if tx.insert_artifacts([(r, d)])})
        assert written[0] == written[1] == {_record(i, 0)[0].sha256 for i in range(1, 2 * count, 2)}
        for table, order in (
            ("artifacts", "rowid"),
            ("artifact_bytes", "rowid"),
            ("artifact_arrivals", "server_id, kind"),
        ):
            bulk, single = (
                s.connection.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()  # noqa: S608
                for s in stores
            )
            assert bulk == single
            assert bulk
    finally:
        for store in stores:
            store.close()
