"""Source readings: what each artifact says, in one unit system (seconds), source-neutral.

The rules in :mod:`etstats.reconcile.rules` compare these small records, never the parser
models, so they can be tested on hand-built values and stay independent of file formats.
Adapters build them from a stats round (optionally differenced against its round 1), a legacy
gametimes file or a gametimes v1 file.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from attrs import frozen

from etstats.model.gametimes import ClosedBy, Gametimes, KillKind
from etstats.model.legacy_gametimes import LegacyGametimes
from etstats.model.stats import PlayerStats, StatsRound
from etstats.reconcile.fast import builder


@frozen
class StatsPlayerReading:
    """One stats-file player line, per-round values (round 2 differenced when possible)."""

    key: str
    """GUID8 upper-cased."""
    name: str
    team: int
    bot: bool
    layout: int | None
    dead_s: float | None
    """TAB[25] * 60 (per round in every file)."""
    played_s: float | None
    """TAB[22] * 60, this round only (R2: differenced)."""
    alive_percent: float | None
    """TAB[8] for this round only (R2: recomputed by the differential)."""
    denied_s: int | None
    """TAB[28] whole seconds (None when the layout has no reliable denied time)."""
    weapon_deaths: int
    self_kills: int | None
    times_revived: int | None
    kills: int
    raw_played_s: float | None = None
    """TAB[22] * 60 as written (cumulative in round 2)."""
    raw_dead_ratio: float | None = None
    """TAB[24] as written (percent)."""
    raw_kd: float | None = None
    """TAB[26] as written."""
    raw_kills: int = 0
    raw_deaths: int = 0
    """Weapon kills/deaths as written (cumulative in round 2)."""
    differenced: bool = False
    """Round-2 values obtained by subtracting round 1 (resolution doubled)."""
    team_kills: int | None = None
    """TAB[6] this round: team mates this player killed."""
    raw_alive_percent: float | None = None
    """TAB[8] as written (cumulative ratio in round 2)."""
    prior_played_s: float | None = None
    """Round 2 only: the round-1 file's TAB[22] * 60 for the same GUID."""
    prior_alive_percent: float | None = None
    """Round 2 only: the round-1 file's TAB[8]."""


@frozen
class StatsReading:
    name: str
    map: str
    round: int
    time: datetime | None
    """File-name time: naive server-local wall clock."""
    limit_s: int | None
    clock_s: int | None
    playtime_ms: int | None
    winner: int
    defender: int
    header_fields: int
    layout: int | None
    players: tuple[StatsPlayerReading, ...]
    r1_name: str | None = None

    @property
    def overcount_version(self) -> bool:
        """True for c0rnp0rn 3/7 and older (8-field header): TAB[25]/TAB[24] overcount."""
        return self.header_fields < 9


class LuaDeath(NamedTuple):
    """One closed dead interval from gametimes v1 (seconds): the fields of a :data:`DeathRecord`.

    :func:`v1_reading` stores plain tuples in this field order (a v1 round has about 100
    deaths, rebuilt for every round reconciled, and a tuple display costs a fraction of a
    named tuple's constructor); the rules unpack them by position, so a ``LuaDeath`` (handy
    in hand-built readings) works as well.
    """

    dead_s: float
    paused_s: float
    closed_by: str
    kind: str
    killer: str | None


DeathRecord = tuple[float, float, str, str, str | None]
"""(dead_s, paused_s, closed_by, kind, killer): see :class:`LuaDeath`."""


@frozen
class LuaPlayerReading:
    guid: str | None
    name: str
    team: int
    deaths: int
    spawns: int
    dead_s: float
    revives: int | None = None
    denied_s: float | None = None
    played_s: float | None = None
    self_kills: int | None = None
    kills: int | None = None
    disconnects: int | None = None
    team_changes: int | None = None
    connected_at_end: bool | None = None
    max_respawn_s: float | None = None
    deaths_detail: tuple[DeathRecord, ...] | None = None
    """v1 only: every death as (dead_s, paused_s, closed_by, kind, killer) (:class:`LuaDeath`)."""

    @property
    def key(self) -> str | None:
        return None if not self.guid else self.guid[:8].upper()


@frozen
class LuaReading:
    name: str
    kind: str
    """``gametimes`` (v1) or ``gametimes-legacy``."""
    map: str
    round: int
    start_unix: int
    end_unix: int
    play_s: float
    pause_s: float
    pause_count: int
    end_reason: str | None
    winner: int | None
    defender: int | None
    surrender_team: int | None
    limit_s: float | None
    limbo_axis_s: float | None
    limbo_allies_s: float | None
    players: tuple[LuaPlayerReading, ...]
    version: tuple[int, int, int] | None = None
    roster: tuple[tuple[str | None, str, int], ...] = ()
    """(guid, name, team) of the teams at round end (legacy payload), else ()."""
    pause_events_s: tuple[float, ...] | None = None

    @property
    def clock_mixing(self) -> bool:
        """slomix v1.6.0-1.6.2: spawn/death intervals mix two clocks (unusable)."""
        return self.kind == "gametimes-legacy" and (
            self.version is not None and (1, 6, 0) <= self.version < (1, 6, 3)
        )

    @property
    def pause_in_dead(self) -> bool:
        """Whether the Lua dead time includes pause time (slomix: level.time keeps running)."""
        return self.kind == "gametimes-legacy"

    def limbo_for(self, team: int) -> float | None:
        return self.limbo_axis_s if team == 1 else self.limbo_allies_s if team == 2 else None


