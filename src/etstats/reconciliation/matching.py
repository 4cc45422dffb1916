"""Round matching for ``etstats reconcile``: stats files (server-local names) to Lua gametimes.

A stats file is written ~3 s after the intermission begins and named with the server's
**local** wall-clock time; a Lua file carries ``round_end_unix`` (UTC). For a true pair,
``local_time_as_epoch - round_end_unix = utc_offset + lag`` with ``lag`` within
:func:`etstats.reconciliation.tolerance.link_window`. Unless offsets are given, they are
inferred from the data. The window, the candidate finding, the offset inference and the
pairing are the one linker's (:mod:`etstats.linking`, shared with the ingest pipeline); this
module only turns reconcile's readings into its stamps, keyed by (lower-case map, round).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from attrs import frozen

from etstats import linking
from etstats.linking import Clock, Stamp, link_stats_lua
from etstats.reconciliation.tolerance import FILE_LAG_S


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


def _stamps(keys: Sequence[RoundKey]) -> list[Stamp]:
    return [Stamp((k.map.lower(), k.round), k.time) for k in keys]


def infer_offsets(
    stats: Sequence[RoundKey], lua: Sequence[RoundKey], lag_s: float = FILE_LAG_S
) -> tuple[int, ...]:
    """UTC offsets (seconds east) supported by the data, most votes first; () if none."""
    return linking.infer_offsets(_stamps(stats), _stamps(lua), lag_s)


def link_lua(
    stats: Sequence[RoundKey],
    lua: Sequence[RoundKey],
    *,
    offsets: Sequence[int] | None = None,
    lag_s: float = FILE_LAG_S,
) -> LuaLinking:
    """Link stats rounds to Lua rounds (see the module docstring)."""
    s_stamps, l_stamps = _stamps(stats), _stamps(lua)
    if offsets is None:
        clock = Clock.inferred(s_stamps, l_stamps, lag_s)
    else:
        clock = Clock.fixed_offsets(offsets, lag_s)
    got = link_stats_lua(s_stamps, l_stamps, clock)
    return LuaLinking(
        links=got.links,
        ambiguous_stats=got.ambiguous_stats,
        ambiguous_lua=got.ambiguous_lua,
        offsets=clock.offsets,
        offset_source=clock.source,
    )


__all__ = ["LuaLinking", "RoundKey", "infer_offsets", "link_lua", "local_epoch"]
