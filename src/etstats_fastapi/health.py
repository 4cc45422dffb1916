"""Diagnostics computed from the store: pipeline health, Lua-webhook health and round linkage.

Plain functions over a :class:`~etstats.storage.base.Storage` returning plain data (the routes
wrap them in response models). The numbers come from counts the store keeps by triggers
(:meth:`~etstats.storage.base.Storage.arrival_facts`,
:meth:`~etstats.storage.base.Storage.source_arrivals`), so the cost does not grow with the
store: the Lua lags' percentiles too are read from counts per second. Times are Unix
seconds; lags and ages are seconds unless the name says hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from etstats.queries.heartbeats import DEFAULT_SILENCE_HOURS, server_silence
from etstats.storage.base import Storage

LUA_KINDS = frozenset({"gametimes", "gametimes-legacy"})
"""Artifact kinds the Lua script produces."""


def pipeline_health(
    storage: Storage,
    *,
    now_unix: float,
    stale_hours: float = 24.0,
    refusals: Mapping[str, int] | None = None,
    outbox: dict[str, Any] | None = None,
    no_round_hours: float = DEFAULT_SILENCE_HOURS,
) -> dict[str, Any]:
    """Last arrival per server and per source, "no round for N hours", rejected and refused
    counts, the outbox state (``outbox``, when given) and, per server that sends heartbeats,
    whether it had players for ``no_round_hours`` without a round being stored (the same
    function as the admin alert)."""
    facts = storage.source_arrivals()
    last_arrival: dict[str, int] = {}
    sources: dict[str, dict[str, Any]] = {}
    for server, kind, n, rejected, last in facts.by_source:
        last_arrival[server] = max(last_arrival.get(server, 0), last)
        src = sources.setdefault(
            kind, {"source": kind, "artifacts": 0, "rejected": 0, "last_arrival_unix": None}
        )
        src["artifacts"] += n
        src["rejected"] += rejected
        src["last_arrival_unix"] = max(src["last_arrival_unix"] or 0, last)
    servers = []
    for server, rounds, last_start in facts.by_server:
        age = None if last_start is None else now_unix - last_start
        servers.append(
            {
                "server": server,
                "last_arrival_unix": last_arrival.get(server),
                "last_round_start_unix": last_start,
                "rounds": rounds,
                "hours_since_last_round": None if age is None else round(age / 3600, 2),
                "stale": age is None or age > stale_hours * 3600,
            }
        )
    heartbeats = [
        {
            "server": q.heartbeat.server,
            "last_heartbeat_unix": q.heartbeat.received_unix,
            "players": q.heartbeat.players,
            "map_name": q.heartbeat.map_name,
            "players_seen_unix": q.heartbeat.players_seen_unix,
            "last_round_stored_unix": q.heartbeat.last_round_unix,
            "hours_since_last_round": q.hours_since_last_round,
            "players_recently": q.players_recently,
            "no_round_while_players": q.silent,
            "alert_open": q.heartbeat.alert_key is not None,
        }
        for q in server_silence(storage, now_unix=now_unix, hours=no_round_hours)
    ]
    return {
        "now_unix": int(now_unix),
        "stale_hours": stale_hours,
        "no_round_hours": no_round_hours,
        "servers": servers,
        "heartbeats": heartbeats,
        "sources": sorted(sources.values(), key=lambda s: s["source"]),
        "rejected": sum(s["rejected"] for s in sources.values()),
        "ingest_refusals": dict(sorted((refusals or {}).items())),
        "outbox": outbox,
    }


def lua_webhook_health(
    storage: Storage, *, refusals: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """Lua timing files: counts, linkage rate, R1/R2 coverage, lag from round end to arrival
    (seconds), and signature failures since the server started."""
    facts = storage.arrival_facts()
    lua = [row for row in facts.by_source if row[1] in LUA_KINDS]
    coverage: dict[str, dict[str, Any]] = {
        f"r{n}": {"stats_rounds": 0, "with_lua": 0, "rate": None} for n in (1, 2)
    }
    for number, stats_rounds, with_lua in facts.coverage:
        coverage[f"r{number}"] = {
            "stats_rounds": stats_rounds,
            "with_lua": with_lua,
            "rate": round(with_lua / stats_rounds, 4) if stats_rounds else None,
        }
    lag = facts.lua_lag
    refused = refusals or {}
    with_lua, linked = facts.rounds_with_lua, facts.lua_linked_to_stats
    return {
        "lua_files": sum(row[2] for row in lua),
        "accepted": None,  # filled below: artifacts that are not rejected (pending counts too)
        "rejected": sum(row[3] for row in lua),
        "rounds_with_lua": with_lua,
        "linked_to_stats": linked,
        "linkage_rate": round(linked / with_lua, 4) if with_lua else None,
        "coverage": coverage,
        "lag_seconds": {"count": lag.count, "p50": lag.p50, "p95": lag.p95, "max": lag.max},
        "signature_failures": sum(refused.get(k, 0) for k in ("bad-signature", "stale-timestamp")),
    } | {"accepted": sum(row[2] - row[3] for row in lua)}


def linkage(storage: Storage, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Which sources each round has (newest first, paged) and the rounds per combination of
    sources. Unlinked artifacts and the linker's notes are in ``etstats audit``."""
    page = storage.list_rounds(limit=limit, offset=offset)
    by_sources = dict(storage.arrival_facts().rounds_by_sources)
    items = [
        {
            "round_id": r.id,
            "map_name": r.map_name,
            "round_number": r.round_number,
            "round_start_unix": r.start_unix,
            "start_source": r.start_source,
            "stats": "stats" in r.sources,
            "lua": "lua" in r.sources,
            "endstats": "endstats" in r.sources,
        }
        for r in page
    ]
    return {
        "total": sum(by_sources.values()),
        "limit": limit,
        "offset": offset,
        "items": items,
        "by_sources": by_sources,
    }
