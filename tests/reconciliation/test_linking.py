"""The one stats<->Lua linker (:mod:`etstats.linking`): its rule, windows and clocks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etstats.linking import LUA_WINDOW, Clock, Stamp, link_stats_lua, pair_uniquely


def test_unique_both_ways_links_and_anything_else_is_reported() -> None:
    pairs = pair_uniquely({1: ["a"], 2: ["b", "c"], 3: ["d"], 4: ["d"], 5: []})
    assert pairs.links == {1: "a"}
    assert pairs.ambiguous_a == {2: ("b", "c")}
    assert pairs.ambiguous_b == {"d": (3, 4)}
    assert pairs.ambiguous() == {2, "b", "c", "d", 3, 4}


@given(st.dictionaries(st.integers(0, 6), st.lists(st.integers(10, 16), max_size=3)))
def test_the_rule_as_stated(candidates: dict[int, list[int]]) -> None:
    """Linked exactly when each is the other's only candidate; every side of an ambiguity
    (an item with several candidates, and those candidates) is reported."""
    of_b: dict[int, set[int]] = {}
    for a, bs in candidates.items():
        for b in bs:
            of_b.setdefault(b, set()).add(a)
    pairs = pair_uniquely(candidates)
    expected = {
        a: bs[0] for a, bs in candidates.items() if len(set(bs)) == 1 and of_b[bs[0]] == {a}
    }
    assert pairs.links == expected
    ambiguous: set[int] = set()
    for side in (candidates, of_b):
        for x, ys in side.items():
            if len(set(ys)) > 1:
                ambiguous |= {x, *ys}
    assert pairs.ambiguous() == ambiguous


T = 1_770_000_000


@pytest.mark.parametrize("gap", [LUA_WINDOW[0], 0, 3, LUA_WINDOW[1]])
def test_configured_timezone_links_within_the_wide_window(gap: int) -> None:
    got = link_stats_lua([Stamp("g", T + gap)], [Stamp("g", T)], Clock.configured_timezone())
    assert got.links == {0: (0, gap)}
    assert got.clock.source == "timezone"


@pytest.mark.parametrize("gap", [LUA_WINDOW[0] - 1, LUA_WINDOW[1] + 1])
def test_configured_timezone_outside_the_window_or_group_is_not_linked(gap: int) -> None:
    clock = Clock.configured_timezone()
    assert link_stats_lua([Stamp("g", T + gap)], [Stamp("g", T)], clock).links == {}
    assert link_stats_lua([Stamp("g", T)], [Stamp("h", T)], clock).links == {}


def test_the_same_data_under_both_clocks() -> None:
    """Local times 2 h east of UTC: the inferred clock finds the offset and links with the
    tight lag window; the configured-timezone clock (times taken as UTC) links nothing."""
    lua = [Stamp("g", T + 3000 * i) for i in range(4)]
    stats = [Stamp("g", k.time + 7200 + 3) for k in lua]
    clock = Clock.inferred(stats, lua)
    assert (clock.offsets, clock.source) == ((7200,), "inferred")
    assert link_stats_lua(stats, lua, clock).links == {i: (i, 3) for i in range(4)}
    assert link_stats_lua(stats, lua, Clock.configured_timezone()).links == {}
    # the tight window: 20 s late fits the configured timezone's window, not the lag window
    late = [Stamp("g", lua[0].time + 7200 + 20)]
    assert link_stats_lua(late, lua, Clock.fixed_offsets([7200])).links == {}


def test_ambiguity_reports_both_sides() -> None:
    got = link_stats_lua(
        [Stamp("g", T + 3), Stamp("g", T + 4)], [Stamp("g", T)], Clock.configured_timezone()
    )
    assert got.links == {}
    assert got.ambiguous_lua == {0: (0, 1)}
    assert got.ambiguous() == ({0, 1}, {0})
