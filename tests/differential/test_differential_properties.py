"""Differential property: R1 + generated R2-only increments -> cumulative R2 -> differential
recovers the increments (integers exactly, ratios within the 0.1 rounding of the inputs)."""

from __future__ import annotations

import importlib
import importlib.util
from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import need

from etstats.differential import (
    differential_all,
    kd_ratio,
    pair_rounds,
    round2_differential,
    tank_meatshield,
)
from etstats.differential.subtract import CUMULATIVE_TAB_FIELDS, round1
from etstats.model.common import Provenance
from etstats.model.stats import (
    PER_ROUND_TAB_FIELDS,
    TAB_FIELDS_38,
    TAB_LAYOUTS,
    PlayerStats,
    StatsHeader,
    StatsRound,
    TabStats,
    WeaponStats,
)
from etstats.testing.strategies import stats_rounds

pytestmark = pytest.mark.property

INT_CUMULATIVE = tuple(f for f in CUMULATIVE_TAB_FIELDS if f != "time_played_minutes")
T0 = datetime(2025, 10, 14, 23, 50, 0)


@attrs.frozen
class Truth:
    """One player's R2-only increments and R2 per-round values."""

    guid: str
    in_r1: bool
    weapons: tuple[WeaponStats, ...]
    ints: dict[str, int]
    minutes: float
    alive_percent: float
    per_round: dict[str, Any]


@attrs.frozen
class Scenario:
    r1: StatsRound
    r2: StatsRound
    truth: tuple[Truth, ...]
    r1_tabs: dict[str, TabStats]


def _weapon_tuples(draw: st.DrawFn) -> dict[int, tuple[int, int, int, int, int]]:
    idx = draw(st.lists(st.integers(0, 27), max_size=4, unique=True))
    out = {}
    for i in sorted(idx):
        hits, shots, kills, deaths = (draw(st.integers(0, 60)) for _ in range(4))
        out[i] = (hits, shots, kills, deaths, draw(st.integers(0, hits)))
    return out


def _tab(layout: int, values: dict[str, Any]) -> TabStats:
    present = set(TAB_LAYOUTS[layout])
    kwargs: dict[str, Any] = {k: (v if k in present else None) for k, v in values.items()}
    return TabStats(layout=layout, **kwargs)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    layout = draw(st.sampled_from(sorted(TAB_LAYOUTS)))
    guids = draw(
        st.lists(st.from_regex(r"[0-9A-F]{8}", fullmatch=True), min_size=1, max_size=5, unique=True)
    )
    p1s: list[PlayerStats] = []
    p2s: list[PlayerStats] = []
    truths: list[Truth] = []
    r1_tabs: dict[str, TabStats] = {}
    for guid in guids:
        in_r1 = draw(st.integers(0, 4)) > 0
        w1 = _weapon_tuples(draw) if in_r1 else {}
        w_inc = _weapon_tuples(draw)
        ints1 = {f: draw(st.integers(0, 3000)) if in_r1 else 0 for f in INT_CUMULATIVE}
        inc = {f: draw(st.integers(0, 3000)) for f in INT_CUMULATIVE}
        m1 = draw(st.integers(1, 300)) / 10 if in_r1 else 0.0
        dm = draw(st.integers(1, 300)) / 10
        p1 = draw(st.integers(0, 1000)) / 10
        pa = draw(st.integers(0, 1000)) / 10
        per_round = {
            f: (
                draw(st.integers(0, 200)) / 10
                if f == "time_dead_minutes"
                else draw(st.integers(0, 50))
            )
            for f in PER_ROUND_TAB_FIELDS
        }
        m2 = round1(m1 + dm)
        pct2 = round1((p1 / 100 * m1 + pa / 100 * dm) / m2 * 100)
        common = dict.fromkeys(TAB_FIELDS_38, 0) | {"kd_ratio": 0.0, "dpm": 0.0}
        tab1 = _tab(
            layout,
            common | per_round | ints1 | {"time_played_minutes": m1, "time_played_percent": p1},
        )
        cum_ints = {f: ints1[f] + inc[f] for f in INT_CUMULATIVE}
        ratios2 = {"time_dead_ratio": 12.3, "tank_meatshield": 4.5, "kd_ratio": 9.9}
        tab2 = _tab(
            layout,
            common
            | per_round
            | cum_ints
            | ratios2
            | {"time_played_minutes": m2, "time_played_percent": pct2},
        )
        cum = dict(w1)
        for i, t in w_inc.items():
            base = cum.get(i, (0, 0, 0, 0, 0))
            cum[i] = tuple(a + b for a, b in zip(base, t, strict=True))  # type: ignore[assignment]
        weapons2 = tuple(WeaponStats(i, *cum[i]) for i in sorted(cum) if any(cum[i][:4]))
        weapons1 = tuple(WeaponStats(i, *w1[i]) for i in sorted(w1) if any(w1[i][:4]))
        if in_r1:
            p1s.append(PlayerStats(guid, f"^1p{guid}", 0, 1, weapons1, tab1))
            r1_tabs[guid] = tab1
        p2s.append(PlayerStats(guid, f"^2p{guid}", 1, 2, weapons2, tab2))
        diff_w = tuple(
            WeaponStats(i, *(c - (w1.get(i, (0,) * 5)[k]) for k, c in enumerate(cum[i])))
            for i in sorted(cum)
            if any(cum[i][:4])
        )
        diff_w = tuple(
            w
            for w in diff_w
            if (w.hits, w.shots, w.kills, w.deaths, w.headshots) != (0, 0, 0, 0, 0)
        )
        truths.append(Truth(guid, in_r1, diff_w, inc, dm, pa, per_round))
    header = StatsHeader("srv", "supply", "", 1, 1, 2, 600, 300)
    r1 = StatsRound(header=header, players=tuple(p1s))
    r2 = StatsRound(header=attrs.evolve(header, round_number=2), players=tuple(p2s))
    return Scenario(r1, r2, tuple(truths), r1_tabs)


