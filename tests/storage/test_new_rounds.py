"""SQLite skips the deletes and the totals subtraction before the first rows of a round the
same transaction created (nothing can be stored for it yet), and only then: a second rewrite
in the transaction, a round of an earlier transaction, and a reused id after a delete all
replace their rows as before, the running totals equal to the plain aggregates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.sessions.builders import Line, bare_round, player_row
from tests.sessions.test_totals_properties import assert_fast_equals_plain

from etstats.storage.base import Row
from etstats.storage.sql import SqlTx
from etstats.storage.sqlite import SQLiteStorage


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStorage]:
    s = SQLiteStorage(str(tmp_path / "s.db"))
    yield s
    s.close()


def _round(tx: SqlTx, start: int) -> int:
    return bare_round(tx, "srv", start)


def _rows(rid: int, kills: int, guids: tuple[str, ...] = ("A", "B")) -> dict[str, list[Row]]:
    lines = [Line(g, f"n{g}", 1, kills=kills, weapons=((3, 5, 9, kills, 0, 1),)) for g in guids]
    return {
        "player_round_stats": [player_row(rid, i, ln, "round") for i, ln in enumerate(lines)],
        "weapon_stats": [(rid, i, *w, "round") for i, ln in enumerate(lines) for w in ln.weapons],
    }


def _traced(store: SQLiteStorage) -> list[str]:
    seen: list[str] = []
    store.connection.set_trace_callback(seen.append)
    return seen


def _deletes(seen: list[str]) -> list[str]:
    return [s for s in seen if s.startswith("DELETE FROM") or "-COUNT(*)" in s]


def test_first_rows_of_a_new_round_delete_nothing(store: SQLiteStorage) -> None:
    seen = _traced(store)
    with store.transaction() as tx:
        a, b = _round(tx, 1000), _round(tx, 2000)
        tx.replace_many_round_rows({a: _rows(a, 2), b: _rows(b, 3)})
        assert _deletes(seen) == []
        tx.replace_many_round_rows({a: _rows(a, 7, ("A", "C"))})  # again: a replacement
        assert any(s.startswith("DELETE FROM player_round_stats") for s in seen)
    assert_fast_equals_plain(store)
    assert store.table_rows("player_round_stats", [a])[1][2:4] == ("C", "nC")
    seen.clear()
    with store.transaction() as tx:  # a round of an earlier transaction: rows replaced
        tx.replace_round_rows(b, _rows(b, 1))
    assert _deletes(seen) != []
    assert_fast_equals_plain(store)
    assert len(store.table_rows("weapon_stats")) == 4


def test_a_reused_id_after_a_delete_starts_empty(store: SQLiteStorage) -> None:
    with store.transaction() as tx:
        a = _round(tx, 1000)
        tx.replace_round_rows(a, _rows(a, 2))
    with store.transaction() as tx:
        b = _round(tx, 2000)
        tx.replace_round_rows(b, _rows(b, 4))
        tx.delete_rounds([b])
        c = _round(tx, 3000)  # SQLite hands out the deleted round's id again
        assert c == b
        tx.replace_round_rows(c, _rows(c, 5, ("A",)))
    assert_fast_equals_plain(store)
    assert [r[0] for r in store.table_rows("player_round_stats")] == [a, a, c]
