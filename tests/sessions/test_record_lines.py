"""The record candidates (SQLite migration 0019, :mod:`etstats.storage.record_lines`) with
floors that rise after a few entries: records still equal the brute force over random stores
whose rounds are rewritten and deleted afterwards (on both stores: PostgreSQL answers from its
expression indexes), and on SQLite the candidates are always exactly the lines at or above
their statistic's floors (the invariant the records query relies on)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.sessions.builders import clear, write_rounds
from tests.sessions.test_properties import FAST
from tests.sessions.test_records_properties import STATS, brute_force, stores

from etstats.ingest.pipeline import Pipeline
from etstats.queries.identity import IdentityError
from etstats.queries.statdefs import value_sql
from etstats.storage import record_lines
from etstats.storage.base import ROUND_TABLES, Storage
from etstats.storage.sqlite import SQLiteStorage
from etstats.testing.synthetic import season

pytestmark = pytest.mark.property

_LINE = ROUND_TABLES["player_round_stats"]
_KILLS, _DAMAGE = _LINE.index("kills"), _LINE.index("damage_given")


@pytest.fixture
def low_floors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Floors that rise past 3 entries of a statistic, down to the best 2."""
    monkeypatch.setattr(record_lines, "KEEP", 2)
    monkeypatch.setattr(record_lines, "CAP", 3)


def _dialect(store: Storage) -> str:
    return "sqlite" if isinstance(store, SQLiteStorage) else "postgres"


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStorage]:
    store = SQLiteStorage(str(tmp_path / "store.db"))
    yield store
    store.close()


def invariant_holds(store: Storage) -> tuple[bool, int]:
    """Whether each statistic's candidates are exactly its lines of scope ``round`` at or
    above its floor, or played at least ``GATED_MINUTES`` and at or above its gated floor (a
    NULL floor: all of them), each with the right ``gated`` mark; and how many floors are
    set. (PostgreSQL keeps none: true, 0.)"""
    d = _dialect(store)
    if d != "sqlite":
        return True, 0
    risen = 0
    gated = f"COALESCE(p.time_played_minutes, 0) >= {record_lines.GATED_MINUTES}"
    with store._reader() as tx:  # type: ignore[attr-defined]
        for stat in record_lines.kept_stats():
            floor, gated_floor = tx.fetchone(
                "SELECT floor, gated_floor FROM record_floors WHERE stat = ?", (stat,)
            )
            value = value_sql(stat, d, summed=False)
            want: set[tuple[int, int, int]] = set()
            for extra, args, is_gated in (
                ("" if floor is None else f" AND {value} >= ?", (floor,), None),
                (
                    f" AND {gated}" + ("" if gated_floor is None else f" AND {value} >= ?"),
                    (gated_floor,),
                    1,
                ),
            ):
                rows = tx.fetchall(
                    f"SELECT round_id, player_index, CASE WHEN {gated} THEN 1 ELSE 0 END "  # noqa: S608
                    f"FROM player_round_stats p "
                    f"WHERE values_scope = 'round' AND {value} IS NOT NULL{extra}",
                    tuple(a for a in args if a is not None),
                )
                want |= {(int(r[0]), int(r[1]), int(r[2])) for r in rows}
                assert is_gated is None or all(r[2] == is_gated for r in rows)
            got = {
                (int(r[0]), int(r[1]), int(r[2]))
                for r in tx.fetchall(
                    "SELECT round_id, player_index, gated FROM record_lines WHERE stat = ?",
                    (stat,),
                )
            }
            if got != want:
                return False, risen
            risen += (floor is not None) + (gated_floor is not None)
    return True, risen


def _records(store: Storage, gate: float) -> list[tuple[Any, ...]]:
    return [
        (r.stat, r.scope, r.guid, r.value, r.round_ids, r.when_unix)
        for r in store.records(list(STATS), min_minutes=gate)
    ]


def _assert_brute_force(store: Storage, gate: float) -> None:
    got, want = _records(store, gate), brute_force(store, STATS, gate)
    assert [g[:3] + g[4:] for g in got] == [w[:3] + w[4:] for w in want]
    assert [g[3] for g in got] == pytest.approx([w[3] for w in want])


@FAST
@given(stores(), st.data())
def test_records_equal_brute_force_as_floors_rise_and_rounds_change(
    store: Storage, low_floors: None, case: tuple[Any, ...], data: st.DataObject
) -> None:
    rounds, merges, gate = case
    clear(store)
    ids = sorted(write_rounds(store, rounds).values())
    for alt, main in merges:
        with contextlib.suppress(IdentityError):  # already one player
            store.merge_guid(alt, main)
    assert invariant_holds(store)[0]
    _assert_brute_force(store, gate)
    # rewrite some rounds' lines with other values (below, at and above the floors), and
    # delete others: candidates leave with their lines and come back with them
    rewritten: dict[int, dict[str, list[tuple[Any, ...]]]] = {}
    for rid in data.draw(st.lists(st.sampled_from(ids), max_size=3, unique=True)):
        lines = store.table_rows("player_round_stats", [rid])
        new = []
        for line in lines:
            row = list(line)
            row[_KILLS] = data.draw(st.integers(0, 40))
            row[_DAMAGE] = data.draw(st.integers(0, 6000))
            new.append(tuple(row))
        rewritten[rid] = {"player_round_stats": new}
    with store.transaction() as tx:
        if data.draw(st.booleans()):  # the bulk path's rewrite, or one round at a time
            tx.replace_many_round_rows(rewritten)
        else:
            for rid, rows in rewritten.items():
                tx.replace_round_rows(rid, rows)
    gone = data.draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))
    if gone:
        with store.transaction() as tx:
            tx.delete_rounds(gone)
    assert invariant_holds(store)[0]
    _assert_brute_force(store, gate)


