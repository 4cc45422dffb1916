"""The shared round-2 differential: the same two parsed rounds give the very same result
object (computed once); other objects, even equal ones, are differenced again; the memo stays
bounded."""

from __future__ import annotations

import random

import attrs

from etstats.differential import memo, round2_differential
from etstats.model.stats import StatsRound
from etstats.parsing.stats_file import parse_stats_bytes
from etstats.testing.synthetic import round_pair_artifacts


def _pair(seed: int) -> tuple[StatsRound, StatsRound]:
    (r1, r2), _ = round_pair_artifacts(
        map_name="supply",
        r1_end_unix=1_767_225_600,
        gap_seconds=900,
        rng=random.Random(seed),
        players=4,
    )
    return parse_stats_bytes(r1.data, path=r1.name), parse_stats_bytes(r2.data, path=r2.name)


def test_same_rounds_same_result_and_equal_to_a_fresh_differential() -> None:
    r1, r2 = _pair(1)
    first = memo.shared_round2_differential(r1, r2)
    assert memo.shared_round2_differential(r1, r2) is first
    assert first == round2_differential(r1, r2)
    # an equal but distinct round is differenced again (identity, not equality, is the key)
    copy = attrs.evolve(r2)
    again = memo.shared_round2_differential(r1, copy)
    assert again is not first
    assert again == first


def test_bounded() -> None:
    r1, r2 = _pair(2)
    first = memo.shared_round2_differential(r1, r2)
    for _ in range(memo.MEMO_SIZE):
        memo.shared_round2_differential(r1, attrs.evolve(r2))
    assert memo.shared_round2_differential(r1, r2) is not first  # evicted, recomputed
