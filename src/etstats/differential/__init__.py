"""Round-2 differential: pair R2 stats rounds with their R1 and compute R2-only values.

A c0rnp0rn round-2 file holds R1+R2 totals for every engine counter but per-round values for
the counters the Lua script keeps itself (spec section 5). :func:`differential_all` turns a
collection of rounds into per-round values: R1 rounds as they are, paired R2 rounds
differenced, orphan R2 rounds kept raw with an ``orphan-round-2`` finding. The rules are in
docs/differential.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from etstats.differential.pairing import (
    DEFAULT_WINDOW_MINUTES,
    Pairing,
    RoundPair,
    Timestamps,
    pair_rounds,
    round_map,
    round_time,
    utc_file_times,
)
from etstats.differential.subtract import (
    CUMULATIVE_TAB_FIELDS,
    kd_ratio,
    player_key,
    round2_differential,
    tank_meatshield,
)
from etstats.model.stats import StatsRound


def differential_all(
    rounds: Sequence[StatsRound],
    *,
    window_minutes: float = DEFAULT_WINDOW_MINUTES,
    timestamps: Timestamps | None = None,
) -> list[StatsRound]:
    """Per-round values for every round, in the input order.

    R1 rounds (and rounds numbered neither 1 nor 2) are returned as they are; each paired R2 is
    replaced by :func:`round2_differential` against its R1; each orphan R2 is returned raw
    with an ``orphan-round-2`` warning appended to its findings. Pairing findings about a
    round (``paired-by-order``, ``round-1-reused``) are appended to that round.

    :param window_minutes: pairing window in minutes (see :func:`pair_rounds`).
    :param timestamps: explicit round times overriding the file-name times.
    """
    pairing = pair_rounds(rounds, window_minutes=window_minutes, timestamps=timestamps)
    out = list(rounds)
    for pair in pairing.pairs:
        out[pair.r2_index] = round2_differential(pair.r1, pair.r2)
    for index, finding in pairing.indexed_findings:
        out[index] = attrs.evolve(out[index], findings=(*out[index].findings, finding))
    return out


__all__ = [
    "CUMULATIVE_TAB_FIELDS",
    "DEFAULT_WINDOW_MINUTES",
    "Pairing",
    "RoundPair",
    "Timestamps",
    "differential_all",
    "kd_ratio",
    "pair_rounds",
    "player_key",
    "round2_differential",
    "round_map",
    "round_time",
    "tank_meatshield",
    "utc_file_times",
]
