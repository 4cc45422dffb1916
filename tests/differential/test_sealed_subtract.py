"""The round-2 differential builds its values through sealed builders (no ``attrs.evolve``):
the results are exactly those of the evolve-based formulation it replaced (kept here as the
oracle), down to ``repr`` (an int stays an int, a float a float) and the class of every
object."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etstats.differential import round2_differential
from etstats.differential.subtract import (
    CUMULATIVE_TAB_FIELDS,
    NON_MONOTONIC_SHOTS,
    WEAPON_COUNTERS,
    lowered_counters,
    player_key,
    recompute_ratios,
    round1,
    subtract_player,
)
from etstats.model.stats import PlayerStats, StatsRound, WeaponStats
from etstats.testing.strategies import LAYOUTS, headers, players

pytestmark = pytest.mark.property


def oracle_lowered(p1: PlayerStats, p2: PlayerStats) -> list[str]:
    lowered: list[str] = []
    by_index = {w.index: w for w in p2.weapons}
    for w1 in p1.weapons:
        w2 = by_index.get(w1.index)
        for name in WEAPON_COUNTERS:
            if name == "shots" and w1.index in NON_MONOTONIC_SHOTS:
                continue
            if (getattr(w2, name) if w2 is not None else 0) < getattr(w1, name):
                lowered.append(f"{w1.name}.{name}")
    if p1.tab is not None and p2.tab is not None:
        for name in CUMULATIVE_TAB_FIELDS:
            if getattr(p2.tab, name) < getattr(p1.tab, name):
                lowered.append(name)
    return lowered


def oracle_subtract(p1: PlayerStats, p2: PlayerStats) -> tuple[PlayerStats, list[str]]:
    by_index = {w.index: w for w in p1.weapons}
    r2_indexes = set()
    out: list[WeaponStats] = []
    clamped: list[str] = []
    for w2 in p2.weapons:
        r2_indexes.add(w2.index)
        w1 = by_index.get(w2.index)
        if w1 is None:
            out.append(w2)
            continue
        values = {n: getattr(w2, n) - getattr(w1, n) for n in WEAPON_COUNTERS}
        if values["shots"] < 0:
            clamped.append(f"{w2.name}.shots {w1.shots}->{w2.shots}")
            values["shots"] = 0
        if any(values.values()):
            out.append(WeaponStats(index=w2.index, **values))
    for w1 in by_index.values():
        if w1.index not in r2_indexes and w1.shots:
            clamped.append(f"{w1.name}.shots {w1.shots}->0")
    weapons = tuple(out)
    tab = p2.tab
    if p1.tab is not None and p2.tab is not None:
        t1, t2 = p1.tab, p2.tab
        changes: dict[str, Any] = {}
        for name in CUMULATIVE_TAB_FIELDS:
            if name == "time_played_minutes":
                changes[name] = round1(t2.time_played_minutes - t1.time_played_minutes)
            else:
                changes[name] = getattr(t2, name) - getattr(t1, name)
        minutes = float(changes["time_played_minutes"])
        changes.update(recompute_ratios(t1, t2, minutes=minutes, weapons=weapons))
        tab = attrs.evolve(t2, **changes)
    return attrs.evolve(p2, weapons=weapons, tab=tab), clamped


def _same(a: Any, b: Any) -> None:
    assert a == b
    assert repr(a) == repr(b)  # an int where the oracle has an int, a float where a float
    assert type(a) is type(b)


@st.composite
def player_pairs(draw: st.DrawFn) -> tuple[PlayerStats, PlayerStats]:
    """Two lines of one player (same GUID and TAB layout, any values)."""
    layout = draw(st.sampled_from(LAYOUTS))
    p1 = draw(players(layout))
    p2 = draw(players(layout))
    return p1, attrs.evolve(p2, guid=p1.guid, raw_name=p1.raw_name)


@settings(max_examples=300)
@given(player_pairs())
def test_subtract_player_matches_the_evolve_oracle(pair: tuple[PlayerStats, PlayerStats]) -> None:
    p1, p2 = pair
    got, clamped = subtract_player(p1, p2)
    want, want_clamped = oracle_subtract(p1, p2)
    _same(got, want)
    _same(got.tab, want.tab)
    for g, w in zip(got.weapons, want.weapons, strict=True):
        _same(g, w)
    assert got.line == want.line
    assert clamped == want_clamped


@settings(max_examples=300)
@given(player_pairs())
def test_lowered_counters_match_the_oracle(pair: tuple[PlayerStats, PlayerStats]) -> None:
    p1, p2 = pair
    assert lowered_counters(p1, p2) == oracle_lowered(p1, p2)
    assert lowered_counters(p1, p1) == []


@settings(max_examples=100)
@given(st.data())
def test_round2_differential_is_a_genuine_round(data: st.DataObject) -> None:
    layout = data.draw(st.sampled_from(LAYOUTS))
    header = data.draw(headers())
    r1_players = data.draw(st.lists(players(layout), max_size=6).map(tuple))
    r2_players = tuple(
        attrs.evolve(data.draw(players(layout)), guid=p.guid, raw_name=p.raw_name)
        for p in r1_players
    )
    r1 = StatsRound(header=attrs.evolve(header, round_number=1), players=r1_players)
    r2 = StatsRound(header=attrs.evolve(header, round_number=2), players=r2_players)
    diff = round2_differential(r1, r2)
    assert type(diff) is StatsRound
    assert diff.header is r2.header
    assert len(diff.players) == len(r2.players)
    for p in diff.players:
        assert type(p) is PlayerStats
        assert all(type(w) is WeaponStats for w in p.weapons)
    assert attrs.evolve(diff) == diff  # the public constructor accepts every value


@settings(max_examples=300)
@given(
    players(),
    st.sampled_from(["", "OMNIBOT0", "omnibot1", "ABCDEF12", "[BOT]", "X"]),
    st.sampled_from(["", "^1[^2BOT^7]x", "[bot] y", "^3[BOT]", "[x", "plain^7name"]),
)
def test_player_key_matches_the_is_bot_rule(p: PlayerStats, guid: str, prefix: str) -> None:
    """The shortcut (no ``[`` in the raw name) gives the key the ``is_bot`` rule gives."""
    for player in (p, attrs.evolve(p, guid=guid, raw_name=prefix + p.raw_name)):
        want = (player.guid, player.name) if player.is_bot or not player.guid else (player.guid, "")
        assert player_key(player) == want
