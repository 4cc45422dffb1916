"""Typed results of the store's read API (rounds, map results, sessions, careers, ladders).

Every value a caller reads is a named attribute; nothing is a positional tuple. Units are in the
names: ``*_unix`` are Unix seconds (UTC), ``*_seconds`` seconds, ``*_minutes`` minutes as the
stats file wrote them (one decimal). Team numbers are the engine's (1 Axis, 2 Allies).

A *player* is a canonical GUID: the GUID itself, or the main GUID an alt GUID was merged into
(see :class:`IdentityLink`). Every aggregate groups by the canonical GUID.
"""

from __future__ import annotations

from typing import Any

from attrs import field, frozen


@frozen
class PlayerRef:
    """A player named by canonical GUID with the name to show."""

    guid: str
    """Canonical GUID (upper case, as the stats file wrote it: 8 characters)."""
    name: str
    """Preferred display name if one is set, else the clean name used most often: in the rounds
    at hand for a session or a map (the name of that evening), over every line elsewhere."""


@frozen
class RoundSummary:
    """One stored round in a list (no player lines)."""

    id: int
    server: str
    map_name: str
    round_number: int
    start_unix: int
    """The round's key time: the Lua start, else the stats/endstats file-name time."""
    start_source: str
    end_unix: int | None
    winner_team: int | None
    """Header (or Lua) winner: 1 Axis, 2 Allies, 0 none."""
    defender_team: int | None
    time_limit_seconds: int | None
    """Header f7 (in a round 2: round 1's clock)."""
    clock_seconds: int | None
    """Header f8, the stopwatch clock (not a measurement)."""
    players: int
    """Player lines stored for the round."""
    sources: tuple[str, ...]
    """Linked artifact kinds: ``stats``, ``lua``, ``endstats``."""
    values_scope: str | None
    """``round``, ``cumulative_r1_r2`` (orphan round 2) or ``None`` (no stats file)."""
    r1_round_id: int | None
    verdict: str | None
    """Stored reconciliation verdict (``agree`` ... ``conflict``), ``None`` if not reconciled."""
    reconcile_errors: int | None = None
    """Error-level comparisons of the stored reconciliation (``None`` if not reconciled)."""


@frozen
class PlayerLine:
    """One player's stored line of a round (a paired round 2: that round's values only)."""

    guid: str
    """GUID as written in the file."""
    player_guid: str
    """Canonical GUID after merges."""
    name: str
    raw_name: str
    team: int
    kills: int
    deaths: int
    damage_given: int | None
    damage_received: int | None
    team_damage_given: int | None
    team_damage_received: int | None
    gibs: int | None
    self_kills: int | None
    team_kills: int | None
    xp: int | None
    headshot_kills: int | None
    revives_given: int | None
    times_revived: int | None
    time_played_minutes: float | None
    time_dead_minutes: float | None
    denied_playtime_seconds: int | None
    values_scope: str
    tab: dict[str, Any] = field(factory=dict, eq=False, hash=False)
    """Every TAB field of the line by ``etstats parse`` name (empty without a TAB block)."""

    @property
    def time_played_seconds(self) -> int | None:
        """:attr:`time_played_minutes` in whole seconds."""
        m = self.time_played_minutes
        return None if m is None else round(m * 60)

    @property
    def time_dead_seconds(self) -> int | None:
        """:attr:`time_dead_minutes` in whole seconds."""
        m = self.time_dead_minutes
        return None if m is None else round(m * 60)


@frozen
class Award:
    """One endstats award line."""

    name: str
    player_name: str
    value_text: str
    value: float | None


@frozen
class AwardCount:
    """How often one player won one endstats award over some rounds."""

    name: str
    player_name: str
    times: int


@frozen
class RoundDetail:
    """A round with its players (in file order), verdict and awards."""

    round: RoundSummary
    players: tuple[PlayerLine, ...]
    awards: tuple[Award, ...] = ()
    timezone: str = "UTC"
    """IANA timezone of the server's file-name times."""


@frozen
class SideRoster:
    """One side of a stopwatch map or a session: a group of players, not a team colour."""

    label: str
    """``A`` (attacked first in the first map) or ``B``."""
    players: tuple[PlayerRef, ...]
    """Players with the most time on this side (regulars), by name."""
    substitutes: tuple[PlayerRef, ...] = ()
    """Players who played for this side in only part of its rounds/maps."""


