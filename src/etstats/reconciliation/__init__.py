"""Reconciliation engine: which number is right, and why.

:func:`reconcile` links stats files (R1/R2), endstats files and Lua gametimes (slomix legacy
or etstats v1) into rounds, matches players by GUID, and compares every quantity two sources
measure with a verdict (``agree``, ``tolerated``, ``explained``, ``conflict``), the values and
rule used, the expected bound and the named causes. See docs/reconcile.md.
"""

from etstats.reconciliation.engine import reconcile
from etstats.reconciliation.loader import LoadedArtifact, load_paths
from etstats.reconciliation.model import (
    Ambiguity,
    ArtifactRef,
    CauseAmount,
    Comparison,
    PlayerLink,
    ReconcileReport,
    Reconciliation,
    SourceValue,
    Verdict,
)

__all__ = [
    "Ambiguity",
    "ArtifactRef",
    "CauseAmount",
    "Comparison",
    "LoadedArtifact",
    "PlayerLink",
    "ReconcileReport",
    "Reconciliation",
    "SourceValue",
    "Verdict",
    "load_paths",
    "reconcile",
]
