"""The reconciliation step of the pipeline: one round's parsed artifacts -> a stored verdict.

Uses :mod:`etstats.reconcile` when it is available; without it no verdict is stored.
"""

from __future__ import annotations

from typing import Any

from etstats.ingest.extract import ParsedArtifact


def reconcile_round(
    stats: ParsedArtifact | None, lua: ParsedArtifact | None, endstats: ParsedArtifact | None
) -> tuple[str, int, int, str, Any] | None:
    """(verdict, errors, warnings, JSON report, Reconciliation) of one round, or ``None``."""
    return None
