"""Read-only questions a Discord bot asks an etstats store (no discord import here).

Every function takes an open :class:`etstats.storage.base.Storage` and uses only its public
read API (``rounds``, ``table_rows``, ``artifacts``, ``schema_version``; raw bytes through
``transaction().artifact_data``), so it works on every backend. The functions block: an async
caller runs them in a thread (:func:`asyncio.to_thread`).

Units: times are Unix seconds (UTC); ``*_minutes`` values are minutes as the stats file wrote
them (one decimal) and the matching ``*_seconds`` properties convert them (x60, rounded to whole
seconds). A user-facing problem (unknown round, nothing to reconcile) raises
:class:`QueryError`, whose message is safe to show in chat.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from attrs import frozen

from etstats.errors import EtStatsError
from etstats.model.common import Team, strip_colours
from etstats.storage.base import ROUND_TABLES, Row, Storage, StoredRound

MAX_LAST = 25
"""Most rounds ``latest_rounds`` returns (one embed field each)."""
MIN_GUID_PREFIX = 4
"""Shortest hexadecimal query treated as a GUID prefix."""
SORT_KEYS = ("kills", "damage")
"""Scoreboard orders: enemy kills or damage given (both descending)."""

PLAYER_COL = {name: i for i, name in enumerate(ROUND_TABLES["player_round_stats"])}
_HEX = re.compile(r"[0-9A-Fa-f]+")


class QueryError(EtStatsError):
    """A question the store cannot answer (unknown round, ambiguous input); the message is
    short and meant for the user."""


def _minutes_to_seconds(minutes: float | None) -> int | None:
    return None if minutes is None else round(minutes * 60)


def team_name(team: int | None) -> str | None:
    """``Axis``/``Allies``/``Spectator``/``Free`` for an engine team number, ``None`` if unknown."""
    try:
        return None if team is None else Team(team).name.title()
    except ValueError:
        return None


@frozen
class RoundLine:
    """One stored round in a list."""

    round_id: int
    map_name: str
    round_number: int
    start_unix: int
    """The round's key time (UTC Unix seconds): the Lua start, else the stats/endstats file-name
    time (see :attr:`start_source`)."""
    start_source: str
    winner: str | None
    """``Axis``/``Allies`` from the stats header or Lua, ``None`` if not known."""
    players: int
    """Player lines stored for the round."""
    sources: tuple[str, ...]
    """Linked artifact kinds: ``stats``, ``lua``, ``endstats``."""
    values_scope: str | None
    """``round`` (this round only), ``cumulative_r1_r2`` (an orphan round 2) or ``None``."""


def round_line(rnd: StoredRound, players: int) -> RoundLine:
    return RoundLine(
        round_id=rnd.id, map_name=rnd.map_name, round_number=rnd.round_number,
        start_unix=rnd.round_start_unix, start_source=rnd.start_source,
        winner=team_name(rnd.winner_team), players=players,
        sources=tuple(rnd.linked), values_scope=rnd.values_scope,
    )  # fmt: skip


def player_rows(store: Storage, round_ids: Sequence[int] | None = None) -> list[Row]:
    """``player_round_stats`` rows (of ``round_ids`` only, through the index, when given)."""
    return store.table_rows("player_round_stats", round_ids)


def latest_rounds(store: Storage, n: int = 5) -> list[RoundLine]:
    """The ``n`` (1..:data:`MAX_LAST`) most recent rounds, newest first (by key time, then id)."""
    n = max(1, min(int(n), MAX_LAST))
    rounds = sorted(store.rounds(), key=lambda r: (r.round_start_unix, r.id), reverse=True)[:n]
    counts = Counter(row[PLAYER_COL["round_id"]]
                     for row in player_rows(store, [r.id for r in rounds]))  # fmt: skip
    return [round_line(r, counts[r.id]) for r in rounds]


@frozen
class ScoreLine:
    """One player's line of a round as stored (a paired round 2: that round only)."""

    name: str
    """Clean name (colour codes removed); evidence only, not an identity."""
    guid: str
    """GUID as the stats file wrote it (8 characters)."""
    team: str | None
    kills: int
    """Enemy kills (sum of the weapon kills)."""
    deaths: int
    """Deaths to a weapon (self/world kills excluded)."""
    damage_given: int | None
    time_played_minutes: float | None
    """TAB[22], minutes (one decimal)."""
    time_dead_minutes: float | None
    """TAB[25], minutes (one decimal; c0rnp0rn 3/7 overcount it, see docs/reconcile.md)."""
    values_scope: str

    @property
    def time_played_seconds(self) -> int | None:
        """:attr:`time_played_minutes` in whole seconds."""
        return _minutes_to_seconds(self.time_played_minutes)

    @property
    def time_dead_seconds(self) -> int | None:
        """:attr:`time_dead_minutes` in whole seconds."""
        return _minutes_to_seconds(self.time_dead_minutes)


