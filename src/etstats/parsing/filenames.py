"""File names of c0rnp0rn stats files and endstats files.

``[<prefix>]YYYY-MM-DD-HHMMSS-<map>-round-<N>.txt`` (stats) and
``[<prefix>]YYYY-MM-DD-HHMMSS-<map>-round-<N>-endstats.txt`` (endstats). The timestamp is the
game server's local wall-clock time when the file was written; it is returned naive (no time
zone). ``<prefix>`` is any text that ends right before the date (the real corpus names are
prefixed ``iamez_``; slomix's match-ID variant prefixes ``<matchID>-``); it is kept in
:attr:`StatsFileName.prefix`.
"""

from __future__ import annotations

import os
import re
from datetime import datetime

from attrs import frozen

_NAME = re.compile(
    r"(?P<prefix>.*?)"
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})-"
    r"(?P<hour>\d{2})(?P<minute>\d{2})(?P<second>\d{2})-"
    r"(?P<map>[A-Za-z0-9_-]{1,64}?)-round-(?P<round>[1-9]\d{0,2})"
    r"(?P<endstats>-endstats)?\.txt",
    re.ASCII | re.DOTALL,
)

_TIME_GROUPS = tuple(
    _NAME.groupindex[n] for n in ("year", "month", "day", "hour", "minute", "second")
)
_TWO_DIGITS = {f"{i:02d}": i for i in range(100)}


@frozen
class StatsFileName:
    """The parts of a stats or endstats file name."""

    timestamp: datetime
    """Server-local wall-clock time the file was written (naive, second resolution)."""
    map_name: str
    """BSP map name as in the file name (``[A-Za-z0-9_-]``)."""
    round_number: int
    """``N`` of ``-round-N`` (1 or 2 for stopwatch; any 1..999 is accepted)."""
    is_endstats: bool = False
    """True for ``...-round-N-endstats.txt``."""
    prefix: str = ""
    """Text before the date (e.g. ``"iamez_"``), empty for names as the server writes them."""


def parse_stats_filename(name: str | os.PathLike[str]) -> StatsFileName | None:
    """Split a stats/endstats file name (or a path; only its base name is used).

    Returns ``None`` when the name does not follow the pattern or its date/time is not a
    real calendar time. Never raises for a ``str`` or path argument.
    """
    match = _match(name)
    timestamp = None if match is None else _timestamp(match)
    if match is None or timestamp is None:
        return None
    return StatsFileName(
        timestamp=timestamp,
        map_name=match["map"],
        round_number=int(match["round"]),
        is_endstats=match["endstats"] is not None,
        prefix=match["prefix"],
    )


def _timestamp_map_round(name: str | os.PathLike[str]) -> tuple[datetime, str, int] | None:
    """Private (for the stats parser): ``(timestamp, map_name, round_number)`` of
    :func:`parse_stats_filename` (``None`` when it returns ``None``), without building the
    :class:`StatsFileName`."""
    match = _match(name)
    timestamp = None if match is None else _timestamp(match)
    if match is None or timestamp is None:
        return None
    return timestamp, match["map"], int(match["round"])


def _match(name: str | os.PathLike[str]) -> re.Match[str] | None:
    """The pattern matched against the base name of ``name``."""
    return _NAME.fullmatch(os.fspath(name).replace("\\", "/").rsplit("/", 1)[-1])


def _timestamp(match: re.Match[str]) -> datetime | None:
    """The matched date and time, ``None`` when it is not a real calendar time."""
    year, month, day, hour, minute, second = match.group(*_TIME_GROUPS)
    two = _TWO_DIGITS  # the regex's two-digit fields are always ASCII "00".."99"
    try:
        return datetime(int(year), two[month], two[day], two[hour], two[minute], two[second])
    except ValueError:
        return None


def is_stats_filename(name: str | os.PathLike[str]) -> bool:
    """True for a stats file name (``...-round-N.txt``), false for endstats and anything else."""
    parsed = parse_stats_filename(name)
    return parsed is not None and not parsed.is_endstats


def is_endstats_filename(name: str | os.PathLike[str]) -> bool:
    """True for an endstats file name (``...-round-N-endstats.txt``)."""
    parsed = parse_stats_filename(name)
    return parsed is not None and parsed.is_endstats


__all__ = ["StatsFileName", "is_endstats_filename", "is_stats_filename", "parse_stats_filename"]
