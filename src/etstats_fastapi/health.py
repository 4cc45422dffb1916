"""Diagnostics computed from the store: pipeline health, Lua-webhook health and round linkage.

Plain functions over a :class:`~etstats.storage.base.Storage` returning plain data (the routes
wrap them in response models). Times are Unix seconds; lags and ages are seconds unless the
name says hours.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from etstats.storage.base import ArtifactRecord, Storage, StoredRound

LUA_KINDS = frozenset({"gametimes", "gametimes-legacy"})
"""Artifact kinds the Lua script produces."""


def _is_lua(kind: str) -> bool:
    return kind in LUA_KINDS


def _server_names(storage: Storage) -> dict[int, str]:
    return {int(row[0]): str(row[1]) for row in storage.table_rows("servers")}


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100); ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return float(ordered[rank - 1])


def pipeline_health(
    storage: Storage,
    *,
    now_unix: float,
    stale_hours: float = 24.0,
    refusals: Mapping[str, int] | None = None,
    outbox: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Last arrival per server and per source, "no round for N hours", rejected and refused
    counts, and the outbox state when the store has one (``outbox``)."""
    names = _server_names(storage)
    arts = storage.artifacts()
    rounds = storage.rounds()
    servers: dict[int, dict[str, Any]] = {
        sid: {"server": name, "last_arrival_unix": None, "last_round_start_unix": None, "rounds": 0}
        for sid, name in names.items()
    }
    sources: dict[str, dict[str, Any]] = {}
    for a in arts:
        s = servers.setdefault(
            a.server_id,
            {
                "server": str(a.server_id),
                "last_arrival_unix": None,
                "last_round_start_unix": None,
                "rounds": 0,
            },
        )
        s["last_arrival_unix"] = max(s["last_arrival_unix"] or 0, a.received_unix)
        kind = sources.setdefault(
            a.kind, {"source": a.kind, "artifacts": 0, "rejected": 0, "last_arrival_unix": None}
        )
        kind["artifacts"] += 1
        kind["rejected"] += a.status == "rejected"
        kind["last_arrival_unix"] = max(kind["last_arrival_unix"] or 0, a.received_unix)
    for r in rounds:
        found = servers.get(r.server_id)
        if found is not None:
            found["rounds"] += 1
            last_start = found["last_round_start_unix"] or 0
            found["last_round_start_unix"] = max(last_start, r.round_start_unix)
    for s in servers.values():
        last = s["last_round_start_unix"]
        s["hours_since_last_round"] = None if last is None else round((now_unix - last) / 3600, 2)
        s["stale"] = last is None or (now_unix - last) > stale_hours * 3600
    return {
        "now_unix": int(now_unix),
        "stale_hours": stale_hours,
        "servers": sorted(servers.values(), key=lambda s: s["server"]),
        "sources": sorted(sources.values(), key=lambda s: s["source"]),
        "rejected": sum(1 for a in arts if a.status == "rejected"),
        "ingest_refusals": dict(sorted((refusals or {}).items())),
        "outbox": outbox,
    }


def lua_webhook_health(
    storage: Storage, *, refusals: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """Lua timing files: counts, linkage rate, R1/R2 coverage, lag from round end to arrival
    (seconds), and signature failures since the server started."""
    arts = storage.artifacts()
    by_sha = {a.sha256: a for a in arts}
    lua_arts = [a for a in arts if _is_lua(a.kind)]
    rounds = storage.rounds()
    with_lua = [r for r in rounds if r.lua_sha256]
    linked = [r for r in with_lua if r.stats_sha256]
    coverage: dict[str, dict[str, Any]] = {}
    for number in (1, 2):
        stats_rounds = [r for r in rounds if r.stats_sha256 and r.round_number == number]
        covered = sum(1 for r in stats_rounds if r.lua_sha256)
        coverage[f"r{number}"] = {
            "stats_rounds": len(stats_rounds),
            "with_lua": covered,
            "rate": round(covered / len(stats_rounds), 4) if stats_rounds else None,
        }
    lags = _arrival_lags(with_lua, by_sha)
    refused = refusals or {}
    return {
        "lua_files": len(lua_arts),
        "accepted": sum(1 for a in lua_arts if a.status == "accepted"),
        "rejected": sum(1 for a in lua_arts if a.status == "rejected"),
        "rounds_with_lua": len(with_lua),
        "linked_to_stats": len(linked),
        "linkage_rate": round(len(linked) / len(with_lua), 4) if with_lua else None,
        "coverage": coverage,
        "lag_seconds": {
            "count": len(lags),
            "p50": percentile(lags, 50),
            "p95": percentile(lags, 95),
            "max": max(lags) if lags else None,
        },
        "signature_failures": sum(refused.get(k, 0) for k in ("bad-signature", "stale-timestamp")),
    }


def _arrival_lags(
    rounds: Sequence[StoredRound], by_sha: Mapping[str, ArtifactRecord]
) -> list[float]:
    lags = []
    for r in rounds:
        art = by_sha.get(r.lua_sha256 or "")
        if art is not None and r.round_end_unix is not None:
            lags.append(float(art.received_unix - r.round_end_unix))
    return lags


def linkage(storage: Storage, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Which sources each round has (newest first, paged), plus unlinked artifacts and the
    linker's notes."""
    from etstats.ingest.audit import audit_report

    report = audit_report(storage)
    rounds = sorted(storage.rounds(), key=lambda r: (-r.round_start_unix, -r.id))
    roles = Counter(frozenset(r.linked) for r in rounds)
    page = [
        {
            "round_id": r.id,
            "map_name": r.map_name,
            "round_number": r.round_number,
            "round_start_unix": r.round_start_unix,
            "start_source": r.start_source,
            "stats": r.stats_sha256 is not None,
            "lua": r.lua_sha256 is not None,
            "endstats": r.endstats_sha256 is not None,
        }
        for r in rounds[offset : offset + limit]
    ]
    return {
        "total": len(rounds),
        "limit": limit,
        "offset": offset,
        "items": page,
        "by_sources": {
            "+".join(sorted(k)) or "none": v
            for k, v in sorted(roles.items(), key=lambda kv: sorted(kv[0]))
        },
        "unlinked": report["unlinked"][:200],
        "link_notes": report["link_notes"][:200],
    }
