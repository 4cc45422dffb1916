"""The running totals read every TAB field of a line, whatever its TAB JSON holds.

PostgreSQL's totals triggers read a line's TAB JSON once per line (``json_to_record``,
migration 0010) instead of once per field; SQLite's bulk writes and row triggers read it per
field. Whichever way, and whether the lines arrive one round at a time (the triggers) or in one
bulk write, ``player_totals`` must equal the plain per-line aggregates: for lines without TAB
JSON, with an empty object, with some fields, with fractional values and with keys the totals
do not sum.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.sessions.builders import Line, bare_round, clear, player_row
from tests.sessions.test_properties import FAST
from tests.sessions.test_totals_properties import assert_fast_equals_plain

from etstats.queries.statdefs import OBJECTIVE_FIELDS, TAB_FIELDS, tab_sql
from etstats.storage.base import Row, Storage
from etstats.storage.sql import SqlTx

_VALUE = st.one_of(
    st.integers(-1_000, 1_000_000),
    # fractions in eighths: exact in binary, so any order of summing gives the same total
    # (the running totals add and subtract in arrival order, the plain aggregate does not)
    st.integers(-80_000, 80_000).map(lambda k: k / 8),
    st.none(),
)
_TAB = st.one_of(
    st.none(),  # a line without TAB JSON (the column is NULL)
    st.dictionaries(st.sampled_from([*TAB_FIELDS, "not_summed", "Team_Gibs"]), _VALUE),
)


def _lines(rid: int, tabs: list[dict[str, object] | None]) -> dict[str, list[Row]]:
    players = []
    for i, tab in enumerate(tabs):
        guid = f"GUID{i % 5:04d}" if i % 7 else "OMNIBOT0001"  # a few repeats and a bot
        row = list(player_row(rid, i, Line(guid, f"p{i % 3}", 1 + i % 2, kills=i), "round"))
        row[-2] = None if tab is None else json.dumps(tab)
        players.append(tuple(row))
    weapons = [(rid, i, 3, i, 2 * i, 0, 0, i % 2, "round") for i in range(len(tabs))]
    return {"player_round_stats": players, "weapon_stats": weapons}


def _new_round(store: Storage, k: int) -> int:
    with store.transaction() as tx:
        return bare_round(tx, "tab", 1_700_000_000 + 3_600 * k)


@FAST
@given(
    rounds=st.lists(st.lists(_TAB, min_size=1, max_size=8), min_size=1, max_size=4),
    bulk=st.booleans(),
)
def test_totals_sum_every_tab_field_of_every_line(
    store: Storage, rounds: list[list[dict[str, object] | None]], bulk: bool
) -> None:
    clear(store)
    ids = [_new_round(store, k) for k in range(len(rounds))]
    if bulk:  # one bulk write of every round (SQLite: the row triggers set aside)
        batch = {rid: _lines(rid, tabs) for rid, tabs in zip(ids, rounds, strict=True)}
        with store.transaction() as tx:
            tx.replace_many_round_rows(batch)
    else:  # one round per transaction, through the triggers
        for rid, tabs in zip(ids, rounds, strict=True):
            with store.transaction() as tx:
                tx.replace_round_rows(rid, _lines(rid, tabs))
    assert_fast_equals_plain(store)
    # and they leave again with their lines (the delete trigger reads them the same way)
    with store.transaction() as tx:
        tx.replace_round_rows(ids[0], {"player_round_stats": [], "weapon_stats": []})
    assert_fast_equals_plain(store)


@pytest.mark.pg
def test_postgres_objectives_function_is_the_sum_of_its_fields(pg_dsn: str) -> None:
    """Migration 0013's ``etstats_tab_objectives`` (one JSON parse per line; the objectives
    record index and every PostgreSQL objectives query use it) gives exactly the double the
    field-by-field sum gave: a line without TAB JSON, an empty object, missing, NULL,
    fractional and unrelated fields."""
    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.testing import pg_database

    by_field = " + ".join(f"COALESCE({tab_sql(f, 'postgres')}, 0)" for f in OBJECTIVE_FIELDS)
    sql = (
        f"SELECT etstats_tab_objectives(p.tab_json), ({by_field}) "  # noqa: S608
        "FROM (SELECT CAST(? AS text) AS tab_json) p"
    )
    with pg_database(pg_dsn) as url:
        store = PostgresStorage(url, max_size=1)

        @FAST
        @given(tab=_TAB)
        def check(tab: dict[str, object] | None) -> None:
            with store.transaction() as tx:
                assert isinstance(tx, SqlTx)
                row = tx.fetchone(sql, (None if tab is None else json.dumps(tab),))
            assert row is not None
            assert row[0] == row[1]

        try:
            check()
        finally:
            store.close()
