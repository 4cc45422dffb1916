"""Server timezones: stats and endstats file names carry the game server's local wall clock.

One rule everywhere (store, R1/R2 pairing, CLI checks): a file-name time is read in the
server's IANA zone, and an ambiguous time (the repeated autumn hour of a daylight-saving
change) takes its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from etstats.errors import ConfigError


def zone(name: str) -> ZoneInfo:
    """The IANA timezone ``name``; :class:`ConfigError` if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"unknown timezone {name!r} (use an IANA name such as 'Europe/Berlin')"
        ) from exc


def local_to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A naive server-local wall-clock time as an aware UTC time (first occurrence on folds)."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def local_to_unix(local: datetime, tz: ZoneInfo) -> int:
    """A naive server-local wall-clock time as Unix seconds (first occurrence on folds)."""
    return int(local_to_utc(local, tz).timestamp())


__all__ = ["local_to_unix", "local_to_utc", "zone"]
