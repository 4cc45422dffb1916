"""Hypothesis properties of sessions, map results, careers and leaderboards on both stores."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.sessions.builders import Line, Rnd, clear, write_rounds

from etstats.storage.base import Storage

T0 = 1_750_000_000
GAP = 3600
GUIDS = ("000000A1", "000000A2", "000000A3", "000000B1", "000000B2", "000000B3", "000000C1")
MAPS = ("supply", "radar", "goldrush")
FAST = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def lines(draw: st.DrawFn, teams: dict[str, int]) -> tuple[Line, ...]:
    small = st.integers(0, 30)
    return tuple(
        Line(
            g,
            f"n{g[-2:]}",
            team,
            kills=draw(small),
            deaths=draw(small),
            damage_given=draw(st.integers(0, 4000)),
            gibs=draw(small),
            revives_given=draw(small),
            time_played_minutes=draw(st.sampled_from([0.0, 0.4, 3.2, 7.5, 10.0])),
            dynamites_planted=draw(st.integers(0, 3)),
            weapons=tuple(
                (
                    w,
                    h,
                    h + draw(st.integers(0, 40)),
                    draw(small),
                    draw(small),
                    draw(st.integers(0, h)),
                )
                for w in draw(st.sets(st.integers(0, 27), max_size=2))
                for h in [draw(st.integers(0, 40))]
            ),
        )
        for g, team in sorted(teams.items())
    )


@st.composite
def evenings(draw: st.DrawFn) -> list[Rnd]:
    """Maps (a round 1, usually its round 2) on one or two servers, with gaps at, just below and
    just above the threshold."""
    rounds: list[Rnd] = []
    for server in draw(st.sampled_from([("s1",), ("s1", "s2")])):
        t = T0 + draw(st.integers(0, 50))
        for _ in range(draw(st.integers(1, 5))):
            players = draw(st.lists(st.sampled_from(GUIDS), min_size=2, max_size=6, unique=True))
            teams = {g: 1 + i % 2 for i, g in enumerate(players)}
            defender, limit = draw(st.sampled_from([1, 2])), 600
            clock1 = draw(st.integers(1, limit))
            end = draw(st.one_of(st.none(), st.integers(0, 900)))
            rounds.append(
                Rnd(
                    draw(st.sampled_from(MAPS)),
                    1,
                    t,
                    draw(lines(teams)),
                    end_unix=None if end is None else t + end,
                    defender=defender,
                    winner=draw(st.sampled_from([1, 2])),
                    limit_seconds=limit,
                    clock_seconds=clock1,
                    server=server,
                )
            )
            if draw(st.booleans()):
                t2 = t + draw(st.integers(1, 900))
                swapped = {g: 3 - team for g, team in teams.items()}
                rounds.append(
                    Rnd(
                        rounds[-1].map_name,
                        2,
                        t2,
                        draw(lines(swapped)),
                        defender=defender,
                        winner=draw(st.sampled_from([1, 2])),
                        limit_seconds=clock1,
                        clock_seconds=draw(st.integers(0, clock1)),
                        server=server,
                        pair_with=len(rounds) - 1,
                    )
                )
                t = t2
            t += draw(st.sampled_from([1, 60, GAP - 1, GAP, GAP + 1, 3 * GAP]))
    return rounds


def _key(store: Storage, ids: tuple[int, ...] | list[int]) -> list[tuple[Any, ...]]:
    return [
        (r.server, r.map_name, r.round_number, r.start_unix)
        for r in store.round_summaries([i for i in ids if i is not None])
    ]


def snapshot(store: Storage) -> list[Any]:
    """Everything order-independent the API says about the store, without round ids."""
    out: list[Any] = []
    for summary in store.sessions(limit=200):
        s = store.session(summary.id, server=summary.server)
        assert s is not None
        maps = [
            (
                m.map_name,
                m.start_unix,
                m.outcome,
                m.winner,
                m.header_winner,
                m.r1_seconds,
                m.r2_seconds,
                [p.guid for p in m.side_a.players],
                [p.guid for p in m.side_b.players],
                m.notes and len(m.notes),
            )
            for m in s.maps
        ]
        out.append(
            (
                s.id,
                s.server,
                s.start_unix,
                s.end_unix,
                _key(store, s.round_ids),
                maps,
                s.score_a,
                s.score_b,
                s.draws,
                [(p.player, p.totals) for p in s.players],
                s.mvp,
                [p.guid for p in s.side_a.players],
                summary.maps,
            )
        )
    for stat in ("kills", "dpm", "accuracy", "dynamites_planted"):
        out.append(store.leaderboard(stat, min_rounds=0).entries)
    out.append(
        [
            (r.stat, r.scope, r.guid, r.value, _key(store, r.round_ids))
            for r in store.records(min_minutes=0)
        ]
    )
    return out


def python_sums(rounds: list[Rnd]) -> dict[str, dict[str, float]]:
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rounds:
        for ln in r.lines:
            s = sums[ln.guid]
            s["rounds"] += 1
            s["kills"] += ln.kills
            s["deaths"] += ln.deaths
            s["damage_given"] += ln.damage_given
            s["minutes"] += ln.time_played_minutes
            s["hits"] += sum(w[1] for w in ln.weapons)
            s["shots"] += sum(w[2] for w in ln.weapons)
            s["dynamites_planted"] += ln.dynamites_planted
    return sums


@FAST
@given(rounds=evenings())
def test_career_totals_are_sums_and_rates_ratios_of_sums(store: Storage, rounds: list[Rnd]) -> None:
    clear(store)
    write_rounds(store, rounds)
    for guid, s in python_sums(rounds).items():
        c = store.career(guid)
        assert c is not None
        t = c.totals
        assert (t.rounds, t.kills, t.deaths, t.damage_given, t.hits, t.shots, t.objectives) == (
            s["rounds"],
            s["kills"],
            s["deaths"],
            s["damage_given"],
            s["hits"],
            s["shots"],
            s["dynamites_planted"],
        )
        assert t.time_played_minutes == pytest.approx(s["minutes"], abs=0.05)
        if s["minutes"]:
            assert t.dpm == pytest.approx(s["damage_given"] / t.time_played_minutes)
        assert t.kd == (s["kills"] / s["deaths"] if s["deaths"] else None)
    board = {e.guid: e for e in store.leaderboard("dpm", min_rounds=0, limit=200).entries}
    sums = python_sums(rounds)
    for guid, e in board.items():
        assert e.value == pytest.approx(sums[guid]["damage_given"] / sums[guid]["minutes"])
    assert set(board) == {g for g, s in sums.items() if s["minutes"] > 0}


@FAST
@given(rounds=evenings(), data=st.data())
def test_ingest_order_does_not_change_the_answers(
    store: Storage, rounds: list[Rnd], data: st.DataObject
) -> None:
    clear(store)
    write_rounds(store, rounds)
    first = snapshot(store)
    order = data.draw(st.permutations(range(len(rounds))))
    clear(store)
    write_rounds(store, rounds, order)
    again = snapshot(store)
    assert len(again) == len(first)
    for part, (got, want) in enumerate(zip(again, first, strict=True)):
        if got != want and isinstance(got, list):
            for a, b in zip(got, want, strict=True):
                assert a == b, part
        assert got == want, part


@FAST
@given(rounds=evenings(), gap_minutes=st.sampled_from([1.0, 30.0, 59.99, 60.0, 60.02, 240.0]))
def test_sessions_are_disjoint_ordered_and_split_exactly_at_the_gap(
    store: Storage, rounds: list[Rnd], gap_minutes: float
) -> None:
    clear(store)
    write_rounds(store, rounds)
    gap = gap_minutes * 60
    listed = store.sessions(limit=200, gap_minutes=gap_minutes)
    # small pages walk the time index, deep ones use a window function: the same sessions
    assert store.sessions(limit=5, gap_minutes=gap_minutes) == listed[:5]
    assert store.sessions(limit=3, offset=2, gap_minutes=gap_minutes) == listed[2:5]
    seen: list[int] = []
    for s in listed:
        seen += s.round_ids
    everything = store.list_rounds(limit=1000, newest_first=False)
    assert sorted(seen) == sorted(r.id for r in everything)  # a partition: disjoint, complete
    assert [(s.start_unix, s.id) for s in listed] == sorted(
        ((s.start_unix, s.id) for s in listed), reverse=True
    )
    for server in {r.server for r in everything}:
        mine = [r for r in everything if r.server == server]
        first_of = {s.round_ids[0] for s in listed if s.server == server}
        for i, r in enumerate(mine):
            ends = [max(p.start_unix, p.end_unix or p.start_unix) for p in mine[:i]]
            starts_new = not ends or r.start_unix - max(ends) >= gap
            assert (r.id in first_of) == starts_new, (r, gap)
    for s in listed:
        members = store.round_summaries(s.round_ids)
        assert [m.id for m in members] == list(s.round_ids)
        assert s.start_unix == members[0].start_unix


@FAST
@given(
    rounds=evenings(), pair=st.lists(st.sampled_from(GUIDS), min_size=2, max_size=2, unique=True)
)
def test_merged_identities_sum_their_guids(
    store: Storage, rounds: list[Rnd], pair: list[str]
) -> None:
    clear(store)
    write_rounds(store, rounds)
    alt, main = pair
    before = [store.career(g) for g in (main, alt)]
    played = {r.id for g in (main, alt) for r in store.list_rounds(player_guid=g, limit=1000)}
    store.merge_guid(alt, main)
    after = store.career(main)
    present = [c for c in before if c is not None]
    if not present:
        assert after is None
        return
    assert after is not None
    assert after.totals.rounds == len(played)  # a round both GUIDs played counts once
    for name in ("kills", "deaths", "damage_given", "hits", "shots"):
        assert getattr(after.totals, name) == sum(getattr(c.totals, name) for c in present)
    kills = {e.guid: e.value for e in store.leaderboard("kills", min_rounds=0, limit=200).entries}
    assert alt not in kills
    assert kills.get(main, 0) == sum(c.totals.kills for c in present)
