"""The connected neighbourhood of an anchor: the archived artifacts of one (server, map,
round number) whose anchors chain to it with gaps of at most
:data:`etstats.ingest.linker.NEIGHBOURHOOD_SECONDS`.

The chain is grown in memory over one read of a window :data:`MARGIN_SECONDS` wider than the
first step on each side; only a chain reaching past that window reads again. Before, each
step was a query, and almost every neighbourhood took two (the second to see it stopped
growing): one statement per linked artifact saved, a round-trip on PostgreSQL.
"""

from __future__ import annotations

from etstats.ingest.linker import NEIGHBOURHOOD_SECONDS
from etstats.storage.base import ArtifactRecord, StorageTx

MARGIN_SECONDS = 3 * NEIGHBOURHOOD_SECONDS
"""Read this much beyond the range a step needs (seconds): rounds are minutes apart, so the
files of one round (a few seconds apart) fit in the first read."""


def neighbourhood(
    tx: StorageTx, server_id: int, map_name: str, round_number: int, anchor: int
) -> tuple[list[ArtifactRecord], int, int]:
    """``(records, lo, hi)``: the accepted artifacts of the neighbourhood of ``anchor`` in
    ``tx.group_artifacts`` order, and the span of their anchors (unix seconds). The same
    result as querying ``[lo - NEIGHBOURHOOD_SECONDS, hi + NEIGHBOURHOOD_SECONDS]`` until
    the span stops growing."""
    lo = hi = anchor
    window_lo, window_hi = anchor - MARGIN_SECONDS, anchor + MARGIN_SECONDS
    fetched = tx.group_artifacts(server_id, map_name, round_number, window_lo, window_hi)
    while True:
        want_lo, want_hi = lo - NEIGHBOURHOOD_SECONDS, hi + NEIGHBOURHOOD_SECONDS
        if want_lo < window_lo or want_hi > window_hi:
            window_lo, window_hi = want_lo - MARGIN_SECONDS, want_hi + MARGIN_SECONDS
            fetched = tx.group_artifacts(server_id, map_name, round_number, window_lo, window_hi)
        recs = [
            r for r in fetched if r.anchor_unix is not None and want_lo <= r.anchor_unix <= want_hi
        ]
        new_lo = min([lo, *(r.anchor_unix or lo for r in recs)])
        new_hi = max([hi, *(r.anchor_unix or hi for r in recs)])
        if (new_lo, new_hi) == (lo, hi):
            return recs, lo, hi
        lo, hi = new_lo, new_hi