def test_floors_rise_and_the_candidates_stay_few(
    sqlite_store: SQLiteStorage, low_floors: None
) -> None:
    """Not vacuous: with 48 lines every floor is set, each statistic keeps its best 2 plus
    ties and at most a batch's worth of newcomers, and the records are the brute force's."""
    store = sqlite_store
    Pipeline(store).ingest_many(season(4))
    holds, risen = invariant_holds(store)
    assert holds
    assert risen == 2 * len(record_lines.kept_stats())
    _assert_brute_force(store, 0.0)
    _assert_brute_force(store, 5.0)


def test_rebuild_clears_the_candidates_and_refills_them(sqlite_store: SQLiteStorage) -> None:
    store = sqlite_store
    pipeline = Pipeline(store)
    pipeline.ingest_many(season(3))
    before = _records(store, 0.0)
    with store._reader() as tx:
        entries = tx.fetchall("SELECT COUNT(*) FROM record_lines")[0][0]
    assert entries > 0
    store.clear_derived()
    with store._reader() as tx:
        assert tx.fetchall("SELECT COUNT(*) FROM record_lines") == [(0,)]
        assert tx.fetchall(
            "SELECT COUNT(*) FROM record_floors WHERE floor IS NOT NULL OR gated_floor IS NOT NULL"
        ) == [(0,)]
    pipeline.rebuild()
    assert invariant_holds(store)[0]
    # the same records (PostgreSQL numbers the rebuilt rounds anew)
    assert [r[:4] + r[5:] for r in _records(store, 0.0)] == [r[:4] + r[5:] for r in before]


def test_a_store_migrated_with_lines_is_filled_once_on_open(tmp_path: Path) -> None:
    """Migration 0019 on a store that held lines (here: its entries removed and the mark set
    again, as the migration leaves it) fills the candidates on the next open."""
    db = tmp_path / "old.db"
    store = SQLiteStorage(str(db))
    Pipeline(store).ingest_many(season(4))
    before = _records(store, 0.0)
    store.close()
    raw = sqlite3.connect(db)
    raw.execute("DELETE FROM record_lines")
    raw.execute("UPDATE record_floors SET floor = NULL")
    raw.execute("INSERT INTO record_lines_refill (flag) VALUES (1)")
    raw.commit()
    raw.close()
    store = SQLiteStorage(str(db))
    try:
        holds, _ = invariant_holds(store)
        assert holds
        with store._reader() as tx:
            assert tx.fetchall("SELECT COUNT(*) FROM record_lines_refill") == [(0,)]
            assert tx.fetchall("SELECT COUNT(*) FROM record_lines")[0][0] > 0
        assert _records(store, 0.0) == before
    finally:
        store.close()


def test_refill_sets_floors_at_the_kept_best(sqlite_store: SQLiteStorage, low_floors: None) -> None:
    store = sqlite_store
    Pipeline(store).ingest_many(season(4))
    with store.transaction() as tx:
        record_lines.refill_record_lines(tx)
    holds, risen = invariant_holds(store)
    assert holds
    assert risen == 2 * len(record_lines.kept_stats())
    _assert_brute_force(store, 0.0)
    _assert_brute_force(store, 5.0)


def test_lines_deleted_around_the_writer_leave_no_failed_writes(
    store: Storage, low_floors: None
) -> None:
    """Entries left behind by lines deleted with plain SQL (a round id used again later on
    SQLite) neither fail the next write nor change a record: each value is read from its
    line."""
    Pipeline(store).ingest_many(season(3))
    with store.transaction() as tx:
        for table in (*reversed(tuple(ROUND_TABLES)), "rounds", "artifacts", "servers"):
            tx.execute(f"DELETE FROM {table}")  # type: ignore[attr-defined]  # noqa: S608
    summary = Pipeline(store).ingest_many(season(4))
    assert {r.status for r in summary.results} <= {"stored", "duplicate"}
    assert len(store.rounds()) == 4
    _assert_brute_force(store, 0.0)


def test_the_gated_floor_is_the_records_default_gate() -> None:
    from etstats.queries.ladders import DEFAULT_RECORD_MINUTES

    assert record_lines.GATED_MINUTES == DEFAULT_RECORD_MINUTES


def test_postgres_keeps_its_record_indexes_and_no_candidates(store: Storage) -> None:
    """PostgreSQL's migration 0019 changes nothing: the eight expression indexes of 0008
    stay, the writer keeps no candidates, and the records are the brute force's."""
    if _dialect(store) == "sqlite":
        return  # the other tests here cover SQLite
    Pipeline(store).ingest_many(season(4))
    with store.transaction() as tx:  # as bench/queries.py after its bulk fill: nothing to do
        record_lines.refill_record_lines(tx)
    with store._reader() as tx:  # type: ignore[attr-defined]
        assert not tx.keeps_record_candidates
        names = {
            str(r[0])
            for r in tx.fetchall(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'player_round_stats' "
                "AND starts_with(indexname, 'player_round_stats_record_')"
            )
        }
        assert tx.fetchone("SELECT to_regclass('record_lines')") == (None,)
    assert names == {f"player_round_stats_record_{s}" for s in record_lines.kept_stats()}
    _assert_brute_force(store, 0.0)
    _assert_brute_force(store, 5.0)
