"""What one planned round stores: its ``rounds`` values and the rows of its per-round tables
(and its reconciliation verdict). Used by :class:`etstats.ingest.pipeline.Pipeline`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from etstats.ingest import rows as R
from etstats.ingest.artifacts import ArtifactKind
from etstats.ingest.extract import ParsedArtifact
from etstats.ingest.linker import PlannedRound
from etstats.ingest.r2scope import (
    StatsScope,
    partner_scope,
    r2_partner,
    scope_key,
    window_seconds,
)
from etstats.ingest.reconcile_step import reconcile_round
from etstats.storage.base import Row, StorageTx

GROUPS: dict[str, tuple[str, ...]] = {
    "stats": ("player_round_stats", "weapon_stats"),
    "lua": ("lua_timing", "pauses", "spawn_stats"),
    "endstats": ("endstats_awards", "endstats_versus"),
}
"""Per-round tables derived from each linked artifact (rewritten only when it changes)."""


def round_values(
    server_id: int,
    map_name: str,
    round_number: int,
    p: PlannedRound,
    parsed: dict[str, ParsedArtifact],
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "server_id": server_id,
        "map_name": map_name,
        "round_number": round_number,
        "round_start_unix": p.round_start_unix,
        "start_source": p.start_source,
        "round_end_unix": p.round_end_unix,
        "stats_sha256": p.stats,
        "lua_sha256": p.lua,
        "endstats_sha256": p.endstats,
        "stats_file_unix": p.stats_file_unix,
    }
    if p.stats is not None:
        values.update(R.stats_round_values(parsed[p.stats].model))
    return values


def round_rows(
    rid: int,
    p: PlannedRound,
    parsed: dict[str, ParsedArtifact],
    parsed_names: dict[str, str],
    timezone: str | None,
    unchanged: set[str],
    scope: StatsScope | None = None,
) -> tuple[dict[str, list[Row]], Any]:
    """Rows of the tables whose source changed (``unchanged`` roles are left alone);
    ``timezone`` None skips reconciliation. ``scope`` holds the stats values to store (a
    round 2 differenced against its round 1) and that round 1 for the reconciliation."""
    rows: dict[str, list[Row]] = {
        table: [] for role, tables in GROUPS.items() if role not in unchanged for table in tables
    }
    rows["reconciliations"] = []
    stats = parsed[p.stats] if p.stats else None
    lua = parsed[p.lua] if p.lua else None
    end = parsed[p.endstats] if p.endstats else None
    if stats is not None and "stats" not in unchanged:
        if scope is None:
            rows.update(R.stats_rows(stats.model, rid))
        else:
            rows.update(R.stats_rows(scope.model, rid, scope.player_scopes))
    if lua is not None and p.lua is not None and "lua" not in unchanged:
        if lua.kind is ArtifactKind.GAMETIMES_LEGACY:
            rows.update(R.legacy_lua_rows(lua.model, p.lua, rid))
        else:
            rows.update(R.v1_lua_rows(lua.model, p.lua, rid))
    if end is not None and "endstats" not in unchanged:
        rows.update(R.endstats_rows(end.model, rid))
    names = {
        role: parsed_names[sha]
        for role, sha in (("stats", p.stats), ("lua", p.lua), ("endstats", p.endstats))
        if sha
    }
    if timezone is None:
        return rows, None
    r1 = None
    if scope is not None and scope.r1_model is not None and scope.r1_name is not None:
        r1 = (scope.r1_name, scope.r1_model)
    window = scope.window_minutes if scope is not None else 45.0
    recon = reconcile_round(
        stats, lua, end, names=names, timezone=timezone, r1=r1, window_minutes=window
    )
    if recon is not None:
        verdict, errors, warnings, text, obj = recon
        rows["reconciliations"] = [(rid, verdict, errors, warnings, text)]
        return rows, obj
    return rows, None


def refresh_round2s(
    tx: StorageTx,
    load: Callable[[str], tuple[str, ParsedArtifact]],
    *,
    server_id: int,
    map_name: str,
    lo_unix: int,
    hi_unix: int,
    window_minutes: float,
    timezone: str | None,
    touched: set[int],
) -> tuple[list[int], list[Any]]:
    """Re-pair the stored round 2s of a map whose stats time lies in
    [lo, hi + window] (UTC Unix seconds) after the round 1s of [lo, hi] were re-linked;
    rewrite those whose partner changed or whose partner's rows were just rewritten
    (``touched`` round ids). ``timezone`` None skips reconciliation.

    :returns: the rewritten round ids and their reconciliations.
    """

    def models(sha: str) -> tuple[str, Any]:
        name, parsed = load(sha)
        return name, parsed.model

    ids: list[int] = []
    recons: list[Any] = []
    span_hi = hi_unix + window_seconds(window_minutes)
    for r in tx.stats_rounds_between(server_id, map_name, 2, lo_unix, span_hi):
        if r.stats_sha256 is None or r.stats_file_unix is None:  # pragma: no cover
            continue
        model = models(r.stats_sha256)[1]
        partner = r2_partner(
            tx,
            models,
            server_id=server_id,
            map_name=map_name,
            stats_unix=r.stats_file_unix,
            model=model,
            window_minutes=window_minutes,
        )
        now = scope_key(partner)
        if now == (r.values_scope, r.r1_round_id) and r.r1_round_id not in touched:
            continue  # same partner, rows unchanged: no differential needed
        scope = partner_scope(models, model, partner, window_minutes)
        tx.set_round_scope(r.id, *now)
        parsed: dict[str, ParsedArtifact] = {}
        names: dict[str, str] = {}
        for sha in r.linked.values():
            names[sha], parsed[sha] = load(sha)
        p = PlannedRound(
            r.round_start_unix,
            r.start_source,
            r.stats_sha256,
            r.lua_sha256,
            r.endstats_sha256,
            r.round_end_unix,
            r.stats_file_unix,
        )
        rows, recon = round_rows(r.id, p, parsed, names, timezone, {"lua", "endstats"}, scope)
        tx.replace_round_rows(r.id, rows)
        ids.append(r.id)
        if recon is not None:
            recons.append(recon)
    return ids, recons