def _check(scenario: Scenario, out: StatsRound) -> None:
    assert [p.guid for p in out.players] == [t.guid for t in scenario.truth]
    assert "counter-reset" not in [f.code for f in out.findings]
    for player, truth in zip(out.players, scenario.truth, strict=True):
        if not truth.in_r1:
            continue  # R2-only players are kept raw (checked by unit tests)
        tab = player.tab
        assert tab is not None
        assert player.weapons == truth.weapons
        for name, value in truth.ints.items():
            assert getattr(tab, name) == value, name
        assert tab.time_played_minutes == truth.minutes
        for name, value in truth.per_round.items():
            if name in tab.field_names:
                assert getattr(tab, name) == value, name
        assert tab.kd_ratio == kd_ratio(
            sum(w.kills for w in truth.weapons), sum(w.deaths for w in truth.weapons)
        )
        assert tab.tank_meatshield == tank_meatshield(
            truth.ints["damage_received"], sum(w.deaths for w in truth.weapons)
        )
        assert tab.dpm == round1(truth.ints["damage_given"] / truth.minutes)
        assert tab.time_dead_ratio == round1(
            truth.per_round["time_dead_minutes"] / truth.minutes * 100
        )
        # Both files' percentages are rounded to 0.1: the recovered alive% is exact up to that.
        m1 = scenario.r1_tabs[truth.guid].time_played_minutes
        tolerance = 0.05 * (m1 + m1 + truth.minutes) / truth.minutes + 0.05 + 1e-9
        assert abs(tab.time_played_percent - truth.alive_percent) <= tolerance
        assert 0.0 <= tab.time_played_percent <= 100.0


@given(scenarios())
def test_differential_recovers_increments(scenario: Scenario) -> None:
    _check(scenario, round2_differential(scenario.r1, scenario.r2))


