"""etstats: parse, validate and reconcile ET:Legacy round statistics.

The names below are the public API. Errors and models are imported eagerly; parsers, the
differential, reconciliation, storage and plugin helpers (``hookimpl`` too) are imported on
first use (PEP 562), so ``import etstats`` stays cheap and never loads optional dependencies.
Nothing runs at import: plugins load only when a plugin manager is built.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

_LAZY: dict[str, str] = {
    # the artifact front door: any file, its kind and its model
    "load": "etstats.artifacts",
    "LoadedArtifact": "etstats.artifacts",
    "ArtifactKind": "etstats.artifacts",
    # stats files
    "parse_stats_file": "etstats.parsing.stats_file",
    "parse_stats_bytes": "etstats.parsing.stats_file",
    "parse_stats_text": "etstats.parsing.stats_file",
    "parse_stats_filename": "etstats.parsing.filenames",
    "render_stats_round": "etstats.render.stats_file",
    # round-2 differential
    "pair_rounds": "etstats.differential",
    "round2_differential": "etstats.differential",
    "differential_all": "etstats.differential",
    # endstats
    "EndstatsRound": "etstats.model.endstats",
    "parse_endstats_file": "etstats.parsing.endstats",
    "parse_endstats_bytes": "etstats.parsing.endstats",
    "link_endstats": "etstats.parsing.endstats",
    # gametimes: the reference project's legacy shape and our versioned one
    "LegacyGametimes": "etstats.model.legacy_gametimes",
    "WebhookRound": "etstats.model.legacy_gametimes",
    "parse_legacy_gametimes_file": "etstats.parsing.legacy_gametimes",
    "parse_legacy_gametimes_bytes": "etstats.parsing.legacy_gametimes",
    "parse_webhook_payload": "etstats.parsing.legacy_gametimes",
    "Gametimes": "etstats.model.gametimes",
    "parse_gametimes_file": "etstats.parsing.gametimes",
    "parse_gametimes_bytes": "etstats.parsing.gametimes",
    "parse_any_gametimes": "etstats.parsing.gametimes",
    "parse_any_gametimes_file": "etstats.parsing.gametimes",
    "verify_signature": "etstats.parsing.gametimes",
    # reconciliation
    "reconcile": "etstats.reconciliation",
    "ReconcileReport": "etstats.reconciliation",
    "Reconciliation": "etstats.reconciliation",
    "Verdict": "etstats.reconciliation",
    "load_paths": "etstats.reconciliation",
    # serialisation and schema
    "to_json": "etstats.serde",
    "from_json": "etstats.serde",
    "json_schema": "etstats.schema",
    # plugins, storage, ingestion
    "get_plugin_manager": "etstats.plugins",
    "open_storage": "etstats.storage.registry",
    "Storage": "etstats.storage.base",
    "Artifact": "etstats.ingest.artifacts",
    "Pipeline": "etstats.ingest.pipeline",
    # plugins: the marker needs pluggy, which a parse worker never does
    "hookimpl": "etstats.hookspecs",
}

if TYPE_CHECKING:  # give type checkers the real names behind the lazy ones
    from etstats.artifacts import ArtifactKind, LoadedArtifact, load
    from etstats.differential import differential_all, pair_rounds, round2_differential
    from etstats.hookspecs import hookimpl
    from etstats.ingest.artifacts import Artifact
    from etstats.ingest.pipeline import Pipeline
    from etstats.model.endstats import EndstatsRound
    from etstats.model.gametimes import Gametimes
    from etstats.model.legacy_gametimes import LegacyGametimes, WebhookRound
    from etstats.parsing.endstats import link_endstats, parse_endstats_bytes, parse_endstats_file
    from etstats.parsing.filenames import parse_stats_filename
    from etstats.parsing.gametimes import (
        parse_any_gametimes,
        parse_any_gametimes_file,
        parse_gametimes_bytes,
        parse_gametimes_file,
        verify_signature,
    )
    from etstats.parsing.legacy_gametimes import (
        parse_legacy_gametimes_bytes,
        parse_legacy_gametimes_file,
        parse_webhook_payload,
    )
    from etstats.parsing.stats_file import parse_stats_bytes, parse_stats_file, parse_stats_text
    from etstats.plugins import get_plugin_manager
    from etstats.reconciliation import (
        ReconcileReport,
        Reconciliation,
        Verdict,
        load_paths,
        reconcile,
    )
    from etstats.render.stats_file import render_stats_round
    from etstats.schema import json_schema
    from etstats.serde import from_json, to_json
    from etstats.storage.base import Storage
    from etstats.storage.registry import open_storage


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'etstats' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # cache: the next access is a plain global lookup
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [  # noqa: RUF022 - grouped by kind, not sorted
    "__version__",
    # errors
    "AdapterUnavailable",
    "ConfigError",
    "DuplicateRound",
    "EtStatsError",
    "ParseError",
    "PluginError",
    "ReconcileError",
    "StorageError",
    "ValidationError",
    # models
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
    # plugins
    "hookimpl",
    # loaded on first use (see _LAZY)
    "load",
    "LoadedArtifact",
    "ArtifactKind",
    "parse_stats_file",
    "parse_stats_bytes",
    "parse_stats_text",
    "parse_stats_filename",
    "render_stats_round",
    "pair_rounds",
    "round2_differential",
    "differential_all",
    "EndstatsRound",
    "parse_endstats_file",
    "parse_endstats_bytes",
    "link_endstats",
    "LegacyGametimes",
    "WebhookRound",
    "parse_legacy_gametimes_file",
    "parse_legacy_gametimes_bytes",
    "parse_webhook_payload",
    "Gametimes",
    "parse_gametimes_file",
    "parse_gametimes_bytes",
    "parse_any_gametimes",
    "parse_any_gametimes_file",
    "verify_signature",
    "reconcile",
    "ReconcileReport",
    "Reconciliation",
    "Verdict",
    "load_paths",
    "to_json",
    "from_json",
    "json_schema",
    "get_plugin_manager",
    "open_storage",
    "Storage",
    "Artifact",
    "Pipeline",
]
