"""Read-only questions a Discord bot asks an etstats store (no discord import here).

Every function takes an open :class:`etstats.storage.base.Storage` and uses only its typed read
API (:mod:`etstats.queries`: ``list_rounds``, ``round_detail``, ``find_players``, ``career``,
``store_counts``...), so it works on every backend and never reads a whole table. The functions
block: an async caller runs them in a thread (:func:`asyncio.to_thread`).

Units: times are Unix seconds (UTC); ``*_minutes`` values are minutes as the stats file wrote
them (one decimal) and the matching ``*_seconds`` properties convert them (x60, rounded to whole
seconds). A user-facing problem (unknown round, nothing to reconcile) raises
:class:`QueryError`, whose message is safe to show in chat.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from etstats.errors import EtStatsError
from etstats.model.common import Team, strip_colours
from etstats.queries.types import PlayerLine, RoundSummary
from etstats.storage.base import ROUND_TABLES, Row, Storage, StoredRound

MAX_LAST = 25
"""Most rounds ``latest_rounds`` returns (one embed field each)."""
MIN_GUID_PREFIX = 4
"""Shortest hexadecimal query treated as a GUID prefix."""
SORT_KEYS = ("kills", "damage")
"""Scoreboard orders: enemy kills or damage given (both descending)."""

PLAYER_COL = {name: i for i, name in enumerate(ROUND_TABLES["player_round_stats"])}
"""Column positions of :meth:`Storage.table_rows` player rows (kept for old callers; the
functions here read typed :class:`etstats.queries.types.PlayerLine` objects instead)."""


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
        round_id=rnd.id,
        map_name=rnd.map_name,
        round_number=rnd.round_number,
        start_unix=rnd.round_start_unix,
        start_source=rnd.start_source,
        winner=team_name(rnd.winner_team),
        players=players,
        sources=tuple(rnd.linked),
        values_scope=rnd.values_scope,
    )


def summary_line(rnd: RoundSummary) -> RoundLine:
    """:class:`RoundLine` of a typed :class:`etstats.queries.types.RoundSummary`."""
    return RoundLine(
        round_id=rnd.id,
        map_name=rnd.map_name,
        round_number=rnd.round_number,
        start_unix=rnd.start_unix,
        start_source=rnd.start_source,
        winner=team_name(rnd.winner_team),
        players=rnd.players,
        sources=rnd.sources,
        values_scope=rnd.values_scope,
    )


def player_rows(store: Storage, round_ids: Sequence[int] | None = None) -> list[Row]:
    """``player_round_stats`` rows (of ``round_ids`` only, through the index, when given).
    Kept for old callers; prefer :meth:`Storage.round_detail` (typed lines)."""
    return store.table_rows("player_round_stats", round_ids)


def latest_rounds(store: Storage, n: int = 5) -> list[RoundLine]:
    """The ``n`` (1..:data:`MAX_LAST`) most recent rounds, newest first (by key time, then id)."""
    n = max(1, min(int(n), MAX_LAST))
    return [summary_line(r) for r in store.list_rounds(limit=n)]


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
    """The stored round ``round_id``.

    :raises QueryError: unknown round.
    """
    found = store.stored_round(round_id)
    if found is None:
        raise QueryError(f"round {round_id} is not in the store")
    return found


def _score_line(line: PlayerLine) -> ScoreLine:
    return ScoreLine(
        name=line.name,
        guid=line.guid,
        team=team_name(line.team),
        kills=line.kills,
        deaths=line.deaths,
        damage_given=line.damage_given,
        time_played_minutes=line.time_played_minutes,
        time_dead_minutes=line.time_dead_minutes,
        values_scope=line.values_scope,
    )


def round_scoreboard(store: Storage, round_id: int, sort: str = "kills") -> Scoreboard:
    """Round ``round_id``'s players, by ``sort`` (``kills`` or ``damage``) descending, then name.

    :raises QueryError: unknown round or sort key.
    """
    if sort not in SORT_KEYS:
        raise QueryError(f"sort by one of: {', '.join(SORT_KEYS)}")
    detail = store.round_detail(round_id)
    if detail is None:
        raise QueryError(f"round {round_id} is not in the store")
    lines = [_score_line(p) for p in detail.players]

    def key(p: ScoreLine) -> tuple[int, int, str]:
        first = p.kills if sort == "kills" else (p.damage_given or 0)
        second = (p.damage_given or 0) if sort == "kills" else p.kills
        return (-first, -second, p.name.casefold())

    lines.sort(key=key)
    return Scoreboard(round=summary_line(detail.round), sort=sort, players=tuple(lines))


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


def _totals(store: Storage, guid: str) -> PlayerTotals | None:
    career = store.career(guid)
    if career is None:
        return None
    t = career.totals
    return PlayerTotals(
        guid=career.player.guid,
        names=career.names,
        rounds=t.rounds,
        kills=t.kills,
        deaths=t.deaths,
        damage_given=t.damage_given,
        time_played_minutes=t.time_played_minutes,
        time_dead_minutes=t.time_dead_minutes,
        cumulative_rows=career.cumulative_lines,
        first_unix=career.first_unix or 0,
        last_unix=career.last_unix or 0,
    )


def player_totals(store: Storage, query: str) -> PlayerLookup:
    """Totals of the player ``query`` names: a GUID prefix (at least :data:`MIN_GUID_PREFIX`
    hex characters; a full 32-character GUID matches its 8-character stats prefix), else a
    case-insensitive substring of the clean name, or ``discord:<user id>`` (a linked account).
    ``guid:`` or ``name:`` in front forces one reading. A query matching several players
    returns the candidates instead of totals. Merged GUIDs count as one player.

    :raises QueryError: empty query.
    """
    text = strip_colours(query).strip()
    if not text or (text.partition(":")[1] and not text.partition(":")[2].strip()):
        raise QueryError("give a GUID prefix or part of a player name")
    match = store.find_players(text)
    if not match.players:
        return PlayerLookup(query=match.query, matched_by=None)
    if len(match.players) > 1:
        cands = []
        for ref in match.players:
            career = store.career(ref.guid)
            cands.append(
                PlayerCandidate(
                    ref.guid,
                    career.names if career else (ref.name,),
                    career.totals.rounds if career else 0,
                )
            )
        cands.sort(key=lambda c: (-c.rounds, c.guid))
        return PlayerLookup(query=match.query, matched_by=match.matched_by, candidates=tuple(cands))
    return PlayerLookup(
        query=match.query, matched_by=match.matched_by, totals=_totals(store, match.players[0].guid)
    )


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
    """Schema version and row counts of the store (SQL ``COUNT`` queries)."""
    counts = store.store_counts()
    return StoreStatus(
        url=redact_url(str(store.url)),
        schema_version=store.schema_version(),
        rounds=counts.rounds,
        player_lines=counts.player_lines,
        artifacts=dict(sorted(counts.artifacts.items())),
        verdicts=dict(sorted(counts.verdicts.items())),
    )