@frozen
class MapResult:
    """A stopwatch map: a round 1 and its round 2 (rules in docs/sessions.md)."""

    map_name: str
    server: str
    r1_round_id: int | None
    """``None`` for an orphan round 2 (its values hold both rounds)."""
    r2_round_id: int | None
    """``None`` while the round 2 is missing (``outcome`` is then ``incomplete``)."""
    start_unix: int
    end_unix: int
    first_attack_team: int | None
    """Engine team that attacked in round 1 (the non-defending team)."""
    time_limit_seconds: int | None
    """Round 1's time limit."""
    r1_seconds: int | None
    """Time side A set in round 1 (the clock); equals the limit on a full hold."""
    r1_full_hold: bool | None
    r2_seconds: int | None
    """Side B's attack time in round 2 (``None`` when the file's clock is unusable)."""
    r2_full_hold: bool | None
    outcome: str
    """``beaten`` (round-2 attackers completed: they beat the time, or broke a round-1 full hold),
    ``held`` (round-1 attackers win: the round-2 attack failed),
    ``double_full_hold`` (neither side completed: a draw) or ``incomplete`` (no round 2)."""
    winner: str | None
    """``A``, ``B`` or ``None`` (draw / incomplete)."""
    side_a: SideRoster
    side_b: SideRoster
    header_winner: str | None
    """Side the round-2 header's winner field names (``None`` without a round 2 header)."""
    notes: tuple[str, ...] = ()
    """Where the header disagrees with the times, surrender suspicions, unusable clocks."""


@frozen
class SessionSummary:
    """A gaming session in a list (``etstats sessions``)."""

    id: int
    """The session's start (Unix seconds); unique per server."""
    server: str
    start_unix: int
    end_unix: int
    round_ids: tuple[int, ...]
    maps: tuple[str, ...]
    """Map names in play order (one per round 1, or per orphan round 2)."""
    players: tuple[PlayerRef, ...]


@frozen
class StatTotals:
    """Summed parts of a set of player lines; rates are ratios of the sums."""

    rounds: int = 0
    time_played_minutes: float = 0.0
    time_dead_minutes: float = 0.0
    kills: int = 0
    deaths: int = 0
    damage_given: int = 0
    damage_received: int = 0
    team_damage_given: int = 0
    team_damage_received: int = 0
    gibs: int = 0
    self_kills: int = 0
    team_kills: int = 0
    xp: int = 0
    headshot_kills: int = 0
    revives_given: int = 0
    times_revived: int = 0
    denied_playtime_seconds: int = 0
    hits: int = 0
    """Weapon hits (sum over weapon lines)."""
    shots: int = 0
    headshots: int = 0
    """Weapon headshot hits."""
    objectives: int = 0
    """Objectives stolen + returned + dynamites planted + defused (TAB)."""
    kill_assists: int = 0
    """TAB kill assists."""

    @property
    def kd(self) -> float | None:
        """Kills per death; ``None`` with no deaths."""
        return None if self.deaths == 0 else self.kills / self.deaths

    @property
    def dpm(self) -> float | None:
        """Damage given per minute played."""
        if self.time_played_minutes <= 0:
            return None
        return self.damage_given / self.time_played_minutes

    @property
    def accuracy(self) -> float | None:
        """Hits / shots, 0..1."""
        return None if self.shots == 0 else self.hits / self.shots

    @property
    def headshot_share(self) -> float | None:
        """Headshot hits / hits, 0..1."""
        return None if self.hits == 0 else self.headshots / self.hits

    @property
    def dead_share(self) -> float | None:
        """Time dead / time played, 0..1 (see docs/reconcile.md on c0rnp0rn 3/7 overcount)."""
        if self.time_played_minutes <= 0:
            return None
        return self.time_dead_minutes / self.time_played_minutes


@frozen
class PlayerTotals:
    """A player's totals over some rounds (a session, a map, a window)."""

    player: PlayerRef
    totals: StatTotals


@frozen
class MapTotals:
    map_name: str
    totals: StatTotals


@frozen
class WeaponTotals:
    weapon_index: int
    weapon: str
    """Weapon name (:data:`etstats.model.stats.WEAPON_NAMES`)."""
    hits: int
    shots: int
    kills: int
    deaths: int
    headshots: int

    @property
    def accuracy(self) -> float | None:
        return None if self.shots == 0 else self.hits / self.shots


@frozen
class Window:
    """A time window over rounds' key times: ``[since_unix, until_unix)``; ``None`` is open."""

    since_unix: int | None = None
    until_unix: int | None = None
    session_id: int | None = None
    """Restrict to one session (its id) instead of a time range."""
    server: str | None = None

    @classmethod
    def last_days(cls, days: float, now_unix: int) -> Window:
        """The ``days`` days up to ``now_unix``."""
        return cls(since_unix=now_unix - round(days * 86400), until_unix=None)

    @property
    def is_all_time(self) -> bool:
        return self.since_unix is None and self.until_unix is None and self.session_id is None


@frozen
class IdentityLink:
    """One identity fact: an alt GUID merged into a player, a preferred name, or an external
    account (``discord``) linked to a player."""

    kind: str
    """``guid`` (alt GUID merged), ``name`` (preferred display name) or an external account
    kind such as ``discord``."""
    value: str
    """The alt GUID, the name, or the external id."""
    player_guid: str
    """The canonical GUID it belongs to."""
    created_unix: int


