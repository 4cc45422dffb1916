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


__all__ = ["timezone_name"]
