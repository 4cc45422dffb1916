"""etstats: parse, validate and reconcile ET:Legacy round statistics.

Nothing runs at import: plugins load only when a plugin manager is built.
"""

from __future__ import annotations

__version__ = "0.1.0"

from etstats.errors import (
    AdapterUnavailable,
    ConfigError,
    DuplicateRound,
    EtStatsError,
    ParseError,
    PluginError,
    ReconcileError,
    StorageError,
    ValidationError,
)
from etstats.model import (
    WEAPON_NAMES,
    Finding,
    PlayerStats,
    Provenance,
    Severity,
    StatsHeader,
    StatsRound,
    TabStats,
    Team,
    WeaponStats,
    strip_colours,
)

__all__ = [
    "WEAPON_NAMES",
    "AdapterUnavailable",
    "ConfigError",
    "DuplicateRound",
    "EtStatsError",
    "Finding",
    "ParseError",
    "PlayerStats",
    "PluginError",
    "Provenance",
    "ReconcileError",
    "Severity",
    "StatsHeader",
    "StatsRound",
    "StorageError",
    "TabStats",
    "Team",
    "ValidationError",
    "WeaponStats",
    "__version__",
    "strip_colours",
]