_ENEMY = KillKind.ENEMY.value


_STATS_PLAYER = builder(StatsPlayerReading)
_LUA_PLAYER = builder(LuaPlayerReading)
_new = object.__new__


def _stats_player(
    p: PlayerStats, raw: PlayerStats | None, differenced: bool, prior: PlayerStats | None
) -> StatsPlayerReading:
    # built field by field and sealed (fast.builder): the attrs __init__ of this 23-field
    # record cost more than the rest of the adapter
    tab = p.tab
    ptab = prior.tab if prior is not None else None
    rtab = raw.tab if raw is not None else tab
    kills = deaths = 0
    for w in p.weapons:  # p.kills and p.deaths in one pass
        kills += w.kills
        deaths += w.deaths
    raw_name = p.raw_name
    o = _new(_STATS_PLAYER)
    o.key = p.guid.upper()
    o.name = raw_name if "^" not in raw_name else p.name  # p.name strips colour codes
    o.team = p.team
    o.bot = p.is_bot
    o.weapon_deaths = deaths
    o.kills = kills
    if raw is not None:
        o.raw_kills, o.raw_deaths = raw.kills, raw.deaths
    else:
        o.raw_kills, o.raw_deaths = kills, deaths
    o.differenced = differenced
    if tab is None:
        o.layout = o.dead_s = o.played_s = o.alive_percent = o.denied_s = None
        o.self_kills = o.times_revived = o.team_kills = None
    else:
        layout = tab.layout
        o.layout = layout
        o.dead_s = tab.time_dead_minutes * 60
        o.played_s = tab.time_played_minutes * 60
        o.alive_percent = tab.time_played_percent
        o.denied_s = tab.denied_playtime if layout in (37, 38) else None
        o.self_kills = tab.self_kills
        o.times_revived = tab.times_revived
        o.team_kills = tab.team_kills
    if rtab is None:  # the cumulative (raw) line has no TAB block
        o.raw_played_s = o.raw_dead_ratio = o.raw_kd = o.raw_alive_percent = None
    else:
        o.raw_played_s = rtab.time_played_minutes * 60
        o.raw_dead_ratio = rtab.time_dead_ratio
        o.raw_kd = rtab.kd_ratio
        o.raw_alive_percent = rtab.time_played_percent
    if ptab is None:
        o.prior_played_s = o.prior_alive_percent = None
    else:
        o.prior_played_s = ptab.time_played_minutes * 60
        o.prior_alive_percent = ptab.time_played_percent
    o.__class__ = StatsPlayerReading
    return o  # type: ignore[no-any-return]


def stats_reading(
    rnd: StatsRound,
    *,
    name: str | None = None,
    raw: StatsRound | None = None,
    r1: StatsRound | None = None,
    r1_name: str | None = None,
) -> StatsReading:
    """Reading of a stats round. ``rnd`` holds per-round values (an R2 differenced by
    :func:`etstats.differential.round2_differential`); ``raw`` is the file as written when
    ``rnd`` was differenced."""
    prov = rnd.provenance or (raw.provenance if raw is not None else None)
    raw_by_key: dict[str, PlayerStats] = {}
    if raw is not None:
        for rp in raw.players:
            raw_by_key.setdefault(rp.guid.upper(), rp)
    prior_by_key: dict[str, PlayerStats] = {}
    for pp in r1.players if r1 is not None else ():
        prior_by_key.setdefault(pp.guid.upper(), pp)
    differenced = raw is not None
    players = tuple(
        _stats_player(
            p,
            raw_by_key.get(p.guid.upper()) if differenced else None,
            differenced,
            prior_by_key.get(p.guid.upper()) if differenced else None,
        )
        for p in rnd.players
    )
    h = rnd.header
    return StatsReading(
        name=name or (prov.name if prov is not None else "<memory>"),
        map=(prov.file_map if prov is not None and prov.file_map else h.map_name),
        round=rnd.round_number,
        time=prov.file_timestamp if prov is not None else None,
        limit_s=h.time_limit_seconds,
        clock_s=h.clock_seconds,
        playtime_ms=h.playtime_ms,
        winner=h.winner_team,
        defender=h.defender_team,
        header_fields=h.field_count,
        layout=rnd.tab_layout,
        players=players,
        r1_name=r1_name,
    )


