"""Player lookup and careers: totals, per map and per weapon, computed by SQL over the player's
GUIDs (canonical plus merged alts). Rates are ratios of the sums (:class:`StatTotals`)."""

from __future__ import annotations

import re
from typing import Any

from etstats.model.common import strip_colours
from etstats.model.stats import WEAPON_NAMES
from etstats.queries import identity
from etstats.queries.statdefs import NOT_BOT, WEAPON_PARTS, part_sql
from etstats.queries.types import (
    Career,
    MapTotals,
    PlayerMatch,
    PlayerRef,
    StatTotals,
    WeaponTotals,
    Window,
)

MIN_GUID_PREFIX = 4
"""Shortest hexadecimal query read as a GUID prefix."""
_HEX = re.compile(r"[0-9A-Fa-f]+")

TOTAL_PARTS: tuple[str, ...] = (
    "time_played_minutes",
    "time_dead_minutes",
    "kills",
    "deaths",
    "damage_given",
    "damage_received",
    "team_damage_given",
    "team_damage_received",
    "gibs",
    "self_kills",
    "team_kills",
    "xp",
    "headshot_kills",
    "revives_given",
    "times_revived",
    "denied_playtime_seconds",
    "hits",
    "shots",
    "headshots",
    "objectives",
    "kill_assists",
)
"""The :class:`StatTotals` fields after ``rounds``, in the order the SQL returns them."""


def totals_select(dialect: str) -> str:
    """``COUNT(DISTINCT round)`` then the SUM of every :data:`TOTAL_PARTS` part."""
    return ", ".join(
        ["COUNT(DISTINCT p.round_id)", *(f"SUM({part_sql(t, dialect)})" for t in TOTAL_PARTS)]
    )


def totals_from(row: Any) -> StatTotals:
    values: dict[str, Any] = {"rounds": int(row[0] or 0)}
    for name, v in zip(TOTAL_PARTS, row[1:], strict=True):
        minutes = name.endswith("_minutes")  # summed as whole tenths (statdefs.part_sql)
        values[name] = round(int(v or 0) / 10, 1) if minutes else int(v or 0)
    return StatTotals(**values)


def window_sql(tx: Any, window: Window) -> tuple[str, list[Any]]:
    """``AND ...`` conditions on ``p`` (player_round_stats) for a window, with parameters;
    always excludes bot lines. Round conditions become ``p.round_id IN (rounds of the window)``
    so a narrow window is answered from the time index and the round-id key, never by scanning
    every line."""
    from etstats.queries import sessions  # a session window needs the session rules

    where: list[str] = [NOT_BOT]
    params: list[Any] = []
    rounds: list[str] = []
    for sql, value in (
        ("wr.round_start_unix >= ?", window.since_unix),
        ("wr.round_start_unix < ?", window.until_unix),
        ("wr.server_id IN (SELECT id FROM servers WHERE name = ?)", window.server),
    ):
        if value is not None:
            rounds.append(sql)
            params.append(value)
    if rounds:
        where.append(f"p.round_id IN (SELECT wr.id FROM rounds wr WHERE {' AND '.join(rounds)})")
    if window.session_id is not None:
        ids = sessions.session_round_ids(tx, window.session_id, window.server) or [-1]
        where.append(f"p.round_id IN ({', '.join('?' * len(ids))})")
        params += ids
    return " AND " + " AND ".join(where), params


def find_players(tx: Any, query: str, *, limit: int = 10) -> PlayerMatch:
    text = strip_colours(query).strip()
    force, sep, rest = text.partition(":")
    force = force.strip().casefold() if sep else ""
    if force in ("discord", "guid", "name"):
        text = rest.strip()
    else:
        force = ""
    if not text:
        return PlayerMatch(query=query, matched_by=None)
    if force == "discord":
        ref = identity.player_for_account(tx, "discord", text)
        return PlayerMatch(
            query=text, matched_by="link" if ref else None, players=(ref,) if ref else ()
        )
    guids: list[str] = []
    matched = None
    if force != "name" and len(text) >= MIN_GUID_PREFIX and _HEX.fullmatch(text):
        # a full 32-character GUID matches its 8-character stats prefix
        prefix = text.upper()[:8] if len(text) > 8 else text.upper()
        guids = ranked_guids(tx, "p.guid LIKE ?", prefix + "%", limit)
        matched = "guid" if guids else None
    if not guids and force != "guid":
        guids = ranked_guids(tx, "LOWER(p.name) LIKE ?", f"%{_like(text.casefold())}%", limit)
        matched = "name" if guids else None
    found = identity.refs(tx, guids)
    return PlayerMatch(query=text, matched_by=matched, players=tuple(found[g] for g in guids))


def _like(text: str) -> str:
    return text.replace("\\", "").replace("%", "").replace("_", "")


def ranked_guids(tx: Any, cond: str, value: str, limit: int) -> list[str]:
    """Canonical GUIDs with a line matching ``cond``, most matching lines first, then GUID.

    Served by ``player_name_lines`` (lines per GUID and name, kept by the store's triggers):
    a few thousand rows, never the per-round lines."""
    rows = tx.fetchall(
        "SELECT COALESCE(al.player_guid, p.guid) AS pg, SUM(p.lines) AS n "
        "FROM player_name_lines p LEFT JOIN player_aliases al ON al.guid = p.guid "
        f"WHERE {cond} GROUP BY COALESCE(al.player_guid, p.guid) "
        "ORDER BY n DESC, pg LIMIT ?",
        (value, max(1, min(int(limit), 100))),
    )
    return [str(r[0]) for r in rows]


