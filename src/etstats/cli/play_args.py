"""Arguments shared by the read commands (sessions, session, player, leaderboard, records)."""

from __future__ import annotations

import argparse
import json
import re
import time
from datetime import UTC, datetime
from typing import Any

from etstats.queries import Window
from etstats.queries.text import to_data

_DAYS = re.compile(r"^(\d+(?:\.\d+)?)d$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})?\.\.(\d{4}-\d{2}-\d{2})?$")
WINDOW_HELP = (
    "all (default), Nd (last N days), YYYY-MM-DD..YYYY-MM-DD (UTC dates, end "
    "exclusive; either side may be empty) or session:ID"
)


def window(text: str) -> Window:
    """A ``--window`` value (see :data:`WINDOW_HELP`)."""
    text = text.strip()
    if text in ("", "all"):
        return Window()
    if m := _DAYS.match(text):
        return Window.last_days(float(m.group(1)), int(time.time()))
    if m := _RANGE.match(text):
        lo, hi = (None if d is None else _date(d) for d in m.groups())
        return Window(since_unix=lo, until_unix=hi)
    if text.startswith("session:") and text[8:].isdigit():
        return Window(session_id=int(text[8:]))
    raise argparse.ArgumentTypeError(f"window: expected {WINDOW_HELP}; got {text!r}")


def _date(text: str) -> int:
    try:
        return int(datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r}") from None


def gap_minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of minutes: {text!r}") from None
    if not 0 < value <= 7 * 24 * 60:
        raise argparse.ArgumentTypeError(f"must be > 0 and <= 10080 minutes, got {text}")
    return value


def add_gap(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--gap",
        type=gap_minutes,
        default=60.0,
        metavar="MINUTES",
        help="a gap this long between two rounds starts a new session (default 60)",
    )


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def print_json(value: Any) -> None:
    print(json.dumps(to_data(value), indent=2, ensure_ascii=False))
