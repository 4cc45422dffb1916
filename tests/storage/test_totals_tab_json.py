"""The running totals read every TAB field of a line, whatever its TAB JSON holds.

PostgreSQL's totals triggers read the summable TAB fields from columns of their own (migration
0014; before, from the JSON once per line with ``json_to_record``); SQLite's bulk writes and
row triggers read the JSON per field. Whichever way, and whether the lines arrive one round at
a time (the triggers) or in one bulk write, ``player_totals`` must equal the plain per-line
aggregates: for lines without TAB JSON, with an empty object, with some fields, with fractional
values and with keys the totals do not sum.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.sessions.builders import Line, bare_round, clear, player_row
from tests.sessions.test_properties import FAST
from tests.sessions.test_totals_properties import assert_fast_equals_plain

from etstats.queries.statdefs import OBJECTIVE_FIELDS, TAB_FIELDS
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


_ANY_NUMBER = st.one_of(
    _VALUE,
    st.floats(allow_nan=False, allow_infinity=False),  # any double, as its shortest repr
    st.integers(-(2**70), 2**70),  # beyond 64 bits: orjson refuses these, json reads them
)


@pytest.mark.pg
def test_postgres_tab_columns_hold_what_the_json_holds(pg_dsn: str) -> None:
    """Migration 0014: each line's ``tab_<field>`` columns, filled by the writer, hold exactly
    what the server's ``json_to_record`` reads from its ``tab_json`` (the triggers and the
    record index read them in place of the JSON since): a line without TAB JSON, an empty
    object, missing, NULL, fractional, any double, integers beyond 64 bits, unrelated keys.
    And the objectives value the records query orders by is the four fields' sum."""
    from etstats.queries.statdefs import value_sql
    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.postgres_tab import tab_columns
    from etstats.storage.testing import pg_database

    fields = ", ".join(f"{f} double precision" for f in TAB_FIELDS)
    from_json = ", ".join(f"j.{f}" for f in TAB_FIELDS)
    by_field = " + ".join(f"COALESCE(j.{f}, 0)" for f in OBJECTIVE_FIELDS)
    sql = (
        f"SELECT {', '.join(tab_columns())}, {from_json}, "  # noqa: S608
        f"{value_sql('objectives', 'postgres', summed=False)}, {by_field} "
        "FROM player_round_stats p "
        f"LEFT JOIN LATERAL json_to_record(p.tab_json::json) AS j({fields}) ON TRUE "
        "WHERE p.round_id = ? ORDER BY p.player_index"
    )
    tabs = st.one_of(
        st.none(), st.dictionaries(st.sampled_from([*TAB_FIELDS, "not_summed"]), _ANY_NUMBER)
    )
    with pg_database(pg_dsn) as url:
        store = PostgresStorage(url, max_size=1)
        rid = _new_round(store, 0)

        @FAST
        @given(lines=st.lists(tabs, min_size=1, max_size=4))
        def check(lines: list[dict[str, object] | None]) -> None:
            with store.transaction() as tx:
                assert isinstance(tx, SqlTx)
                tx.replace_round_rows(rid, _lines(rid, lines))
                rows = tx.fetchall(sql, (rid,))
            assert len(rows) == len(lines)
            n = len(TAB_FIELDS)
            for row in rows:
                assert row[:n] == row[n : 2 * n]
                assert row[-2] == row[-1]

        try:
            check()
        finally:
            store.close()


def test_postgres_tab_values_refuse_what_the_server_refused() -> None:
    """A line's TAB text that is not a JSON object of numbers fails as a StorageError (the
    server's cast to ``json`` refused it before migration 0014)."""
    from etstats.errors import StorageError
    from etstats.storage.postgres_tab import tab_values

    assert tab_values(None) == (None,) * len(TAB_FIELDS)
    assert tab_values("{}") == (None,) * len(TAB_FIELDS)
    assert tab_values('{"team_gibs": NaN}')[0] != 0  # json.dumps writes NaN; read, not lost
    for bad in ("{", "[1]", '{"team_gibs": "3"}', '{"team_gibs": [1]}'):
        with pytest.raises(StorageError):
            tab_values(bad)
