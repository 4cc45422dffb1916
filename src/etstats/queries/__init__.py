"""The store's typed read API: rounds, map results, gaming sessions, careers, leaderboards,
records and player identity (docs/sessions.md for the rules, docs/api.md for examples).

Results are attrs classes from :mod:`etstats.queries.types`; every backend answers through
:class:`etstats.queries.api.ReadApi` with SQL shared by SQLite and PostgreSQL.
"""

from __future__ import annotations

from etstats.queries.api import GAP_MINUTES
from etstats.queries.ladders import DEFAULT_MIN_ROUNDS, DEFAULT_RATE_MINUTES
from etstats.queries.statdefs import UnknownStatistic, stat_names
from etstats.queries.types import (
    Award,
    AwardCount,
    Career,
    IdentityLink,
    Leaderboard,
    LeaderboardEntry,
    MapResult,
    MapTotals,
    PlayerLine,
    PlayerMatch,
    PlayerRef,
    PlayerTotals,
    RecordEntry,
    RoundDetail,
    RoundSummary,
    Session,
    SessionSummary,
    SideRoster,
    StatTotals,
    StoreCounts,
    WeaponTotals,
    Window,
)

DEFAULT_GAP_MINUTES = GAP_MINUTES
"""Gap (minutes) between two rounds of a server that starts a new session."""
DEFAULT_MIN_MINUTES = DEFAULT_RATE_MINUTES
"""Leaderboard gate for rates: minutes played a player needs."""

__all__ = [
    "DEFAULT_GAP_MINUTES",
    "DEFAULT_MIN_MINUTES",
    "DEFAULT_MIN_ROUNDS",
    "Award",
    "AwardCount",
    "Career",
    "IdentityLink",
    "Leaderboard",
    "LeaderboardEntry",
    "MapResult",
    "MapTotals",
    "PlayerLine",
    "PlayerMatch",
    "PlayerRef",
    "PlayerTotals",
    "RecordEntry",
    "RoundDetail",
    "RoundSummary",
    "Session",
    "SessionSummary",
    "SideRoster",
    "StatTotals",
    "StoreCounts",
    "UnknownStatistic",
    "WeaponTotals",
    "Window",
    "stat_names",
]
