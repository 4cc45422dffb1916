"""The one stats<->Lua linking rule (:func:`etstats.linking.pair_uniquely`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from etstats.linking import pair_uniquely


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
