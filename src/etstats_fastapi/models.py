"""Response models of the read and diagnostics API (pydantic, at the HTTP edge only).

They give the OpenAPI document stable, named schemas. Values a source did not provide are
``null``, never 0.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class StoreSummary(_Model):
    schema_version: int
    rounds: int
    player_lines: int
    artifacts: dict[str, int]
    """Artifacts per status (``accepted``, ``rejected``, ``pending``)."""
    verdicts: dict[str, int]
    """Reconciled rounds per verdict."""


class ServerHealth(_Model):
    server: str
    last_arrival_unix: int | None
    last_round_start_unix: int | None
    rounds: int
    hours_since_last_round: float | None
    stale: bool


class SourceHealth(_Model):
    source: str
    artifacts: int
    rejected: int
    last_arrival_unix: int | None


class HeartbeatHealth(_Model):
    """A server that sends heartbeats (lua/etstats.lua): the "no round while players were
    on" fact (``etstats.queries.heartbeats.server_silence``, the same as the admin alert)."""

    server: str
    last_heartbeat_unix: int
    players: int
    map_name: str | None
    players_seen_unix: int | None
    last_round_stored_unix: int | None
    hours_since_last_round: float | None
    players_recently: bool
    no_round_while_players: bool
    alert_open: bool


class PipelineHealth(_Model):
    now_unix: int
    stale_hours: float
    no_round_hours: float
    servers: list[ServerHealth]
    heartbeats: list[HeartbeatHealth]
    sources: list[SourceHealth]
    rejected: int
    ingest_refusals: dict[str, int]
    outbox: dict[str, Any] | None


class LagSeconds(_Model):
    count: int
    p50: float | None
    p95: float | None
    max: float | None


class LuaWebhookHealth(_Model):
    lua_files: int
    accepted: int
    rejected: int
    rounds_with_lua: int
    linked_to_stats: int
    linkage_rate: float | None
    coverage: dict[str, dict[str, Any]]
    lag_seconds: LagSeconds
    signature_failures: int


class LinkageRound(_Model):
    round_id: int
    map_name: str
    round_number: int
    round_start_unix: int
    start_source: str
    stats: bool
    lua: bool
    endstats: bool


class Linkage(_Model):
    total: int
    limit: int
    offset: int
    items: list[LinkageRound]
    by_sources: dict[str, int]


class AuditCause(_Model):
    code: str | None
    low: float | None
    high: float | None
    evidence: str | None


class AuditItem(_Model):
    round_id: int
    map_name: str
    round_number: int
    round_start_unix: int
    player_key: str
    player_name: str | None
    lua_dead_seconds: float | None
    stats_dead_seconds: float | None
    difference_seconds: float | None
    magnitude_seconds: float | None
    tolerance_seconds: float | None
    verdict: str
    causes: list[AuditCause]
    explanation: str


class AuditSummary(_Model):
    verdicts: dict[str, int]
    missing_lua_value: int
    missing_stats_value: int


class SpawnAudit(_Model):
    total: int
    limit: int
    offset: int
    summary: AuditSummary
    items: list[AuditItem]
