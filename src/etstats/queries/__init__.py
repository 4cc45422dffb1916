"""The store's typed read API: rounds, map results, gaming sessions, careers, leaderboards,
records and player identity (docs/sessions.md for the rules, docs/api.md for examples).

Results are attrs classes from :mod:`etstats.queries.types`; every backend answers through
:class:`etstats.queries.api.ReadApi` with SQL shared by SQLite and PostgreSQL.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from etstats.queries.api import GAP_MINUTES

DEFAULT_GAP_MINUTES = GAP_MINUTES
"""Gap (minutes) between two rounds of a server that starts a new session."""

_LAZY: dict[str, tuple[str, str]] = {
    # name -> (module, attribute), imported on first use (PEP 562): a store mixes the read
    # API in, and importing the result types and the statistics tables with it would cost
    # every command (``etstats ingest`` among them) a tenth of its start-up.
    # DEFAULT_MIN_MINUTES: the leaderboard gate for rates, minutes played a player needs.
    "DEFAULT_MIN_MINUTES": ("etstats.queries.ladders", "DEFAULT_RATE_MINUTES"),
    "DEFAULT_MIN_ROUNDS": ("etstats.queries.ladders", "DEFAULT_MIN_ROUNDS"),
    "UnknownStatistic": ("etstats.queries.statdefs", "UnknownStatistic"),
    "stat_names": ("etstats.queries.statdefs", "stat_names"),
    "Award": ("etstats.queries.types", "Award"),
    "AwardCount": ("etstats.queries.types", "AwardCount"),
    "Career": ("etstats.queries.types", "Career"),
    "IdentityLink": ("etstats.queries.types", "IdentityLink"),
    "Leaderboard": ("etstats.queries.types", "Leaderboard"),
    "LeaderboardEntry": ("etstats.queries.types", "LeaderboardEntry"),
    "MapResult": ("etstats.queries.types", "MapResult"),
    "MapTotals": ("etstats.queries.types", "MapTotals"),
    "PlayerLine": ("etstats.queries.types", "PlayerLine"),
    "PlayerMatch": ("etstats.queries.types", "PlayerMatch"),
    "PlayerRef": ("etstats.queries.types", "PlayerRef"),
    "PlayerTotals": ("etstats.queries.types", "PlayerTotals"),
    "RecordEntry": ("etstats.queries.types", "RecordEntry"),
    "RoundDetail": ("etstats.queries.types", "RoundDetail"),
    "RoundSummary": ("etstats.queries.types", "RoundSummary"),
    "Session": ("etstats.queries.types", "Session"),
    "SessionSummary": ("etstats.queries.types", "SessionSummary"),
    "SideRoster": ("etstats.queries.types", "SideRoster"),
    "StatTotals": ("etstats.queries.types", "StatTotals"),
    "StoreCounts": ("etstats.queries.types", "StoreCounts"),
    "WeaponTotals": ("etstats.queries.types", "WeaponTotals"),
    "Window": ("etstats.queries.types", "Window"),
}

if TYPE_CHECKING:  # give type checkers the real names behind the lazy ones
    from etstats.queries.ladders import DEFAULT_MIN_ROUNDS
    from etstats.queries.ladders import DEFAULT_RATE_MINUTES as DEFAULT_MIN_MINUTES
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


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'etstats.queries' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # cache: the next access is a plain global lookup
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
