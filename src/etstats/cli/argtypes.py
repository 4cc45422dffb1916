"""argparse ``type=`` converters shared by several commands."""

from __future__ import annotations

import argparse


def timezone_name(text: str) -> str:
    """An IANA timezone name, checked now so a typo is a usage error (exit 2)."""
    from etstats.errors import ConfigError
    from etstats.timezones import zone

    try:
        zone(text)
    except ConfigError:
        raise argparse.ArgumentTypeError(f"unknown IANA timezone: {text!r}") from None
    return text


def window_minutes(text: str) -> float:
    """A pairing window in minutes: a number above 0 and at most one day (1440)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of minutes: {text!r}") from None
    if not 0 < value <= 24 * 60:
        raise argparse.ArgumentTypeError(f"must be > 0 and <= 1440 minutes, got {text}")
    return value


__all__ = ["timezone_name", "window_minutes"]