@given(scenarios(), st.integers(0, 23 * 60 + 59), st.integers(1, 45 * 60))
def test_differential_all_pairs_and_recovers(scenario: Scenario, start: int, gap: int) -> None:
    t1 = T0.replace(hour=0, minute=0) + timedelta(minutes=start)
    t2 = t1 + timedelta(seconds=gap)
    prov = Provenance("0" * 64, 0, None, t1, "supply", 1)
    r1 = attrs.evolve(scenario.r1, provenance=prov)
    r2 = attrs.evolve(scenario.r2, provenance=attrs.evolve(prov, file_timestamp=t2, file_round=2))
    out = differential_all([r2, r1])
    assert out[1] is r1
    _check(scenario, out[0])


@given(scenarios())
def test_differential_through_rendered_text(scenario: Scenario) -> None:
    have = all(
        importlib.util.find_spec(m) is not None
        for m in ("etstats.render.stats_file", "etstats.parsing.stats_file")
    )
    need(have, "helper A's stats renderer/parser (etstats.render.stats_file) not present yet")
    render = importlib.import_module("etstats.render.stats_file").render_stats_round
    parse = importlib.import_module("etstats.parsing.stats_file").parse_stats_text
    r1 = parse(render(scenario.r1))
    r2 = parse(render(scenario.r2))
    _check(attrs.evolve(scenario, r1=r1, r2=r2), round2_differential(r1, r2))


@given(stats_rounds(max_players=6), stats_rounds(max_players=6))
def test_any_pair_of_rounds_is_differenced_safely(r1: StatsRound, r2: StatsRound) -> None:
    """Arbitrary (even unrelated) rounds: no exception, R2's players kept in order, every
    differenced player has no negative counter and R2's per-round values."""
    out = round2_differential(r1, r2)
    assert len(out.players) == len(r2.players)
    assert out.header == r2.header
    for before, after in zip(r2.players, out.players, strict=True):
        assert after.guid == before.guid
        if after == before:
            continue
        for w in after.weapons:
            assert min(w.hits, w.shots, w.kills, w.deaths, w.headshots) >= 0
        if after.tab is not None and before.tab is not None:
            for name in CUMULATIVE_TAB_FIELDS:
                assert getattr(after.tab, name) >= 0
            for name in PER_ROUND_TAB_FIELDS:
                assert getattr(after.tab, name) == getattr(before.tab, name)
            assert 0.0 <= after.tab.time_played_percent <= 100.0


def _reference_pairs(specs: list[tuple[str, int, int | None]], window: float) -> list[int | None]:
    """Brute force: for each R2, the index of its R1 (or None), straight from the rules."""
    out: list[int | None] = []
    for i2, (mp, rn, t2) in enumerate(specs):
        if rn != 2:
            continue
        best: int | None = None
        for i1, (mp1, rn1, t1) in enumerate(specs):
            if rn1 != 1 or mp1 != mp:
                continue
            if t2 is None:
                if t1 is None and i1 < i2:
                    best = i1
            elif (
                t1 is not None
                and t1 < t2
                and t2 - t1 <= window * 60
                and (best is None or t1 >= (specs[best][2] or 0))
            ):
                best = i1
        out.append(best)
    return out


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["supply", "goldrush"]),
            st.sampled_from([1, 2]),
            st.one_of(st.none(), st.integers(0, 4 * 3600)),
        ),
        max_size=12,
    ),
    st.sampled_from([0, 10, 45]),
)
def test_pairing_matches_brute_force(specs: list[tuple[str, int, int | None]], window: int) -> None:
    header = StatsHeader("srv", "x", "", 1, 1, 2, 600, 300)
    rounds = [
        StatsRound(header=attrs.evolve(header, map_name=mp, round_number=rn)) for mp, rn, _ in specs
    ]
    times = [None if t is None else T0 + timedelta(seconds=t) for _, _, t in specs]
    pairing = pair_rounds(rounds, window_minutes=window, timestamps=times)
    got: dict[int, int | None] = {p.r2_index: p.r1_index for p in pairing.pairs}
    got.update(dict.fromkeys(pairing.orphan_indexes))
    assert [got[i] for i in sorted(got)] == _reference_pairs(specs, window)
