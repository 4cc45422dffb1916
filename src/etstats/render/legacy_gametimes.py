"""Render legacy gametimes models back to slomix's JSON shapes.

:func:`render_webhook_payload` builds the Discord webhook body the Lua script v1.6.0+ posts (21
embed fields, in the script's order; ``None`` attributes are left out), and
:func:`render_legacy_gametimes` the gametimes file ``{"meta": ..., "payload": ...}``.
Parsing what these write gives back an equal model. Discord's size limits are not enforced.
"""

from __future__ import annotations

import json
from typing import Any

from etstats.model.legacy_gametimes import (
    LegacyGametimes,
    LegacyMeta,
    PauseEvent,
    TeamMember,
    WebhookRound,
)

EMBED_COLOR = 3447003
EMBED_DESCRIPTION = "Timing: Playtime (no pauses) · Warmup · Wall-clock"
FOOTER_PREFIX = "Slomix Lua Webhook v"


def _number(value: float) -> str:
    """Integer text when whole (``"12"``), else the shortest exact decimal (``"7.35"``)."""
    if value.is_integer():
        return str(int(value))
    return repr(value)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _team(members: tuple[TeamMember, ...]) -> str:
    out = []
    for m in members:
        item: dict[str, str] = {}
        if m.guid is not None:
            item["guid"] = m.guid
        item["name"] = m.name
        out.append(item)
    return _json_text(out)


def _pause(p: PauseEvent) -> dict[str, float | int]:
    sec: float | int = int(p.seconds) if p.seconds.is_integer() else p.seconds
    return {"n": p.n, "start": p.start_unix, "end": p.end_unix, "sec": sec}


def webhook_fields(w: WebhookRound) -> list[tuple[str, str, bool]]:
    """The embed fields ``(name, value, inline)`` for ``w``, in the script's order."""
    f: list[tuple[str, str, bool]] = []

    def put(name: str, value: object | None, text: str | None = None) -> None:
        if value is not None:
            f.append((name, str(value) if text is None else text, True))

    put("Map", w.map)
    put("Round", w.round)
    put("Winner", w.winner)
    put("Defender", w.defender)
    put("Lua_Playtime", w.playtime_seconds, f"{w.playtime_seconds} sec")
    if w.timelimit_minutes is not None:
        put("Lua_Timelimit", w.timelimit_minutes, f"{_number(w.timelimit_minutes)} min")
    if w.pause_count is not None:
        text = str(w.pause_count)
        if w.pause_seconds is not None:
            text += f" ({w.pause_seconds} sec)"
        put("Lua_Pauses", w.pause_count, text)
    put("Lua_EndReason", w.end_reason)
    put("Lua_Warmup", w.warmup_seconds, f"{w.warmup_seconds} sec")
    put("Lua_WarmupStart", w.warmup_start_unix)
    put("Lua_WarmupEnd", w.warmup_end_unix)
    put("Lua_RoundStart", w.round_start_unix)
    put("Lua_RoundEnd", w.round_end_unix)
    put("Lua_SurrenderTeam", w.surrender_team)
    put("Lua_SurrenderCaller", w.surrender_caller)
    put("Lua_SurrenderCallerName", w.surrender_caller_name)
    put("Lua_AxisScore", w.axis_score)
    put("Lua_AlliesScore", w.allies_score)
    if w.axis is not None:
        f.append(("Axis_JSON", _team(w.axis), False))
    if w.allies is not None:
        f.append(("Allies_JSON", _team(w.allies), False))
    if w.pauses is not None:
        f.append(("Lua_Pauses_JSON", _json_text([_pause(p) for p in w.pauses]), False))
    s = w.spawn_summary
    if s is not None:
        f.append(
            (
                "Lua_SpawnSummary",
                f"Players:{s.players} | Spawns:{s.spawns} | AvgRespawn:{s.avg_respawn}s | "
                f"MaxRespawn:{s.max_respawn}s",
                False,
            )
        )
    return f


def render_webhook_payload(w: WebhookRound) -> dict[str, Any]:
    """The webhook body for ``w`` as JSON-ready builtins."""
    body: dict[str, Any] = {}
    if w.username is not None:
        body["username"] = w.username
    if w.content is not None:
        body["content"] = w.content
    embed: dict[str, Any] = {
        "title": f"Round Complete: {w.map or '?'} R{'?' if w.round is None else w.round}",
        "description": EMBED_DESCRIPTION,
        "color": EMBED_COLOR,
        "fields": [{"name": n, "value": v, "inline": i} for n, v, i in webhook_fields(w)],
    }
    if w.version_text is not None:
        embed["footer"] = {"text": FOOTER_PREFIX + w.version_text}
    body["embeds"] = [embed]
    return body


def render_webhook_json(w: WebhookRound, *, indent: int | None = None) -> str:
    """The webhook body for ``w`` as JSON text."""
    return json.dumps(render_webhook_payload(w), ensure_ascii=False, indent=indent)


def render_meta(meta: LegacyMeta) -> dict[str, Any]:
    """``meta`` as JSON-ready builtins, keys in the script's order (absent values left out)."""
    out: dict[str, Any] = {
        "map": meta.map,
        "round": meta.round,
        "round_start_unix": meta.round_start_unix,
        "round_end_unix": meta.round_end_unix,
        "actual_duration_seconds": meta.actual_duration_seconds,
    }
    for key in (
        "warmup_seconds",
        "pause_seconds",
        "pause_count",
        "server_ip",
        "server_port",
        "match_id",
    ):
        value = getattr(meta, key)
        if value is not None:
            out[key] = value
    out["spawn_stats"] = [
        {
            "guid": s.guid,
            "name": s.name,
            "spawns": s.spawns,
            "deaths": s.deaths,
            "dead_seconds": s.dead_seconds,
            "avg_respawn": s.avg_respawn,
            "max_respawn": s.max_respawn,
        }
        for s in meta.spawn_stats
    ]
    return out


def render_legacy_gametimes(g: LegacyGametimes, *, indent: int | None = 2) -> str:
    """The gametimes file text for ``g`` (``payload`` left out when ``None``)."""
    doc: dict[str, Any] = {"meta": render_meta(g.meta)}
    if g.payload is not None:
        doc["payload"] = render_webhook_payload(g.payload)
    return json.dumps(doc, ensure_ascii=False, indent=indent) + "\n"


__all__ = [
    "render_legacy_gametimes",
    "render_meta",
    "render_webhook_json",
    "render_webhook_payload",
    "webhook_fields",
]
