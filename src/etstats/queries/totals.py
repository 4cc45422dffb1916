"""The fast path of all-time reads: running per-GUID totals kept by the store's triggers.

Migration 0006 adds ``player_totals`` (one row per GUID: counted lines, distinct rounds and the
sum of every rankable part over that GUID's counted lines, i.e. every line but an Omni-bot's,
minutes as whole tenths) and ``player_name_lines`` (lines per GUID and clean name, bots
included). Triggers keep both in the transaction that writes or deletes player lines and
weapon lines (SQLite row triggers, PostgreSQL statement triggers), so they always equal the
plain aggregates over ``player_round_stats``; tests/sessions/test_totals_properties.py checks
that for random ingests, re-ingests and deletes. Merges are applied at read time by joining the
small ``player_aliases`` table, so linking never rewrites totals.
"""

from __future__ import annotations

from etstats.queries.statdefs import (
    DERIVED_SUMS,
    LINE_COLUMNS,
    MINUTE_PARTS,
    TAB_FIELDS,
    WEAPON_PARTS,
    UnknownStatistic,
)
from etstats.queries.types import Window


def is_all_time(window: Window) -> bool:
    """True when ``window`` restricts nothing (the totals answer it)."""
    return (
        window.since_unix is None
        and window.until_unix is None
        and window.server is None
        and window.session_id is None
    )


def total_column(part: str) -> str:
    """SQL of a part's running total on ``t`` (``player_totals``); minutes are in tenths, as
    :func:`etstats.queries.statdefs.part_sql` sums them."""
    if part in MINUTE_PARTS:
        return "t." + part.replace("_minutes", "_tenths")
    if part in LINE_COLUMNS or part in WEAPON_PARTS or part in TAB_FIELDS:
        return f"t.{part}"
    if part in DERIVED_SUMS:
        return "(" + " + ".join(total_column(f) for f in DERIVED_SUMS[part]) + ")"
    raise UnknownStatistic(f"statistic: expected a summable part; got {part!r}")
