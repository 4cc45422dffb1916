"""Adapters: the source readings (:mod:`etstats.reconciliation.readings`) of parsed artifacts.

A stats round (optionally differenced against its round 1), a gametimes v1 file or a legacy
(slomix) gametimes file becomes a :class:`~etstats.reconciliation.readings.StatsReading` or a
:class:`~etstats.reconciliation.readings.LuaReading`, every time in seconds. The per-player records
are plain ``attrs.define`` classes (see :mod:`etstats.reconciliation.readings`).
"""

from __future__ import annotations

import attrs

from etstats.model.gametimes import Gametimes, KillKind
from etstats.model.legacy_gametimes import LegacyGametimes
from etstats.model.stats import PlayerStats, StatsRound
from etstats.reconciliation.readings import (
    DeathRecord,
    LuaPlayerReading,
    LuaReading,
    StatsPlayerReading,
    StatsReading,
)

_ENEMY = KillKind.ENEMY.value


def _stats_player(
    p: PlayerStats,
    raw: PlayerStats | None,
    differenced: bool,
    prior: PlayerStats | None,
    key: str,
) -> StatsPlayerReading:
    """``key``: ``p.guid.upper()`` (the caller has it already)."""
    tab = p.tab
    ptab = prior.tab if prior is not None else None
    rtab = raw.tab if raw is not None else tab
    kills = deaths = 0
    for w in p.weapons:  # p.kills and p.deaths in one pass
        kills += w.kills
        deaths += w.deaths
    raw_name = p.raw_name
    return StatsPlayerReading(
        key=key,
        name=raw_name if "^" not in raw_name else p.name,  # p.name strips colour codes
        team=p.team,
        bot=p.is_bot,
        layout=None if tab is None else tab.layout,
        dead_s=None if tab is None else tab.time_dead_minutes * 60,
        played_s=None if tab is None else tab.time_played_minutes * 60,
        alive_percent=None if tab is None else tab.time_played_percent,
        denied_s=tab.denied_playtime if tab is not None and tab.layout in (37, 38) else None,
        weapon_deaths=deaths,
        self_kills=None if tab is None else tab.self_kills,
        times_revived=None if tab is None else tab.times_revived,
        kills=kills,
        # rtab is None: the cumulative (raw) line has no TAB block
        raw_played_s=None if rtab is None else rtab.time_played_minutes * 60,
        raw_dead_ratio=None if rtab is None else rtab.time_dead_ratio,
        raw_kd=None if rtab is None else rtab.kd_ratio,
        raw_kills=kills if raw is None else raw.kills,
        raw_deaths=deaths if raw is None else raw.deaths,
        differenced=differenced,
        team_kills=None if tab is None else tab.team_kills,
        raw_alive_percent=None if rtab is None else rtab.time_played_percent,
        prior_played_s=None if ptab is None else ptab.time_played_minutes * 60,
        prior_alive_percent=None if ptab is None else ptab.time_played_percent,
    )


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
    readings = []
    for p in rnd.players:
        key = p.guid.upper()  # once per player
        raw_p, prior_p = (
            (raw_by_key.get(key), prior_by_key.get(key)) if differenced else (None, None)
        )
        readings.append(_stats_player(p, raw_p, differenced, prior_p, key))
    players = tuple(readings)
    h = rnd.header
    return StatsReading(
        name=name or (prov.name if prov is not None else "<memory>"),
        map=prov.file_map if prov is not None and prov.file_map else h.map_name,
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
        detail = tuple(
            [
                (d.dead_ms / 1000, d.paused_ms / 1000, d.closed_by, d.kind, d.killer_guid)
                for d in p.deaths_detail
            ]
        )
        raw_name = p.name
        lp = LuaPlayerReading(
            guid=p.guid,
            name=raw_name if "^" not in raw_name else p.clean_name,  # no colour code
            team=p.team,
            deaths=p.deaths,
            spawns=p.spawns,
            dead_s=p.dead_ms / 1000,
            revives=p.revives,
            denied_s=p.denied_ms / 1000,
            played_s=(p.time_axis_ms + p.time_allies_ms) / 1000,
            self_kills=p.self_kills,
            kills=p.kills,
            disconnects=p.disconnects,
            team_changes=p.team_changes,
            connected_at_end=p.connected_at_end,
            max_respawn_s=None,
            deaths_detail=detail,
        )
        players.append(lp)
    end = g.end
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
        end_reason=end.reason.value,
        winner=end.winner,
        defender=end.defender,
        surrender_team=end.surrender_team,
        limit_s=g.timelimit_ms / 1000 if g.timelimit_ms > 0 else None,
        limbo_axis_s=g.limbo_ms.axis / 1000 or None,
        limbo_allies_s=g.limbo_ms.allies / 1000 or None,
        players=tuple(players),
        version=None,
        roster=(),
        pause_events_s=tuple([p.duration_ms / 1000 for p in g.pauses]),
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
    players = tuple(p if p.guid not in team_of else _with_team(p, team_of[p.guid]) for p in players)
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
