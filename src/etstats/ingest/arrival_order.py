"""The order ``etstats ingest`` takes a folder's files in: by the time their names carry.

A backfill usually keeps stats, endstats and gametimes files in separate folders, so in name
order every Lua file would come after every stats file: each round would then be linked and
reconciled twice, once in the batch of its stats file and again in the batch of its Lua
file. Ordering by the time in the names puts a round's files next to each other, so one
batch links and reconciles it once. The stored result does not depend on the order
(ingestion converges); only the work does.

Times, in UTC Unix seconds: stats and endstats names ``...YYYY-MM-DD-HHMMSS-...`` read in
the server's timezone; gametimes names ``...-R<round>-<unix>...`` (legacy and v1). Names
without a time keep their place relative to each other, after the timed ones.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2}-\d{6})")
_LUA_UNIX = re.compile(r"-R\d+-(\d{9,11})(?:\D|$)")


def name_time(name: str, timezone: str = "UTC") -> int | None:
    """The time (UTC Unix seconds) a file name carries, or ``None``. An unknown timezone
    reads the name as UTC (the order is only a matter of speed)."""
    lua = _LUA_UNIX.search(name)
    if lua is not None:
        return int(lua.group(1))
    stamp = _STAMP.search(name)
    if stamp is None:
        return None
    try:
        local = datetime.strptime(stamp.group(1), "%Y-%m-%d-%H%M%S")
    except ValueError:
        return None
    return int(local.replace(tzinfo=_zone(timezone)).timestamp())


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return ZoneInfo("UTC")


def arrival_order(paths: list[Path], timezone: str = "UTC") -> list[Path]:
    """``paths`` sorted by the time of their names (stable; untimed ones last)."""

    def key(path: Path) -> tuple[bool, int]:
        t = name_time(path.name, timezone)
        return (t is None, t or 0)

    return sorted(paths, key=key)
