"""Player lookup and careers: totals, per map and per weapon, computed by SQL over the player's
GUIDs (canonical plus merged alts). Rates are ratios of the sums (:class:`StatTotals`)."""

from __future__ import annotations

import re
from typing import Any

from etstats.model.common import strip_colours
from etstats.model.stats import WEAPON_NAMES
from etstats.queries import identity
from etstats.queries.statdefs import NOT_BOT, part_sql
from etstats.queries.types import (
    Career,
    MapTotals,
    PlayerMatch,
    StatTotals,
    WeaponTotals,
    Window,
)

MIN_GUID_PREFIX = 4
"""Shortest hexadecimal query read as a GUID prefix."""
_HEX = re.compile(r"[0-9A-Fa-f]+")

TOTAL_PARTS: tuple[str, ...] = (
    "time_played_minutes", "time_dead_minutes", "kills", "deaths", "damage_given",
    "damage_received", "team_damage_given", "team_damage_received", "gibs", "self_kills",
    "team_kills", "xp", "headshot_kills", "revives_given", "times_revived",
    "denied_playtime_seconds", "hits", "shots", "headshots", "objectives", "kill_assists",
)  # fmt: skip
"""The :class:`StatTotals` fields after ``rounds``, in the order the SQL returns them."""


def totals_select(dialect: str) -> str:
    """``COUNT(DISTINCT round)`` then the SUM of every :data:`TOTAL_PARTS` part."""
    return ", ".join(["COUNT(DISTINCT p.round_id)",
                      *(f"SUM({part_sql(t, dialect)})" for t in TOTAL_PARTS)])  # fmt: skip


def totals_from(row: Any) -> StatTotals:
    values: dict[str, Any] = {"rounds": int(row[0] or 0)}
    for name, v in zip(TOTAL_PARTS, row[1:], strict=True):
        minutes = name.endswith("_minutes")
        values[name] = round(float(v or 0), 1) if minutes else int(v or 0)
    return StatTotals(**values)


def window_sql(tx: Any, window: Window) -> tuple[str, list[Any]]:
    """``AND ...`` conditions on ``r`` (rounds) and ``p`` for a window, with parameters;
    always excludes bot lines."""
    from etstats.queries import sessions  # a session window needs the session rules

    where: list[str] = [NOT_BOT]
    params: list[Any] = []
    if window.since_unix is not None:
        where.append("r.round_start_unix >= ?")
        params.append(window.since_unix)
    if window.until_unix is not None:
        where.append("r.round_start_unix < ?")
        params.append(window.until_unix)
    if window.server is not None:
        where.append("r.server_id IN (SELECT id FROM servers WHERE name = ?)")
        params.append(window.server)
    if window.session_id is not None:
        ids = sessions.session_round_ids(tx, window.session_id, window.server) or [-1]
        where.append(f"r.id IN ({', '.join('?' * len(ids))})")
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
        return PlayerMatch(query=text, matched_by="link" if ref else None,
                           players=(ref,) if ref else ())  # fmt: skip
    guids: list[str] = []
    matched = None
    if force != "name" and len(text) >= MIN_GUID_PREFIX and _HEX.fullmatch(text):
        # a full 32-character GUID matches its 8-character stats prefix
        prefix = text.upper()[:8] if len(text) > 8 else text.upper()
        guids = _ranked(tx, "p.guid LIKE ?", prefix + "%", limit)
        matched = "guid" if guids else None
    if not guids and force != "guid":
        guids = _ranked(tx, "LOWER(p.name) LIKE ?", f"%{_like(text.casefold())}%", limit)
        matched = "name" if guids else None
    found = identity.refs(tx, guids)
    return PlayerMatch(query=text, matched_by=matched, players=tuple(found[g] for g in guids))


def _like(text: str) -> str:
    return text.replace("\\", "").replace("%", "").replace("_", "")


def _ranked(tx: Any, cond: str, value: str, limit: int) -> list[str]:
    """Canonical GUIDs with a line matching ``cond``, most rounds first, then GUID."""
    rows = tx.fetchall(
        "SELECT COALESCE(al.player_guid, p.guid) AS pg, COUNT(DISTINCT p.round_id) AS n "
        "FROM player_round_stats p LEFT JOIN player_aliases al ON al.guid = p.guid "
        f"WHERE {cond} GROUP BY COALESCE(al.player_guid, p.guid) "
        "ORDER BY n DESC, pg LIMIT ?", (value, max(1, min(int(limit), 100))))  # fmt: skip
    return [str(r[0]) for r in rows]


def career(tx: Any, player_guid: str, window: Window) -> Career | None:
    from etstats.queries.rounds import dialect

    d = dialect(tx)
    guids = identity.guids_of(tx, player_guid)
    marks = ", ".join("?" * len(guids))
    cond, params = window_sql(tx, window)
    base = (f"FROM player_round_stats p JOIN rounds r ON r.id = p.round_id "
            f"WHERE p.guid IN ({marks}){cond}")  # fmt: skip
    args = (*guids, *params)
    row = tx.fetchone(f"SELECT {totals_select(d)}, MIN(r.round_start_unix), "
                      f"MAX(r.round_start_unix) {base}", args)  # fmt: skip
    if row is None or not row[0]:
        return None
    totals = totals_from(row[:-2])
    by_map = tx.fetchall(f"SELECT r.map_name, {totals_select(d)} {base} GROUP BY r.map_name "
                         "ORDER BY COUNT(DISTINCT p.round_id) DESC, r.map_name", args)  # fmt: skip
    weapons = tx.fetchall(
        "SELECT ws.weapon_index, SUM(ws.hits), SUM(ws.shots), SUM(ws.kills), SUM(ws.deaths), "
        "SUM(ws.headshots) FROM weapon_stats ws JOIN player_round_stats p "
        "ON p.round_id = ws.round_id AND p.player_index = ws.player_index "
        f"JOIN rounds r ON r.id = p.round_id WHERE p.guid IN ({marks}){cond} "
        "GROUP BY ws.weapon_index ORDER BY SUM(ws.kills) DESC, ws.weapon_index", args)  # fmt: skip
    names = identity.names_seen(tx, guids)
    return Career(
        player=identity.player_ref(tx, guids[0]), guids=tuple(guids), names=tuple(names),
        window=window, totals=totals,
        by_map=tuple(MapTotals(str(m[0]), totals_from(m[1:])) for m in by_map),
        by_weapon=tuple(
            WeaponTotals(int(w[0]), WEAPON_NAMES[int(w[0])] if int(w[0]) < len(WEAPON_NAMES)
                         else str(w[0]), *(int(v or 0) for v in w[1:]))
            for w in weapons),
        first_unix=int(row[-2]), last_unix=int(row[-1]),
        links=tuple(identity.links(tx, guids[0])),
    )  # fmt: skip
