"""The most recent round-2 differentials, found again by the identity of their two rounds.

The ingest path differences a round 2 against its round 1 when it stores the round's rows
(:mod:`etstats.ingest.r2scope`), and the reconciliation engine needs the very same
differential moments later. The pipeline shares parsed models through its cache, so the
engine's call finds the first one here instead of recomputing it (it was most of the
engine's time on a round 2 of the real corpus: docs/performance.md, "Ingestion").

Keys are object identities; each entry keeps both rounds alive, so an id cannot be reused
by another object while its entry exists. At most :data:`MEMO_SIZE` entries (the oldest go
first), under a lock (the HTTP server ingests from several threads).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from etstats.differential.subtract import round2_differential
from etstats.model.stats import StatsRound

MEMO_SIZE = 128
"""Differentials kept: every round 2 of a 256-file batch of stats files (128); an entry holds
three rounds, about 25 KB each with 12 players."""

_memo: OrderedDict[tuple[int, int], tuple[StatsRound, StatsRound, StatsRound]] = OrderedDict()
_lock = threading.Lock()


def shared_round2_differential(r1: StatsRound, r2: StatsRound) -> StatsRound:
    """:func:`~etstats.differential.round2_differential` of ``r1`` and ``r2``, computed once
    while the same two objects come back (the result is immutable, so sharing it is safe)."""
    key = (id(r1), id(r2))
    with _lock:
        hit = _memo.get(key)
        if hit is not None and hit[0] is r1 and hit[1] is r2:
            _memo.move_to_end(key)
            return hit[2]
    diff = round2_differential(r1, r2)
    with _lock:
        _memo[key] = (r1, r2, diff)
        _memo.move_to_end(key)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return diff


__all__ = ["MEMO_SIZE", "shared_round2_differential"]