@frozen
class Scoreboard:
    """One round and its players, sorted by :attr:`sort`."""

    round: RoundLine
    sort: str
    players: tuple[ScoreLine, ...]


def get_round(store: Storage, round_id: int) -> StoredRound:
    found = next((r for r in store.rounds() if r.id == round_id), None)
    if found is None:
        raise QueryError(f"round {round_id} is not in the store")
    return found


def _score_line(row: Row) -> ScoreLine:
    def col(name: str) -> Any:
        return row[PLAYER_COL[name]]

    return ScoreLine(
        name=str(col("name")), guid=str(col("guid")), team=team_name(col("team")),
        kills=int(col("kills")), deaths=int(col("deaths")), damage_given=col("damage_given"),
        time_played_minutes=col("time_played_minutes"),
        time_dead_minutes=col("time_dead_minutes"), values_scope=str(col("values_scope")),
    )  # fmt: skip


def round_scoreboard(store: Storage, round_id: int, sort: str = "kills") -> Scoreboard:
    """Round ``round_id``'s players, by ``sort`` (``kills`` or ``damage``) descending, then name.

    :raises QueryError: unknown round or sort key.
    """
    if sort not in SORT_KEYS:
        raise QueryError(f"sort by one of: {', '.join(SORT_KEYS)}")
    rnd = get_round(store, round_id)
    lines = [_score_line(r) for r in player_rows(store, [round_id])]

    def key(p: ScoreLine) -> tuple[int, int, str]:
        first = p.kills if sort == "kills" else (p.damage_given or 0)
        second = (p.damage_given or 0) if sort == "kills" else p.kills
        return (-first, -second, p.name.casefold())

    lines.sort(key=key)
    return Scoreboard(round=round_line(rnd, len(lines)), sort=sort, players=tuple(lines))


@frozen
class PlayerTotals:
    """One GUID's sums over every stored round it has a line in."""

    guid: str
    names: tuple[str, ...]
    """Clean names seen under this GUID, most used first."""
    rounds: int
    kills: int
    deaths: int
    damage_given: int
    time_played_minutes: float
    time_dead_minutes: float
    cumulative_rows: int
    """Lines whose values are not one round's (an orphan round 2's R1+R2 totals, or a round-2
    line kept as written): they are included in the sums and counted here."""
    first_unix: int
    last_unix: int
    """Key times (UTC Unix seconds) of the first and last round."""

    @property
    def time_played_seconds(self) -> int:
        return round(self.time_played_minutes * 60)

    @property
    def time_dead_seconds(self) -> int:
        return round(self.time_dead_minutes * 60)


@frozen
class PlayerCandidate:
    """A GUID a name query matched (when several did)."""

    guid: str
    names: tuple[str, ...]
    rounds: int


@frozen
class PlayerLookup:
    """The answer to a player query: totals of one GUID, or the candidates when ambiguous."""

    query: str
    matched_by: str | None
    """``guid``, ``name`` or ``None`` (no match)."""
    totals: PlayerTotals | None = None
    candidates: tuple[PlayerCandidate, ...] = ()
    """Filled when the query matched several GUIDs (nothing is guessed)."""


