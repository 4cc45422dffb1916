"""Round matching: stats files (server-local names) to Lua gametimes (UTC epochs).

A stats file is written ~3 s after the intermission begins and named with the server's
**local** wall-clock time; a Lua file carries ``round_end_unix`` (UTC). For a true pair,
``local_time_as_epoch - round_end_unix = utc_offset + lag`` with ``lag`` within
:func:`etstats.reconciliation.tolerance.link_window`. The offset is inferred from the data: every
same-map, same-round candidate pair votes for the quarter hour its difference points to (when
the residual is inside the lag window); offsets with a clear share of the votes are kept (two
of them across a daylight-saving change). Links are then made by exact key (map, round) inside
the tight lag window by the shared rule of :mod:`etstats.linking`: two candidates on either
side are an ambiguity, never a guess.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from attrs import frozen

from etstats.linking import pair_uniquely
from etstats.reconciliation.tolerance import FILE_LAG_S, OFFSET_QUANTUM_S, link_window

MAX_OFFSET_S = 14 * 3600
"""Largest UTC offset in use (UTC+14)."""
DST_SHIFTS_S = (1800, 3600)
"""Daylight-saving shifts in use (Lord Howe Island shifts by 30 minutes, everyone else 60)."""
INFERENCE_SAMPLE = 4000
"""Stats rounds used to infer the offset (evenly spaced; inference cost stays bounded)."""


@frozen
class RoundKey:
    map: str
    round: int
    time: float
    """Stats: local wall clock read as if UTC (epoch s). Lua: round_end_unix."""


@frozen
class LuaLinking:
    links: dict[int, tuple[int, float]]
    """stats index -> (lua index, lag seconds)."""
    ambiguous_stats: dict[int, tuple[int, ...]]
    """stats index -> the Lua candidates it could not choose between."""
    ambiguous_lua: dict[int, tuple[int, ...]]
    offsets: tuple[int, ...]
    offset_source: str


_EPOCH = datetime(1970, 1, 1)


def local_epoch(ts: datetime) -> float:
    """A naive local wall-clock time read as if it were UTC, in epoch seconds."""
    # calendar.timegm(ts.timetuple()) (the wall-clock fields, any tzinfo ignored) by datetime
    # arithmetic: the same whole seconds without building a time tuple
    delta = ts.replace(tzinfo=None) - _EPOCH
    return float(delta.days * 86400 + delta.seconds) + ts.microsecond / 1e6


def _index(lua: Sequence[RoundKey]) -> dict[tuple[str, int], tuple[list[float], list[int]]]:
    groups: dict[tuple[str, int], list[tuple[float, int]]] = {}
    for i, k in enumerate(lua):
        groups.setdefault((k.map.lower(), k.round), []).append((k.time, i))
    out = {}
    for key, items in groups.items():
        items.sort()
        out[key] = ([t for t, _ in items], [i for _, i in items])
    return out


def infer_offsets(
    stats: Sequence[RoundKey], lua: Sequence[RoundKey], lag_s: float = FILE_LAG_S
) -> tuple[int, ...]:
    """UTC offsets (seconds east) supported by the data, most votes first; () if none."""
    idx = _index(lua)
    lo, hi = link_window(lag_s)
    votes: Counter[int] = Counter()
    step = max(1, len(stats) // INFERENCE_SAMPLE)
    for s in stats[::step]:
        group = idx.get((s.map.lower(), s.round))
        if group is None:
            continue
        times, _ = group
        a = bisect.bisect_left(times, s.time - MAX_OFFSET_S - hi)
        b = bisect.bisect_right(times, s.time + MAX_OFFSET_S - lo)
        for t in times[a:b]:
            delta = s.time - t
            q = round((delta - lag_s) / OFFSET_QUANTUM_S) * OFFSET_QUANTUM_S
            if lo <= delta - q <= hi:
                votes[q] += 1
    if not votes:
        return ()
    top = votes.most_common()
    first, best = top[0]
    # a second offset only across a daylight-saving change (30 or 60 minutes away) with a
    # real share of the votes; anything else is coincidence between unrelated rounds
    second = [
        off for off, n in top[1:] if abs(off - first) in DST_SHIFTS_S and n >= max(2, best // 4)
    ]
    return (first, *second[:1])


def link_lua(
    stats: Sequence[RoundKey],
    lua: Sequence[RoundKey],
    *,
    offsets: Sequence[int] | None = None,
    lag_s: float = FILE_LAG_S,
) -> LuaLinking:
    """Link stats rounds to Lua rounds (see the module docstring)."""
    if offsets is None:
        found = infer_offsets(stats, lua, lag_s)
        source = "inferred" if found else "none"
    else:
        found = tuple(offsets)
        source = "configured"
    idx = _index(lua)
    lo, hi = link_window(lag_s)
    cands: dict[int, list[tuple[int, float]]] = {}
    for si, s in enumerate(stats):
        group = idx.get((s.map.lower(), s.round))
        if group is None:
            continue
        times, ids = group
        for off in found:
            a = bisect.bisect_left(times, s.time - off - hi)
            b = bisect.bisect_right(times, s.time - off - lo)
            for j in range(a, b):
                cands.setdefault(si, []).append((ids[j], s.time - off - times[j]))
    # the rule itself (each the other's only candidate) is etstats.linking's, shared with
    # the ingest pipeline's linker
    pairs = pair_uniquely({si: [li for li, _ in cs] for si, cs in cands.items()})
    links = {si: (li, cands[si][0][1]) for si, li in pairs.links.items()}
    amb_s, amb_l = pairs.ambiguous_a, pairs.ambiguous_b
    return LuaLinking(
        links=links,
        ambiguous_stats=amb_s,
        ambiguous_lua=amb_l,
        offsets=tuple(found),
        offset_source=source,
    )


__all__ = ["LuaLinking", "RoundKey", "infer_offsets", "link_lua", "local_epoch"]
