"""The running totals (migration 0006) always equal the plain aggregates over the per-round
lines, on both stores, after random ingests, re-ingests, deletes and a rebuild; the all-time
fast paths (leaderboard, names, player search) answer exactly what the plain SQL answers."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.sessions.builders import Line, Rnd, clear, player_row, write_rounds
from tests.sessions.test_properties import FAST, GUIDS, evenings

from etstats.queries import careers, identity, ladders
from etstats.queries.rounds import dialect
from etstats.queries.statdefs import NOT_BOT, RATES, part_sql
from etstats.queries.totals import total_column
from etstats.queries.types import Window
from etstats.storage.base import Storage

PARTS = (
    "kills",
    "deaths",
    "damage_given",
    "damage_received",
    "gibs",
    "revives_given",
    "headshot_kills",
    "time_played_minutes",
    "time_dead_minutes",
    "hits",
    "shots",
    "headshots",
    "dynamites_planted",
    "kill_assists",
    "objectives",
)

LADDERS = ("kills", "time_played_minutes", "hits", "kill_assists", "objectives", *RATES)
"""One statistic of each kind (column, minutes, weapon part, TAB field, derived sum, rates)."""


def _num(v: Any) -> float:
    return float(v or 0)


def plain_totals(store: Storage) -> dict[str, tuple[float, ...]]:
    """Per GUID: lines, distinct rounds and every part, straight from player_round_stats."""
    with store._reader() as tx:  # type: ignore[attr-defined]
        d = dialect(tx)
        sums = ", ".join(f"SUM({part_sql(p, d)})" for p in PARTS)
        sql = (
            f"SELECT p.guid, COUNT(*), COUNT(DISTINCT p.round_id), {sums} "  # noqa: S608
            f"FROM player_round_stats p WHERE {NOT_BOT} GROUP BY p.guid"
        )
        rows = tx.fetchall(sql)
    return {str(r[0]): tuple(_num(v) for v in r[1:]) for r in rows}


def running_totals(store: Storage) -> dict[str, tuple[float, ...]]:
    cols = ", ".join(total_column(p) for p in PARTS)
    with store._reader() as tx:  # type: ignore[attr-defined]
        rows = tx.fetchall(f"SELECT t.guid, t.lines, t.rounds, {cols} FROM player_totals t")  # noqa: S608
    return {str(r[0]): tuple(_num(v) for v in r[1:]) for r in rows}


def name_lines(store: Storage, plain: bool) -> set[tuple[str, str, int]]:
    sql = (
        "SELECT guid, name, COUNT(*) FROM player_round_stats GROUP BY guid, name"
        if plain
        else "SELECT guid, name, lines FROM player_name_lines"
    )
    with store._reader() as tx:  # type: ignore[attr-defined]
        return {(str(g), str(n), int(c)) for g, n, c in tx.fetchall(sql)}


def with_oddities(r: Rnd, bot: bool, duplicate: bool) -> Rnd:
    """A round with an Omni-bot line and/or one player's line written twice (a reconnect)."""
    extra: list[Line] = []
    if bot:
        extra += [
            Line("OMNIBOT01", "[BOT]Bob", 1, kills=5, damage_given=900),
            Line(r.lines[0].guid, "[BOT]Twin", 2, kills=3),
        ]
    if duplicate:
        extra.append(r.lines[-1])
    return Rnd(
        r.map_name,
        r.round_number,
        r.start_unix,
        (*r.lines, *extra),
        end_unix=r.end_unix,
        defender=r.defender,
        winner=r.winner,
        limit_seconds=r.limit_seconds,
        clock_seconds=r.clock_seconds,
        server=r.server,
        pair_with=r.pair_with,
    )


def write_odd_rounds(
    store: Storage, rounds: list[Rnd], data: st.DataObject
) -> tuple[list[Rnd], dict[int, int]]:
    """Empty the store, write ``rounds`` with drawn oddities (bots, duplicate lines) and check
    the running totals equal the plain aggregates; returns the rounds written and their ids."""
    clear(store)
    odd = [with_oddities(r, data.draw(st.booleans()), data.draw(st.booleans())) for r in rounds]
    ids = write_rounds(store, odd)
    assert_fast_equals_plain(store)
    return odd, ids