LINE_PARTS: tuple[str, ...] = tuple(t for t in TOTAL_PARTS if t not in WEAPON_PARTS)
"""Parts summed over player lines (the weapon parts come from one weapon query)."""


def _stat_totals(rounds: int, raw: dict[str, float]) -> StatTotals:
    values: dict[str, Any] = {"rounds": rounds}
    for name in TOTAL_PARTS:
        v = raw.get(name, 0)
        # minutes were summed as whole tenths (statdefs.part_sql)
        values[name] = round(int(v) / 10, 1) if name.endswith("_minutes") else int(v)
    return StatTotals(**values)


def per_line_join(table: str, alias: str, columns: str, on: str, dialect: str) -> str:
    """Join ``table`` as ``alias`` on ``on`` (a condition on one player line ``p``), probed
    once per line through the table's primary key.

    On PostgreSQL a plain join let the planner hash every round of the store (a parallel
    sequential scan of 100,000 rounds per pass, growing with the store) for a player's few
    thousand lines; ``LATERAL (... OFFSET 0)`` keeps the per-line probes (4,800 lines: about
    50 ms less per pass, weapon pass 167 -> 91 ms; the same rows). SQLite probes per line
    already and has no ``LATERAL``."""
    if dialect == "postgres":
        return (
            f"CROSS JOIN LATERAL (SELECT {columns} FROM {table} {alias} "
            f"WHERE {on} OFFSET 0) AS {alias}"
        )
    return f"JOIN {table} {alias} ON {on}"


def career(tx: Any, player_guid: str, window: Window) -> Career | None:
    """Two passes over the player's rows: line sums per map, weapon sums per (map, weapon);
    the all-time totals are the sums of the maps (a round has one map, so even the distinct
    round count adds up)."""
    from etstats.queries.rounds import dialect

    d = dialect(tx)
    guids = identity.guids_of(tx, player_guid)
    marks = ", ".join("?" * len(guids))
    cond, params = window_sql(tx, window)
    args = (*guids, *params)
    sums = ", ".join(f"SUM({part_sql(t, d)})" for t in LINE_PARTS)
    round_of_line = per_line_join(
        "rounds", "r", "r.map_name, r.round_start_unix", "r.id = p.round_id", d
    )
    lines = f"player_round_stats p {round_of_line}"
    maps = tx.fetchall(
        f"SELECT r.map_name, COUNT(DISTINCT p.round_id), {sums}, "
        "SUM(CASE WHEN p.values_scope <> 'round' THEN 1 ELSE 0 END), "
        f"MIN(r.round_start_unix), MAX(r.round_start_unix) FROM {lines} "
        f"WHERE p.guid IN ({marks}){cond} GROUP BY r.map_name",
        args,
    )
    if not maps:
        return None
    weapons_of_line = per_line_join(
        "weapon_stats",
        "ws",
        "ws.weapon_index, ws.hits, ws.shots, ws.kills, ws.deaths, ws.headshots",
        "ws.round_id = p.round_id AND ws.player_index = p.player_index",
        d,
    )
    weapons = tx.fetchall(
        "SELECT r.map_name, ws.weapon_index, SUM(ws.hits), SUM(ws.shots), SUM(ws.kills), "
        f"SUM(ws.deaths), SUM(ws.headshots) FROM {lines} {weapons_of_line} "
        f"WHERE p.guid IN ({marks}){cond} GROUP BY r.map_name, ws.weapon_index",
        args,
    )
    raw: dict[str, dict[str, float]] = {}
    rounds: dict[str, int] = {}
    for row in maps:
        name = str(row[0])
        rounds[name] = int(row[1])
        raw[name] = {t: float(v or 0) for t, v in zip(LINE_PARTS, row[2:], strict=False)}
    per_weapon: dict[int, list[int]] = {}
    for m, idx, hits, shots, kills, deaths, heads in weapons:
        part = raw.setdefault(str(m), {})
        for key, v in (("hits", hits), ("shots", shots), ("headshots", heads)):
            part[key] = part.get(key, 0) + int(v or 0)
        acc = per_weapon.setdefault(int(idx), [0, 0, 0, 0, 0])
        for i, v in enumerate((hits, shots, kills, deaths, heads)):
            acc[i] += int(v or 0)
    total_raw: dict[str, float] = {}
    for part in raw.values():
        for key, v in part.items():
            total_raw[key] = total_raw.get(key, 0) + v
    by_map = sorted(
        ((m, _stat_totals(rounds.get(m, 0), raw[m])) for m in raw),
        key=lambda mt: (-mt[1].rounds, mt[0]),
    )
    by_weapon = sorted(per_weapon.items(), key=lambda kv: (-kv[1][2], kv[0]))
    names = identity.names_seen(tx, guids)
    shown = identity.display_name(tx, guids[0]) or (names[0] if names else guids[0])
    return Career(
        player=PlayerRef(guids[0], shown),
        guids=tuple(guids),
        names=tuple(names),
        window=window,
        totals=_stat_totals(sum(rounds.values()), total_raw),
        by_map=tuple(MapTotals(m, t) for m, t in by_map),
        by_weapon=tuple(
            WeaponTotals(idx, WEAPON_NAMES[idx] if idx < len(WEAPON_NAMES) else str(idx), *v)
            for idx, v in by_weapon
        ),
        first_unix=min(int(r[-2]) for r in maps),
        last_unix=max(int(r[-1]) for r in maps),
        links=tuple(identity.links(tx, guids[0])),
        cumulative_lines=sum(int(r[-3] or 0) for r in maps),
    )
