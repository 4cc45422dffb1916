"""The running totals stay equal to the plain aggregates whatever statements write and delete
the lines: a round's player lines split over several statements (a GUID's first line in the
round in one statement, its next in another), weapon lines before or after their player lines,
some lines and weapon lines deleted, whole rounds deleted.

PostgreSQL's statement triggers (migration 0013) decide "first line of this GUID in this round"
by comparing, per (round, GUID), the lines in the statement with the lines in the table, and
find a weapon line's player through the primary key; PostgreSQL writes a round's weapon lines
before its player lines (``PgTx.round_table_order``). SQLite's row triggers see the same
statements. Either way ``player_totals`` and ``player_name_lines`` must equal the aggregates.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from tests.sessions.builders import Line, bare_round, clear, player_row
from tests.sessions.test_properties import FAST
from tests.sessions.test_totals_properties import assert_fast_equals_plain

from etstats.storage.base import ROUND_TABLES, Row, Storage
from etstats.storage.sql import SqlTx

_GUIDS = ("000000A1", "000000A2", "000000A3", "OMNIBOT0001")
_NAMES = ("alpha", "[BOT]beta", "gamma")


@st.composite
def _round_lines(draw: st.DrawFn) -> list[tuple[str, str, int, int]]:
    """(guid, name, kills, hits) per line; GUIDs repeat within a round."""
    n = draw(st.integers(1, 6))
    return [
        (
            draw(st.sampled_from(_GUIDS)),
            draw(st.sampled_from(_NAMES)),
            draw(st.integers(0, 30)),
            draw(st.integers(0, 9)),
        )
        for _ in range(n)
    ]


def _player(rid: int, i: int, guid: str, name: str, kills: int) -> Row:
    return player_row(rid, i, Line(guid, name, 1 + i % 2, kills=kills), "round")


def _weapons(rid: int, i: int, hits: int) -> list[Row]:
    return [(rid, i, w, hits + w, 2 * hits + w, 0, 0, hits % 2, "round") for w in (3, 7)]


def _new_round(store: Storage, k: int) -> int:
    with store.transaction() as tx:
        return bare_round(tx, "statements", 1_700_000_000 + 3_600 * k)


@FAST
@given(
    rounds=st.lists(_round_lines(), min_size=1, max_size=3),
    splits=st.lists(st.integers(1, 5), min_size=3, max_size=3),
    weapons_first=st.booleans(),
    drop_every=st.integers(2, 4),
    drop_round=st.booleans(),
)
def test_totals_equal_the_aggregates_whatever_statements_write_the_lines(
    store: Storage,
    rounds: list[list[tuple[str, str, int, int]]],
    splits: list[int],
    weapons_first: bool,
    drop_every: int,
    drop_round: bool,
) -> None:
    clear(store)
    ids = [_new_round(store, k) for k in range(len(rounds))]
    players = ROUND_TABLES["player_round_stats"]
    weapons = ROUND_TABLES["weapon_stats"]
    for rid, lines, split in zip(ids, rounds, splits, strict=False):
        prows = [_player(rid, i, g, n, k) for i, (g, n, k, _) in enumerate(lines)]
        wrows = [w for i, (*_, h) in enumerate(lines) for w in _weapons(rid, i, h)]
        with store.transaction() as tx:
            assert isinstance(tx, SqlTx)  # both stores' transactions: statements of our own
            if weapons_first:
                tx.bulk_insert("weapon_stats", weapons, wrows)
            # the player lines in several statements: a GUID's lines of one round may
            # arrive in different statements of one transaction
            for start in range(0, len(prows), split):
                tx.bulk_insert("player_round_stats", players, prows[start : start + split])
            if not weapons_first:
                tx.bulk_insert("weapon_stats", weapons, wrows)
        assert_fast_equals_plain(store)
    with store.transaction() as tx:  # some weapon lines, then some player lines, leave
        assert isinstance(tx, SqlTx)
        tx.execute(
            "DELETE FROM weapon_stats WHERE weapon_index = 7 AND MOD(player_index, ?) = 0",
            (drop_every,),
        )
        tx.execute("DELETE FROM player_round_stats WHERE MOD(player_index, ?) = 1", (drop_every,))
    assert_fast_equals_plain(store)
    if drop_round:
        with store.transaction() as tx:
            tx.delete_rounds([ids[0]])
        assert_fast_equals_plain(store)
