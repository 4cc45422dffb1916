"""Re-reconcile one stored round from its archived raw artifacts (no discord import here).

The round's stats, Lua and endstats bytes (and, for a paired round 2, its round 1's stats
file) are read with ``Storage.artifact_data``, parsed with the ingestion parsers
and handed to :func:`etstats.reconciliation` exactly as the ingestion pipeline does
(:func:`etstats.ingest.reconcile_step.reconcile_round`: the server's timezone, the round-2
pairing), so the verdict can be compared with the stored one. Differences are in the
comparison's unit (``s`` = seconds). Blocking: async callers use :func:`asyncio.to_thread`.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from etstats.storage.base import Storage
from etstats_discord.queries import (
    QueryError,
    RoundLine,
    get_round,
    round_line,
    summary_line,
)


@frozen
class Issue:
    """One comparison of a reconciliation that did not ``agree``."""

    check: str
    """Check code (``dead-time``, ``round-duration``...; docs/reconcile.md)."""
    verdict: str
    """``tolerated``, ``explained`` or ``conflict``."""
    player: str | None
    """Clean player name (or GUID prefix) for per-player checks."""
    difference: float | None
    """Second source minus first, in :attr:`unit` (``s`` = seconds)."""
    unit: str
    causes: tuple[str, ...]
    """Cause codes (for a conflict: every candidate that was tried)."""


@frozen
class ReconcileSummary:
    """A round re-reconciled from its archived raw artifacts."""

    round: RoundLine
    artifacts: tuple[str, ...]
    """File names of the artifacts handed to the engine (a round 2 also gets its round 1)."""
    verdict: str
    """The worst verdict of the round's comparisons."""
    counts: dict[str, int]
    """Comparisons per verdict."""
    issues: tuple[Issue, ...]
    """Non-agreeing comparisons, worst first."""
    stored_verdict: str | None
    """The verdict stored at ingestion (``None`` if none was stored)."""


_ORDER = {"conflict": 0, "explained": 1, "tolerated": 2}


def _load(store: Storage, shas: dict[str, str], timezone: str) -> dict[str, tuple[str, Any]]:
    """role -> (file name, ParsedArtifact) of the given archived artifacts."""
    from etstats.ingest.artifacts import Artifact, ArtifactKind
    from etstats.ingest.extract import parse_artifact

    records = {a.sha256: a for a in store.artifacts() if a.sha256 in shas.values()}
    raw = {role: store.artifact_data(sha) for role, sha in shas.items() if sha in records}
    out: dict[str, tuple[str, Any]] = {}
    for role, data in raw.items():
        rec = records[shas[role]]
        art = Artifact.from_bytes(data, rec.name, kind=ArtifactKind(rec.kind))
        out[role] = (rec.name, parse_artifact(art, timezone=timezone))
    return out


def reconcile_summary(store: Storage, round_id: int) -> ReconcileSummary:
    """Reconcile round ``round_id`` again from its archived bytes (the ingestion rules: the
    server's timezone, a paired round 2 with its round 1) and summarise the result.

    :raises QueryError: unknown round, no stats or Lua artifact, or the engine gave nothing.
    """
    from etstats.ingest.reconcile_step import reconcile_round

    rnd = get_round(store, round_id)
    shas = rnd.linked
    if "stats" not in shas and "lua" not in shas:
        raise QueryError(f"round {round_id} has no stats or Lua file to compare")
    if rnd.r1_round_id is not None:
        r1 = get_round(store, rnd.r1_round_id)
        if r1.stats_sha256:
            shas["r1"] = r1.stats_sha256
    detail = store.round_detail(round_id)
    tz = detail.timezone if detail is not None else "UTC"
    loaded = _load(store, shas, tz)
    names = {role: name for role, (name, _) in loaded.items()}
    parsed = {role: p for role, (_, p) in loaded.items()}
    partner = (names["r1"], parsed["r1"].model) if "r1" in parsed else None
    result = reconcile_round(
        parsed.get("stats"),
        parsed.get("lua"),
        parsed.get("endstats"),
        names=names,
        timezone=tz,
        r1=partner,
    )
    if result is None:
        raise QueryError(f"round {round_id} could not be reconciled")
    recon = result[4]
    issues = sorted(
        (
            Issue(
                check=c.check,
                verdict=str(c.verdict),
                player=c.player_name or c.player,
                difference=c.difference,
                unit=c.unit,
                causes=tuple(dict.fromkeys(k.code for k in c.causes)),
            )
            for c in recon.comparisons
            if str(c.verdict) != "agree"
        ),
        key=lambda i: (_ORDER.get(i.verdict, 3), i.check, i.player or ""),
    )
    stored = detail.round.verdict if detail is not None else None
    return ReconcileSummary(
        round=summary_line(detail.round) if detail is not None else round_line(rnd, 0),
        artifacts=tuple(names[k] for k in ("stats", "r1", "lua", "endstats") if k in names),
        verdict=str(recon.verdict),
        counts=recon.counts(),
        issues=tuple(issues),
        stored_verdict=stored,
    )