def _names(rows: Sequence[Row]) -> tuple[str, ...]:
    counts = Counter(str(r[PLAYER_COL["name"]]) for r in rows)
    return tuple(name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _totals(guid: str, rows: Sequence[Row], starts: dict[int, int]) -> PlayerTotals:
    def total(name: str) -> Any:
        return sum(r[PLAYER_COL[name]] or 0 for r in rows)

    times = [starts.get(r[PLAYER_COL["round_id"]], 0) for r in rows]
    return PlayerTotals(
        guid=guid, names=_names(rows), rounds=len({r[PLAYER_COL["round_id"]] for r in rows}),
        kills=int(total("kills")), deaths=int(total("deaths")),
        damage_given=int(total("damage_given")),
        time_played_minutes=round(float(total("time_played_minutes")), 1),
        time_dead_minutes=round(float(total("time_dead_minutes")), 1),
        cumulative_rows=sum(1 for r in rows if r[PLAYER_COL["values_scope"]] != "round"),
        first_unix=min(times), last_unix=max(times),
    )  # fmt: skip


def _guid_matches(query: str, guid: str) -> bool:
    q, g = query.upper(), guid.upper()
    return bool(g) and (g.startswith(q) or q.startswith(g))


def player_totals(store: Storage, query: str) -> PlayerLookup:
    """Totals of the player ``query`` names: a GUID prefix (at least :data:`MIN_GUID_PREFIX`
    hex characters; a full 32-character GUID matches its 8-character stats prefix), else a
    case-insensitive substring of the clean name. ``guid:`` or ``name:`` in front forces one
    reading. A query matching several GUIDs returns the candidates instead of totals.

    :raises QueryError: empty query.
    """
    text = strip_colours(query).strip()
    force, sep, rest = text.partition(":")
    force = force.strip().casefold() if sep and force.strip().casefold() in ("guid", "name") else ""
    if force:
        text = rest.strip()
    if not text:
        raise QueryError("give a GUID prefix or part of a player name")
    rows = player_rows(store)
    by_guid: dict[str, list[Row]] = {}
    for row in rows:
        by_guid.setdefault(str(row[PLAYER_COL["guid"]]).upper(), []).append(row)
    matched_by = None
    keys: list[str] = []
    if force != "name" and len(text) >= MIN_GUID_PREFIX and _HEX.fullmatch(text):
        keys = [g for g in by_guid if _guid_matches(text, g)]
        matched_by = "guid" if keys else None
    if not keys and force != "guid":
        needle = text.casefold()
        keys = [g for g, rs in by_guid.items()
                if any(needle in str(r[PLAYER_COL["name"]]).casefold() for r in rs)]  # fmt: skip
        matched_by = "name" if keys else None
    if not keys:
        return PlayerLookup(query=text, matched_by=None)
    if len(keys) > 1:
        cands = sorted(
            (PlayerCandidate(g, _names(by_guid[g]), len({r[0] for r in by_guid[g]}))
             for g in keys),
            key=lambda c: (-c.rounds, c.guid),
        )  # fmt: skip
        return PlayerLookup(query=text, matched_by=matched_by, candidates=tuple(cands))
    starts = {r.id: r.round_start_unix for r in store.rounds()}
    return PlayerLookup(query=text, matched_by=matched_by,
                        totals=_totals(keys[0], by_guid[keys[0]], starts))  # fmt: skip


@frozen
class StoreStatus:
    """What is in the store."""

    url: str
    """The store URL with any password masked."""
    schema_version: int
    rounds: int
    player_lines: int
    artifacts: dict[str, int]
    """Archived artifacts per status (``accepted``, ``rejected``, ``pending``)."""
    verdicts: dict[str, int]
    """Stored reconciliation verdicts per round (``agree``, ``explained``, ``conflict``...)."""


def redact_url(url: str) -> str:
    """The store URL without its password (:func:`etstats.storage.registry.redact_url`)."""
    from etstats.storage.registry import redact_url as redact

    return redact(url)


def store_status(store: Storage) -> StoreStatus:
    """Schema version and row counts of the store."""
    arts = Counter(a.status for a in store.artifacts())
    verdicts = Counter(str(r[1]) for r in store.table_rows("reconciliations"))
    return StoreStatus(
        url=redact_url(str(store.url)), schema_version=store.schema_version(),
        rounds=len(store.rounds()), player_lines=len(player_rows(store)),
        artifacts=dict(sorted(arts.items())), verdicts=dict(sorted(verdicts.items())),
    )  # fmt: skip