def v1_reading(g: Gametimes, *, name: str) -> LuaReading:
    """Reading of a gametimes v1 file (every value exact to the millisecond)."""
    players: list[LuaPlayerReading] = []
    for p in g.players:
        # DeathRecord (dead_s, paused_s, closed_by, kind, killer) as plain tuples (see
        # LuaDeath); StrEnum members are str: no .value lookup
        detail = tuple([(d.dead_ms / 1000, d.paused_ms / 1000, d.closed_by, d.kind,
                         d.killer_guid) for d in p.deaths_detail])
        raw_name = p.name
        lp = _new(_LUA_PLAYER)  # built field by field and sealed (fast.builder)
        lp.guid = p.guid
        lp.name = raw_name if "^" not in raw_name else p.clean_name  # no colour code
        lp.team = p.team
        lp.deaths = p.deaths
        lp.spawns = p.spawns
        lp.dead_s = p.dead_ms / 1000
        lp.revives = p.revives
        lp.denied_s = p.denied_ms / 1000
        lp.played_s = (p.time_axis_ms + p.time_allies_ms) / 1000
        lp.self_kills = p.self_kills
        lp.kills = p.kills
        lp.disconnects = p.disconnects
        lp.team_changes = p.team_changes
        lp.connected_at_end = p.connected_at_end
        lp.max_respawn_s = None
        lp.deaths_detail = detail
        lp.__class__ = LuaPlayerReading
        players.append(lp)
    return LuaReading(
        name=name,
        kind="gametimes",
        map=g.map,
        round=g.round,
        start_unix=g.round_start_unix,
        end_unix=g.round_end_unix,
        play_s=g.play_ms / 1000,
        pause_s=g.pause_total_ms / 1000,
        pause_count=len(g.pauses),
        end_reason=g.end.reason.value,
        winner=g.end.winner,
        defender=g.end.defender,
        surrender_team=g.end.surrender_team,
        limit_s=g.timelimit_ms / 1000 if g.timelimit_ms > 0 else None,
        limbo_axis_s=g.limbo_ms.axis / 1000 or None,
        limbo_allies_s=g.limbo_ms.allies / 1000 or None,
        players=tuple(players),
        pause_events_s=tuple(p.duration_ms / 1000 for p in g.pauses),
    )


def legacy_reading(g: LegacyGametimes, *, name: str) -> LuaReading:
    """Reading of a slomix gametimes file (whole seconds; heuristic end reason)."""
    m = g.meta
    w = g.payload
    players = tuple(
        LuaPlayerReading(
            guid=s.guid or None,
            name=s.name,
            team=0,
            deaths=s.deaths,
            spawns=s.spawns,
            dead_s=float(s.dead_seconds),
            max_respawn_s=float(s.max_respawn),
        )
        for s in m.spawn_stats
    )
    roster: list[tuple[str | None, str, int]] = []
    if w is not None:
        for team, members in ((1, w.axis), (2, w.allies)):
            for mem in members or ():
                roster.append((mem.guid, mem.name, team))
    team_of = {g_: t for g_, _, t in roster if g_}
    players = tuple(
        p if p.guid not in team_of else _with_team(p, team_of[p.guid]) for p in players
    )
    limit = None
    if w is not None and w.timelimit_minutes:
        limit = w.timelimit_minutes * 60
    pauses = None
    if w is not None and w.pauses is not None:
        pauses = tuple(float(p.seconds) for p in w.pauses)
    return LuaReading(
        name=name,
        kind="gametimes-legacy",
        map=m.map,
        round=m.round if m.round in (1, 2) else 2,
        start_unix=m.round_start_unix,
        end_unix=m.round_end_unix,
        play_s=float(m.actual_duration_seconds),
        pause_s=float(m.pause_seconds or 0),
        pause_count=m.pause_count or 0,
        end_reason=None if w is None else w.end_reason,
        winner=None if w is None else w.winner,
        defender=None if w is None else w.defender,
        surrender_team=None if w is None else w.surrender_team,
        limit_s=limit,
        limbo_axis_s=None,
        limbo_allies_s=None,
        players=players,
        version=g.version,
        roster=tuple(roster),
        pause_events_s=pauses,
    )


def _with_team(p: LuaPlayerReading, team: int) -> LuaPlayerReading:
    import attrs

    return attrs.evolve(p, team=team)


def enemy_intervals_by_killer(lua: LuaReading) -> dict[str, list[DeathRecord]]:
    """v1 only: each killer GUID's enemy-kill victim intervals (denied time sources)."""
    out: dict[str, list[DeathRecord]] = {}
    enemy = _ENEMY
    for p in lua.players:
        for d in p.deaths_detail or ():
            killer = d[4]  # (dead_s, paused_s, closed_by, kind, killer)
            if d[3] == enemy and killer:
                out.setdefault(killer, []).append(d)
    return out


CLOSED_DISCONNECT = ClosedBy.DISCONNECT.value
CLOSED_SPECTATOR = ClosedBy.SPECTATOR.value
CLOSED_ROUND_END = ClosedBy.ROUND_END.value

__all__ = [
    "DeathRecord",
    "LuaDeath",
    "LuaPlayerReading",
    "LuaReading",
    "StatsPlayerReading",
    "StatsReading",
    "enemy_intervals_by_killer",
    "legacy_reading",
    "stats_reading",
    "v1_reading",
]
