"""The one stats<->Lua linker, used by ``etstats reconcile`` and by the ingest pipeline.

A stats file and a Lua (gametimes) file describe the same round when the stats file's time,
read with the server's clock, falls in a short window after the Lua round end **and each is
the other's only candidate**. Two candidates on either side mean two plays of the map within
seconds: nothing is linked and both sides are reported, never guessed.

This module owns the three parts: the window, the candidate finding and the pairing
(:func:`pair_uniquely`). The callers differ only in the clock, an explicit input
(:class:`Clock`):

* the ingest pipeline (:func:`etstats.ingest.linker.plan_rounds`) converts the stats file-name
  time to UTC with the server's **configured timezone** before linking
  (:meth:`Clock.configured_timezone`: offset 0, the wide :data:`LUA_WINDOW`, because the
  timezone is known and only the producers' delays are uncertain);
* ``etstats reconcile`` (:func:`etstats.reconciliation.matching.link_lua`) reads the stats
  file-name time as if it were UTC and **infers the server's UTC offset** from the data
  (:meth:`Clock.inferred`), or takes offsets given on its command line
  (:meth:`Clock.fixed_offsets`); both use the tight lag window
  :func:`etstats.reconciliation.tolerance.link_window`, because a wide window would let the
  offset vote drift onto unrelated rounds.

Both describe each artifact as a :class:`Stamp` (a group key: only the same group is ever
linked, and a time in epoch seconds) and call :func:`link_stats_lua`.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Generic, TypeVar

from attrs import frozen

A = TypeVar("A", bound=Hashable)
B = TypeVar("B", bound=Hashable)

LUA_WINDOW = (-5, 30)
"""Seconds: accepted ``stats file time (UTC) - Lua round end`` when the server's timezone is
configured. The stats file is written 3 s after intermission, so the real gap is 0-5 s; the
rest covers slow writes and clock skew between the game server and the Lua ``os.time()``."""
MAX_OFFSET_S = 14 * 3600
"""Largest UTC offset in use (UTC+14)."""
DST_SHIFTS_S = (1800, 3600)
"""Daylight-saving shifts in use (Lord Howe Island shifts by 30 minutes, everyone else 60)."""
INFERENCE_SAMPLE = 4000
"""Stats rounds used to infer the offset (evenly spaced; inference cost stays bounded)."""


@frozen
class Stamp:
    """One artifact as the linker sees it."""

    group: Hashable
    """Only stamps of equal groups are ever linked (e.g. lower-case map and round number)."""
    time: float
    """Stats: the file-name time (epoch s, in the clock's terms). Lua: ``round_end_unix``."""


@frozen
class Clock:
    """How a stats time is compared with a Lua round end (UTC epoch seconds).

    A Lua end ``E`` is a candidate of a stats time ``S`` when ``S - offset - E`` lies in
    :attr:`window` (both ends included) for one of :attr:`offsets`.
    """

    offsets: tuple[int, ...]
    """Seconds east of UTC that the stats times are in (several across a daylight-saving
    change; none when nothing could be inferred: then nothing links)."""
    window: tuple[float, float]
    """Accepted ``S - offset - E`` in seconds."""
    source: str
    """``timezone`` (converted by the caller), ``configured``, ``inferred`` or ``none``."""

    @classmethod
    def configured_timezone(cls) -> Clock:
        """Stats times already converted to UTC with the server's configured timezone."""
        return cls((0,), LUA_WINDOW, "timezone")

    @classmethod
    def fixed_offsets(cls, offsets: Iterable[int], lag_s: float | None = None) -> Clock:
        """Stats times in local wall-clock time read as UTC, with the offsets given
        (``lag_s``: the stats file's delay after the round end, default ``FILE_LAG_S``)."""
        return cls(tuple(offsets), _lag_window(lag_s)[1], "configured")

    @classmethod
    def inferred(
        cls, stats: Sequence[Stamp], lua: Sequence[Stamp], lag_s: float | None = None
    ) -> Clock:
        """Stats times in local wall-clock time read as UTC, the offsets inferred from the
        data (:func:`infer_offsets`)."""
        found = infer_offsets(stats, lua, lag_s)
        return cls(found, _lag_window(lag_s)[1], "inferred" if found else "none")


def _lag_window(lag_s: float | None) -> tuple[float, tuple[float, float]]:
    """(lag, the tight window around it) in seconds, from the reconcile tolerances."""
    # imported here: the reconciliation package imports this module (and the ingest
    # pipeline, which uses only the configured timezone, need not load it)
    from etstats.reconciliation.tolerance import FILE_LAG_S, link_window

    lag = FILE_LAG_S if lag_s is None else lag_s
    return lag, link_window(lag)


@frozen
class UniquePairs(Generic[A, B]):
    """The result of :func:`pair_uniquely`."""

    links: dict[A, B]
    """Each linked ``a`` and its one ``b``."""
    ambiguous_a: dict[A, tuple[B, ...]]
    """Each ``a`` with several candidates, and those candidates (sorted)."""
    ambiguous_b: dict[B, tuple[A, ...]]
    """Each ``b`` that was the only candidate of some ``a`` but is a candidate of several,
    and those ``a`` (sorted)."""

    def ambiguous(self) -> set[A | B]:
        """Every item on either side that took part in an ambiguity (each ``a`` and ``b`` with
        several candidates, and all those candidates)."""
        out: set[A | B] = set()
        for a, bs in self.ambiguous_a.items():
            out.add(a)
            out.update(bs)
        for b, as_ in self.ambiguous_b.items():
            out.add(b)
            out.update(as_)
        return out


@frozen
class StatsLuaLinks:
    """The result of :func:`link_stats_lua` (stats and Lua items by their index)."""

    links: dict[int, tuple[int, float]]
    """stats index -> (Lua index, lag: ``S - offset - E`` in seconds)."""
    ambiguous_stats: dict[int, tuple[int, ...]]
    """stats index -> the Lua candidates it could not choose between."""
    ambiguous_lua: dict[int, tuple[int, ...]]
    """Lua index -> the stats rounds that each had it as their only candidate."""
    clock: Clock

    def ambiguous(self) -> tuple[set[int], set[int]]:
        """(stats indexes, Lua indexes) that took part in an ambiguity."""
        stats = set(self.ambiguous_stats)
        lua = set(self.ambiguous_lua)
        for lis in self.ambiguous_stats.values():
            lua.update(lis)
        for sis in self.ambiguous_lua.values():
            stats.update(sis)
        return stats, lua


def pair_uniquely(candidates: Mapping[A, Iterable[B]]) -> UniquePairs[A, B]:
    """Link each ``a`` to its candidate ``b`` when both are unique both ways.

    ``candidates[a]`` lists the ``b`` within the window of ``a`` (the relation must be the
    same seen from ``b``: ``a`` is a candidate of ``b`` exactly when ``b`` is one of ``a``).
    Items of either side must be orderable (ambiguities are reported sorted).
    """
    distinct: dict[A, list[B]] = {}
    by_b: dict[B, list[A]] = {}
    for a, bs in candidates.items():
        unique = list(dict.fromkeys(bs))
        if unique:
            distinct[a] = unique
        for b in unique:
            by_b.setdefault(b, []).append(a)
    links: dict[A, B] = {}
    ambiguous_a: dict[A, tuple[B, ...]] = {}
    ambiguous_b: dict[B, tuple[A, ...]] = {}
    for a, bs in distinct.items():
        if len(bs) > 1:
            ambiguous_a[a] = tuple(sorted(bs))  # type: ignore[type-var]
            continue
        b = bs[0]
        if len(by_b[b]) > 1:
            ambiguous_b[b] = tuple(sorted(by_b[b]))  # type: ignore[type-var]
            continue
        links[a] = b
    return UniquePairs(links, ambiguous_a, ambiguous_b)


_Index = dict[Hashable, tuple[list[float], list[int]]]


def _index(lua: Sequence[Stamp]) -> _Index:
    """Lua end times of each group, sorted, with their indexes (for bisection)."""
    groups: dict[Hashable, list[tuple[float, int]]] = {}
    for i, k in enumerate(lua):
        groups.setdefault(k.group, []).append((k.time, i))
    out: _Index = {}
    for key, items in groups.items():
        items.sort()
        out[key] = ([t for t, _ in items], [i for _, i in items])
    return out


def infer_offsets(
    stats: Sequence[Stamp], lua: Sequence[Stamp], lag_s: float | None = None
) -> tuple[int, ...]:
    """UTC offsets (seconds east) supported by the data, most votes first; () if none.

    Every same-group candidate pair votes for the quarter hour its difference points to (when
    the residual is inside the lag window); offsets with a clear share of the votes are kept
    (two of them across a daylight-saving change).
    """
    from etstats.reconciliation.tolerance import OFFSET_QUANTUM_S

    lag_s, (lo, hi) = _lag_window(lag_s)
    idx = _index(lua)
    votes: Counter[int] = Counter()
    step = max(1, len(stats) // INFERENCE_SAMPLE)
    for s in stats[::step]:
        group = idx.get(s.group)
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


def link_stats_lua(stats: Sequence[Stamp], lua: Sequence[Stamp], clock: Clock) -> StatsLuaLinks:
    """Link stats rounds to Lua rounds under ``clock`` (see the module docstring)."""
    idx = _index(lua)
    lo, hi = clock.window
    cands: dict[int, list[tuple[int, float]]] = {}
    for si, s in enumerate(stats):
        group = idx.get(s.group)
        if group is None:
            continue
        times, ids = group
        for off in clock.offsets:
            a = bisect.bisect_left(times, s.time - off - hi)
            b = bisect.bisect_right(times, s.time - off - lo)
            for j in range(a, b):
                cands.setdefault(si, []).append((ids[j], s.time - off - times[j]))
    pairs = pair_uniquely({si: [li for li, _ in cs] for si, cs in cands.items()})
    links = {si: (li, cands[si][0][1]) for si, li in pairs.links.items()}
    return StatsLuaLinks(links, pairs.ambiguous_a, pairs.ambiguous_b, clock)


__all__ = [
    "LUA_WINDOW",
    "Clock",
    "Stamp",
    "StatsLuaLinks",
    "UniquePairs",
    "infer_offsets",
    "link_stats_lua",
    "pair_uniquely",
]
