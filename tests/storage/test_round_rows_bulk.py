"""The bulk write of per-round rows on both stores (``SqlTx.replace_many_round_rows``).

PostgreSQL sends them through binary ``COPY``: every value must come back as written (text
with the characters text ``COPY`` escapes, ``NULL``, whole numbers in float columns, extreme
integers and floats), the same as SQLite gives back. Both stores skip the deletes before the
first rows of a round the same transaction created, and only then (SQLite's statements are
traced in tests/storage/test_new_rounds.py)."""

from __future__ import annotations

import json

import pytest
from tests.sessions.builders import Line, bare_round, player_row
from tests.sessions.test_totals_properties import assert_fast_equals_plain

from etstats.storage.base import Row, Storage

_AWKWARD = ("tab\there", "new\nline\r\n", "back\\slash \\N", "", "ümlaut ✓ 🎯", "'quote\" ,;|")


def _rows(rid: int) -> dict[str, list[Row]]:
    players: list[Row] = []
    for i, text in enumerate(_AWKWARD):
        row = list(player_row(rid, i, Line(f"G{i:07d}", text, 1 + i % 2, kills=i), "round"))
        row[4] = text + "^7raw"  # raw_name
        row[9] = None if i % 2 else 2**60  # damage_given: NULL, or far past 32 bits
        row[20] = (7, 0.1, 1e-300, -0.0, 123456.78901234567, 12.5)[i]  # time_played_minutes
        row[21] = None if i == 3 else 2  # time_dead_minutes: NULL, or an int in a float column
        row[23] = json.dumps({"kill_assists": i, "note": text})
        players.append(tuple(row))
    weapons: list[Row] = [
        (rid, i, w, 2**60 - w, 0, -w, 0, 0, "round") for i in range(len(_AWKWARD)) for w in (1, 2)
    ]
    verdict: list[Row] = [(rid, "conflict", 2, 0, json.dumps({"text": _AWKWARD}))]
    return {"player_round_stats": players, "weapon_stats": weapons, "reconciliations": verdict}


def _key(row: Row) -> tuple[object, ...]:
    return row[0], row[1], str(row[2])


def test_values_come_back_as_written(store: Storage) -> None:
    with store.transaction() as tx:
        rid = bare_round(tx, "srv", 1_700_000_000)
        rows = _rows(rid)
        tx.replace_many_round_rows({rid: rows})
    for table, written in rows.items():
        assert sorted(store.table_rows(table), key=_key) == sorted(written, key=_key)
    if getattr(store, "dialect", "") == "postgres":  # -0.0 == 0.0: its sign survives too
        lines = store.table_rows("player_round_stats")
        assert str(next(r for r in lines if r[1] == 3)[20]) == "-0.0"


def test_first_rows_of_a_new_round_need_no_delete(store: Storage) -> None:
    """A round this transaction created has nothing stored: its first rows are inserted
    without deletes; a second rewrite, or a round of an earlier transaction, replaces."""
    with store.transaction() as tx:
        a, b = bare_round(tx, "srv", 1000), bare_round(tx, "srv", 2000)
        assert tx.stored_before([a, b]) == []  # type: ignore[attr-defined]
        tx.replace_many_round_rows({a: _rows(a)})
        assert tx.stored_before([a, b]) == [a]  # type: ignore[attr-defined]
        tx.replace_many_round_rows({a: _rows(a), b: _rows(b)})  # a replaced, b first
    assert_fast_equals_plain(store)
    assert len(store.table_rows("player_round_stats")) == 2 * len(_AWKWARD)
    with store.transaction() as tx:
        assert tx.stored_before([a, b]) == [a, b]  # type: ignore[attr-defined]
        tx.replace_round_rows(b, {"weapon_stats": []})
    assert len(store.table_rows("weapon_stats", [b])) == 0
    assert len(store.table_rows("weapon_stats", [a])) == 2 * len(_AWKWARD)
    assert_fast_equals_plain(store)


@pytest.mark.pg
def test_binary_copy_matches_sqlite(tmp_path: object, pg_dsn: str) -> None:
    """The same rows written to both stores read back the same."""
    from pathlib import Path

    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.sqlite import SQLiteStorage
    from etstats.storage.testing import pg_database

    assert isinstance(tmp_path, Path)
    lite = SQLiteStorage(str(tmp_path / "s.db"))
    with pg_database(pg_dsn) as url:
        pg = PostgresStorage(url, max_size=2)
        try:
            for s in (lite, pg):
                with s.transaction() as tx:
                    rid = bare_round(tx, "srv", 1_700_000_000)
                    tx.replace_many_round_rows({rid: _rows(rid)})
            for table in ("player_round_stats", "weapon_stats", "reconciliations"):
                assert pg.table_rows(table) == lite.table_rows(table)
        finally:
            pg.close()
            lite.close()