@frozen
class Career:
    """A player's career (all-time or windowed)."""

    player: PlayerRef
    guids: tuple[str, ...]
    """Every GUID counted (the canonical one first, then merged alts)."""
    names: tuple[str, ...]
    """Clean names seen, most used first."""
    window: Window
    totals: StatTotals
    by_map: tuple[MapTotals, ...] = ()
    by_weapon: tuple[WeaponTotals, ...] = ()
    first_unix: int | None = None
    last_unix: int | None = None
    links: tuple[IdentityLink, ...] = ()
    cumulative_lines: int = 0
    """Counted lines whose values are not one round's (an orphan round 2's R1+R2 totals, or a
    round-2 line kept as written)."""


@frozen
class Session:
    """A gaming session: consecutive rounds of one server with gaps below the threshold."""

    id: int
    server: str
    start_unix: int
    end_unix: int
    gap_minutes: float
    """Threshold used to split sessions (minutes)."""
    round_ids: tuple[int, ...]
    maps: tuple[MapResult, ...]
    side_a: SideRoster
    side_b: SideRoster
    score_a: int
    """Maps won by side A."""
    score_b: int
    draws: int
    players: tuple[PlayerTotals, ...]
    """Per-player totals of the session, by damage given descending."""
    mvp: PlayerRef | None
    mvp_rule: str
    awards: tuple[AwardCount, ...] = ()
    """Endstats awards of the evening, most won first."""


@frozen
class PlayerMatch:
    """What a player query matched: one player, several candidates, or nothing."""

    query: str
    matched_by: str | None
    """``guid``, ``name``, ``link`` (external id) or ``None`` (no match)."""
    players: tuple[PlayerRef, ...] = ()
    """Matching players, most rounds first (one entry when unambiguous)."""


@frozen
class LeaderboardEntry:
    rank: int
    """1-based; ties share no rank (stable order: value, then rounds, then GUID)."""
    guid: str
    name: str
    value: float
    rounds: int
    time_played_minutes: float


@frozen
class Leaderboard:
    stat: str
    window: Window
    min_rounds: int
    min_minutes: float
    entries: tuple[LeaderboardEntry, ...]
    offset: int = 0


@frozen
class RecordEntry:
    """The best single round or best map for one statistic."""

    stat: str
    scope: str
    """``round`` or ``map`` (a round 1 + round 2 of one player)."""
    guid: str
    name: str
    value: float
    map_name: str
    round_ids: tuple[int, ...]
    when_unix: int


@frozen
class StoreCounts:
    """Row counts of a store (cheap ``COUNT`` queries)."""

    rounds: int
    player_lines: int
    artifacts: dict[str, int]
    """Artifacts per status."""
    verdicts: dict[str, int]
    """Reconciled rounds per verdict."""
    rounds_by_source: dict[str, int] = field(factory=dict)
    """Rounds per linked-source combination: ``with_stats``, ``with_lua``, ``with_endstats``,
    ``stats_and_lua``, ``stats_without_lua``, ``lua_without_stats``."""
    by_start_source: dict[str, int] = field(factory=dict)
    """Rounds per ``start_source`` (``lua``, ``stats-file-name``, ``endstats-file-name``)."""
    round2: dict[str, int] = field(factory=dict)
    """Stats round 2s: ``total``, ``differenced`` (against a stored round 1), ``orphans``."""
    unlinked: int = 0
    """Accepted artifacts no round references."""


@frozen
class SourceArrivals:
    """What arrived per server and source (the pipeline health)."""

    by_source: tuple[tuple[str, str, int, int, int], ...]
    """(server, artifact kind, artifacts, rejected, last receipt Unix seconds)."""
    by_server: tuple[tuple[str, int, int | None], ...]
    """(server, rounds, latest round start Unix seconds or ``None``)."""


@frozen
class LagSummary:
    """Nearest-rank percentiles of the Lua lags (seconds from a round's end to its Lua file's
    receipt, every Lua-timed round); ``None`` without lags."""

    count: int
    p50: float | None
    p95: float | None
    max: float | None


@frozen
class ArrivalFacts:
    """What arrived per source, and how the Lua files link (health views); read from counts
    kept by triggers (migrations 0015 and 0017), so flat in the size of the store."""

    by_source: tuple[tuple[str, str, int, int, int], ...]
    """(server, artifact kind, artifacts, rejected, last receipt Unix seconds)."""
    coverage: tuple[tuple[int, int, int], ...]
    """(round number, rounds with a stats file, of those with a Lua file)."""
    rounds_with_lua: int
    lua_linked_to_stats: int
    lua_lag: LagSummary
    """Seconds from each Lua-timed round's end to its Lua file's receipt."""
    rounds_by_sources: tuple[tuple[str, int], ...] = ()
    """(linked sources such as ``stats+lua``, rounds)."""
