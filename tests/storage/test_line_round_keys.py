"""The player and weapon lines belong to a stored round, on both stores.

SQLite keeps this with foreign keys; PostgreSQL (migration 0014) with triggers that check a
statement's rounds once and delete a deleted round's lines, instead of a key checked per line.
Either way: a line of a round that is not stored is refused (and nothing of the transaction
stays), deleting rounds deletes their lines and takes them out of the running totals, and
moving a line to a round that is not stored is refused.
"""

from __future__ import annotations

import pytest
from tests.sessions.builders import Line, bare_round, player_row
from tests.sessions.test_totals_properties import assert_fast_equals_plain

from etstats.errors import StorageError
from etstats.storage.base import Row, Storage
from etstats.storage.sql import SqlTx


def _lines(rid: int, n: int = 2) -> dict[str, list[Row]]:
    players = [
        player_row(rid, i, Line(f"GUID{i:04d}", f"p{i}", 1, kills=i), "round") for i in range(n)
    ]
    weapons = [(rid, i, 3, 4, 8, i, 0, 1, "round") for i in range(n)]
    return {"player_round_stats": players, "weapon_stats": weapons}


@pytest.mark.parametrize("table", ["player_round_stats", "weapon_stats"])
def test_a_line_of_a_round_that_is_not_stored_is_refused(store: Storage, table: str) -> None:
    with store.transaction() as tx:
        rid = bare_round(tx, "keys", 1_700_000_000)
    with pytest.raises(StorageError), store.transaction() as tx:
        # one statement with a stored and a missing round: the whole write fails
        tx.replace_many_round_rows(
            {rid: {table: _lines(rid)[table]}, rid + 99: {table: _lines(rid + 99)[table]}}
        )
    assert store.table_rows(table) == []
    with store.transaction() as tx:
        tx.replace_round_rows(rid, _lines(rid))
    assert len(store.table_rows(table)) == 2


def test_deleting_rounds_deletes_their_lines(store: Storage) -> None:
    with store.transaction() as tx:
        ids = [bare_round(tx, "keys", 1_700_000_000 + 3_600 * k) for k in range(3)]
        for rid in ids:
            tx.replace_round_rows(rid, _lines(rid, 1 + rid % 3))
    assert_fast_equals_plain(store)
    with store.transaction() as tx:
        assert isinstance(tx, SqlTx)
        # a plain DELETE of rounds (no line deleted first): the lines go with them
        tx.execute(f"DELETE FROM rounds WHERE id IN ({ids[0]}, {ids[2]})")  # noqa: S608
    for table in ("player_round_stats", "weapon_stats"):
        assert {row[0] for row in store.table_rows(table)} == {ids[1]}
    assert_fast_equals_plain(store)


@pytest.mark.parametrize("table", ["player_round_stats", "weapon_stats"])
def test_moving_a_line_to_a_round_that_is_not_stored_is_refused(store: Storage, table: str) -> None:
    with store.transaction() as tx:
        rid = bare_round(tx, "keys", 1_700_000_000)
        other = bare_round(tx, "keys", 1_700_003_600)
        tx.replace_round_rows(rid, _lines(rid, 1))
    move = f"UPDATE {table} SET round_id = ? WHERE round_id = ?"  # noqa: S608
    with pytest.raises(StorageError), store.transaction() as tx:
        tx.execute(move, (other + 99, rid))  # type: ignore[attr-defined]
    assert {row[0] for row in store.table_rows(table)} == {rid}