def delete_some_then_clear(store: Storage, data: st.DataObject, ids: dict[Any, int]) -> None:
    """Delete up to two of the rounds ``ids`` row by row (through the triggers), check the
    totals, then clear the store as a rebuild does and check that no totals are left."""
    gone = data.draw(st.sets(st.sampled_from(sorted(ids)), max_size=2))
    with store.transaction() as tx:
        for k in gone:
            tx.execute("DELETE FROM rounds WHERE id = ?", (ids[k],))  # type: ignore[attr-defined]
    assert_fast_equals_plain(store)
    clear(store)
    assert running_totals(store) == {}
    assert name_lines(store, plain=False) == set()


def assert_fast_equals_plain(store: Storage) -> None:
    assert running_totals(store) == plain_totals(store)
    assert name_lines(store, plain=False) == name_lines(store, plain=True)
    with store._reader() as tx:  # type: ignore[attr-defined]
        for stat in LADDERS:
            for gate in (0, None):
                fast, plain = (
                    ladders.leaderboard(
                        tx,
                        stat,
                        Window(),
                        min_rounds=gate,
                        min_minutes=None,
                        limit=200,
                        offset=0,
                        fast=use_totals,
                    )
                    for use_totals in (True, False)
                )
                assert fast == plain, stat
        # player search: matching players, most matching lines first (then GUID)
        for cond, value in (
            ("LOWER(p.name) LIKE ?", "%n%"),
            ("LOWER(p.name) LIKE ?", "%bot%"),
            ("p.guid LIKE ?", "000000A%"),
        ):
            plain_sql = (
                "SELECT COALESCE(al.player_guid, p.guid) AS pg, COUNT(*) AS n "  # noqa: S608
                "FROM player_round_stats p LEFT JOIN player_aliases al ON al.guid = p.guid "
                f"WHERE {cond} GROUP BY COALESCE(al.player_guid, p.guid) ORDER BY n DESC, pg"
            )
            expected = [str(r[0]) for r in tx.fetchall(plain_sql, (value,))]
            assert careers.ranked_guids(tx, cond, value, 100) == expected
        # display names (all time, bots out) and names seen, from player_name_lines; a
        # condition with parameters forces the plain count over the lines
        players = sorted(
            {
                str(r[0])
                for r in tx.fetchall(
                    "SELECT COALESCE(al.player_guid, p.guid) FROM player_round_stats p "
                    "LEFT JOIN player_aliases al ON al.guid = p.guid"
                )
            }
        )
        bots_out = f" AND {NOT_BOT}"
        assert identity.refs(tx, players, bots_out) == identity.refs(
            tx, players, bots_out + " AND 1 = ?", (1,)
        )
        for g in players:
            seen = [
                str(r[0])
                for r in tx.fetchall(
                    "SELECT name FROM player_round_stats WHERE guid = ? "
                    "GROUP BY name ORDER BY COUNT(*) DESC, name",
                    (g,),
                )
            ]
            assert identity.names_seen(tx, [g]) == seen


@FAST
@given(rounds=evenings(), data=st.data())
def test_running_totals_equal_the_plain_aggregates(
    store: Storage, rounds: list[Rnd], data: st.DataObject
) -> None:
    odd, ids = write_odd_rounds(store, rounds, data)
    # merges are applied at read time: the totals do not move, the ladders still agree
    alt, main = data.draw(st.lists(st.sampled_from(GUIDS), min_size=2, max_size=2, unique=True))
    store.merge_guid(alt, main)
    assert_fast_equals_plain(store)
    assert store.find_players("n").players == store.find_players("name:n").players
    # re-ingest some rounds with other values, delete others (their lines cascade)
    for k in data.draw(st.sets(st.sampled_from(sorted(ids)), max_size=3)):
        r = odd[k]
        lines = [
            Line(
                ln.guid,
                ln.name,
                ln.team,
                kills=ln.kills + 1,
                time_played_minutes=1.5,
                weapons=ln.weapons[:1],
            )
            for ln in r.lines[: max(1, len(r.lines) - 1)]
        ]
        with store.transaction() as tx:
            tx.replace_round_rows(
                ids[k],
                {
                    "player_round_stats": [
                        player_row(ids[k], i, ln, "round") for i, ln in enumerate(lines)
                    ],
                    "weapon_stats": [
                        (ids[k], i, *w, "round") for i, ln in enumerate(lines) for w in ln.weapons
                    ],
                },
            )
    delete_some_then_clear(store, data, ids)
    write_rounds(store, odd)
    assert_fast_equals_plain(store)
