"""Adapters: the source readings (:mod:`etstats.reconciliation.readings`) of parsed artifacts.

A stats round (optionally differenced against its round 1), a gametimes v1 file or a legacy
(slomix) gametimes file becomes a :class:`~etstats.reconciliation.readings.StatsReading` or a
:class:`~etstats.reconciliation.readings.LuaReading`, every time in seconds. The per-player records
are built through :func:`etstats.reconciliation.fast.builder` classes: a round has about 20 of
them, rebuilt for every round reconciled.
"""

from __future__ import annotations

import attrs

from etstats.model.gametimes import Gametimes, KillKind
from etstats.model.legacy_gametimes import LegacyGametimes
from etstats.model.stats import PlayerStats, StatsRound
from etstats.reconciliation.fast import builder
from etstats.reconciliation.readings import (
    DeathRecord,
    LuaPlayerReading,
    LuaReading,
    StatsPlayerReading,
    StatsReading,
)

_ENEMY = KillKind.ENEMY.value
_STATS_ROUND = builder(StatsReading)
_STATS_PLAYER = builder(StatsPlayerReading)
_LUA_ROUND = builder(LuaReading)
_LUA_PLAYER = builder(LuaPlayerReading)


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
    o = _STATS_PLAYER()
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
    o = _STATS_ROUND()  # StatsReading(...), built field by field and sealed
    o.name = name or (prov.name if prov is not None else "<memory>")
    o.map = prov.file_map if prov is not None and prov.file_map else h.map_name
    o.round = rnd.round_number
    o.time = prov.file_timestamp if prov is not None else None
    o.limit_s = h.time_limit_seconds
    o.clock_s = h.clock_seconds
    o.playtime_ms = h.playtime_ms
    o.winner = h.winner_team
    o.defender = h.defender_team
    o.header_fields = h.field_count
    o.layout = rnd.tab_layout
    o.players = players
    o.r1_name = r1_name
    o.__class__ = StatsReading
    return o  # type: ignore[no-any-return]


def v1_reading(g: Gametimes, *, name: str) -> LuaReading:
    """Reading of a gametimes v1 file (every value exact to the millisecond)."""
    players: list[LuaPlayerReading] = []
    for p in g.players:
        # DeathRecord (dead_s, paused_s, closed_by, kind, killer) as plain tuples (see
        # LuaDeath); StrEnum members are str: no .value lookup
        detail = tuple([(d.dead_ms / 1000, d.paused_ms / 1000, d.closed_by, d.kind,
                         d.killer_guid) for d in p.deaths_detail])
        raw_name = p.name
        lp = _LUA_PLAYER()  # built field by field and sealed (fast.builder)
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
    end = g.end
    o = _LUA_ROUND()  # LuaReading(...), built field by field and sealed
    o.name = name
    o.kind = "gametimes"
    o.map = g.map
    o.round = g.round
    o.start_unix = g.round_start_unix
    o.end_unix = g.round_end_unix
    o.play_s = g.play_ms / 1000
    o.pause_s = g.pause_total_ms / 1000
    o.pause_count = len(g.pauses)
    o.end_reason = end.reason.value
    o.winner = end.winner
    o.defender = end.defender
    o.surrender_team = end.surrender_team
    o.limit_s = g.timelimit_ms / 1000 if g.timelimit_ms > 0 else None
    o.limbo_axis_s = g.limbo_ms.axis / 1000 or None
    o.limbo_allies_s = g.limbo_ms.allies / 1000 or None
    o.players = tuple(players)
    o.version = None
    o.roster = ()
    o.pause_events_s = tuple([p.duration_ms / 1000 for p in g.pauses])
    o.__class__ = LuaReading
    return o  # type: ignore[no-any-return]


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


__all__ = ["enemy_intervals_by_killer", "legacy_reading", "stats_reading", "v1_reading"]
