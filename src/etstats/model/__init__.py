"""attrs models for every artifact etstats reads. No parsing or JSON knowledge here."""

from etstats.model.common import Finding, Provenance, Severity, Team, strip_colours
from etstats.model.stats import (
    FLOAT_TAB_FIELDS,
    PER_ROUND_TAB_FIELDS,
    RATIO_TAB_FIELDS,
    TAB_FIELDS_38,
    TAB_LAYOUTS,
    WEAPON_NAMES,
    PlayerStats,
    StatsHeader,
    StatsRound,
    TabStats,
    WeaponStats,
)

__all__ = [
    "FLOAT_TAB_FIELDS",
    "PER_ROUND_TAB_FIELDS",
    "RATIO_TAB_FIELDS",
    "TAB_FIELDS_38",
    "TAB_LAYOUTS",
    "WEAPON_NAMES",
    "Finding",
    "PlayerStats",
    "Provenance",
    "Severity",
    "StatsHeader",
    "StatsRound",
    "TabStats",
    "Team",
    "WeaponStats",
    "strip_colours",
]
