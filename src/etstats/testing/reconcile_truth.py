"""Rounds with known ground truth, rendered into the artifacts each source would write.

:func:`simulate` plays a stopwatch round-1 in game-clock time (deaths, revives, respawn waves,
pauses, late joins, disconnects and spectators while dead, surrenders), and the ``render_*``
functions write what each producer would have written, with its documented resolution and
defects:

* c0rnp0rn 3/7 stats file (8-field header): TAB[25]/TAB[24] with the 5-s snapshot overcount,
  pauses not subtracted; c0rnp0rn 8 (9 fields): no overcount, enemy-kill pauses subtracted;
  rendered with :func:`etstats.render.stats_file.render_stats_round`;
* slomix legacy gametimes (v1.7.2, or v1.6.1 with the clock-mixing defect): whole seconds,
  500 ms spawn polling, pauses inside dead time, open deaths tailed to round end, 90 % end
  reason heuristic; rendered with :func:`etstats.render.legacy_gametimes.render_legacy_gametimes`;
* etstats gametimes v1: exact milliseconds, serialised with :func:`etstats.serde.to_json`.

Times: ``*_s`` are seconds. ``g`` values are game-clock seconds since the round start (frozen
during pauses), ``w`` values wall-clock seconds since the round start.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

FRAME = 0.05
SNAPSHOT = 5.0


@dataclass
class Death:
    g0: float
    g1: float
    kind: str  # enemy | self | world | team
    killer: str | None
    closed_by: str  # respawn | revive | disconnect | spectator | round_end


@dataclass
class TruthPlayer:
    guid: str
    name: str
    team: int
    join_g: float = 0.0
    leave_g: float | None = None
    leave_how: str | None = None  # disconnect | spectator
    deaths: list[Death] = field(default_factory=list)
    kills: int = 0
    team_kills_made: int = 0
    quiet: bool = False
    """Never fires nor dies to a weapon: no stats-file line (mask 0)."""


@dataclass
class TruthRound:
    map: str
    start_unix: int
    utc_offset_s: int
    limit_s: int
    play_s: int
    pauses: list[tuple[float, int]]
    """(game-clock instant, duration in whole seconds) of each pause."""
    defender: int
    winner: int
    end_reason: str  # objective | time_expired | surrender
    surrender_team: int
    limbo: dict[int, float]
    players: list[TruthPlayer]
    snapshot_phase: float
    lag_s: int = 3
    port: int = 27960
    round: int = 1

    @property
    def pause_s(self) -> int:
        return sum(d for _, d in self.pauses)

    @property
    def wall_s(self) -> int:
        return self.play_s + self.pause_s

    @property
    def end_unix(self) -> int:
        return self.start_unix + self.wall_s

    def wall(self, g: float) -> float:
        """Wall seconds since the start for a game-clock instant (pauses at ``g`` before)."""
        return g + sum(d for pg, d in self.pauses if pg < g)

    def paused_in(self, g0: float, g1: float) -> float:
        return float(sum(d for pg, d in self.pauses if g0 < pg < g1))

    def team_time(self, p: TruthPlayer) -> float:
        end = p.leave_g if p.leave_g is not None else float(self.play_s)
        return max(0.0, end - p.join_g)


def _guid(rng: random.Random, prefix: str | None = None) -> str:
    tail = "".join(rng.choice("0123456789ABCDEF") for _ in range(32))
    return (prefix + tail[len(prefix):]) if prefix else tail


def simulate(seed: int, *, n_per_team: int = 3, pauses: int = 0, end: str = "objective",
             late_join: bool = False, disconnect_dead: bool = False,
             spectator_dead: bool = False, collision: bool = False, quiet: bool = False,
             team_kill: bool = False, map_name: str = "supply", start_unix: int = 1_770_843_050,
             utc_offset_s: int = 3600, after: TruthRound | None = None) -> TruthRound:
    """A round with known truth. ``end``: objective, time_expired, surrender_attackers,
    surrender_defenders, objective_late (attackers finish in the last 10 % of the limit).

    ``after``: the round 1 this round 2 follows: same map, defender and players (teams
    swapped), time limit = round 1's clock, start a few minutes after its end.
    """
    rng = random.Random(seed)
    limit = rng.choice((600, 720))
    defender = rng.choice((1, 2))
    if after is not None:
        limit = after.limit_s if after.winner == after.defender else after.play_s
        limit = max(limit, 200)
        defender, map_name = after.defender, after.map
        start_unix = after.end_unix + rng.randint(120, 600)
        utc_offset_s = after.utc_offset_s
    attacker = 3 - defender
    early = rng.randint(120, int(limit * 0.8))
    play, winner, reason, st = {
        "time_expired": (limit, defender, "time_expired", 0),
        "surrender_attackers": (early, defender, "surrender", attacker),
        "surrender_defenders": (early, attacker, "surrender", defender),
        "objective_late": (rng.randint(int(limit * 0.92), limit - 2), attacker, "objective", 0),
    }.get(end, (rng.randint(150, int(limit * 0.85)), attacker, "objective", 0))
    pz = sorted((rng.uniform(20, play - 20), rng.randint(15, 90)) for _ in range(pauses))
    limbo = {1: float(rng.choice((20, 25, 30))), 2: float(rng.choice((15, 20, 30)))}
    players: list[TruthPlayer] = []
    if after is not None:
        players = [TruthPlayer(guid=p.guid, name=p.name, team=3 - p.team) for p in after.players]
    else:
        for team in (1, 2):
            for i in range(n_per_team):
                players.append(TruthPlayer(guid=_guid(rng), name=f"P{team}{i}x{seed % 97}",
                                           team=team))
    if collision:
        players.append(TruthPlayer(guid=_guid(rng, players[0].guid[:8]),
                                   name=f"Twin{seed % 89}", team=players[0].team))
    tr = TruthRound(map=map_name, start_unix=start_unix, utc_offset_s=utc_offset_s,
                    limit_s=limit, play_s=play, pauses=pz, defender=defender, winner=winner,
                    end_reason=reason, surrender_team=st, limbo=limbo, players=players,
                    snapshot_phase=rng.uniform(0, SNAPSHOT),
                    round=2 if after is not None else 1)
    special = players[:]
    rng.shuffle(special)
    if late_join:
        special[0].join_g = float(rng.randint(30, max(31, play // 2)))
    if disconnect_dead and len(special) > 1:
        special[1].leave_g = float(rng.randint(play // 3, play - 10))
        special[1].leave_how = "disconnect"
    if spectator_dead and len(special) > 2:
        special[2].leave_g = float(rng.randint(play // 3, play - 10))
        special[2].leave_how = "spectator"
    if quiet and len(special) > 3:
        special[3].quiet = True
    for p in players:
        _play_player(rng, tr, p, team_kill)
    return tr


def _play_player(rng: random.Random, tr: TruthRound, p: TruthPlayer, team_kill: bool) -> None:
    end = p.leave_g if p.leave_g is not None else float(tr.play_s)
    enemies = [q for q in tr.players if q.team != p.team and not q.quiet]
    mates = [q for q in tr.players if q.team == p.team and q is not p and not q.quiet]
    g = p.join_g + rng.uniform(5, 40)
    while g < end - 1:
        roll = rng.random()
        if p.quiet or roll < 0.1:
            kind, killer = ("self" if rng.random() < 0.7 else "world"), None
        elif team_kill and mates and roll < 0.2:
            kind, killer = "team", rng.choice(mates)
        elif enemies:
            kind, killer = "enemy", rng.choice(enemies)
        else:
            kind, killer = "self", None
        if rng.random() < 0.3 and kind != "world":
            g1, how = g + rng.uniform(2, 12), "revive"
        else:
            wave = tr.limbo[p.team]
            g1, how = (math.floor(g / wave) + 1) * wave + FRAME, "respawn"
        if g1 >= end:
            g1, how = end, p.leave_how or "round_end"
        g0 = round(g / FRAME) * FRAME
        p.deaths.append(Death(g0, round(g1, 3), kind, killer.guid if killer else None, how))
        if killer is not None and kind == "enemy":
            killer.kills += 1
        elif killer is not None:
            killer.team_kills_made += 1
        if how in ("disconnect", "spectator", "round_end"):
            return
        g = g1 + rng.uniform(8, 60)
    if p.leave_how is not None and (not p.deaths or p.deaths[-1].closed_by not in
                                    ("disconnect", "spectator")):
        # leave while dead: die 4..9 s before leaving
        g0 = round(max(p.join_g, end - rng.uniform(4, 9)) / FRAME) * FRAME
        if not p.deaths or p.deaths[-1].g1 < g0:
            kind = "self" if p.quiet or not enemies else "enemy"
            killer = None if kind == "self" else rng.choice(enemies)
            p.deaths.append(Death(g0, end, kind, killer.guid if killer else None, p.leave_how))
            if killer is not None:
                killer.kills += 1


def local_name_time(tr: TruthRound) -> datetime:
    """Server-local time in the stats file name (naive)."""
    return (datetime.fromtimestamp(tr.end_unix + tr.lag_s, tz=UTC)
            + timedelta(seconds=tr.utc_offset_s)).replace(tzinfo=None)



# ----------------------------------------------------------------------------- rendering


def _r1(x: float) -> float:
    return math.floor(x * 10 + 0.5) / 10


def _snapshots(tr: TruthRound, w0: float, w1: float) -> float:
    """c0rnp0rn 3/7: sum over periodic snapshots inside (w0, w1) of the time since death."""
    total = 0.0
    k = math.ceil((w0 - tr.snapshot_phase) / SNAPSHOT)
    s = tr.snapshot_phase + k * SNAPSHOT
    while s < w1:
        if s > w0:
            total += s - w0
        s += SNAPSHOT
    return total


def _stats_dead(tr: TruthRound, p: TruthPlayer, fixed: bool) -> float:
    cut_w = float("inf")
    if p.leave_how == "disconnect":  # the line is the last periodic snapshot before leaving
        leave_w = tr.wall(p.leave_g or 0.0)
        cut_w = leave_w - (leave_w - tr.snapshot_phase) % SNAPSHOT
    total = 0.0
    for d in p.deaths:
        w0, w1 = tr.wall(d.g0), tr.wall(d.g1)
        if w0 >= cut_w:
            continue
        if w1 > cut_w:  # still open at the last snapshot
            total += (cut_w - w0) if fixed else _snapshots(tr, w0, cut_w + 1e-9)
            continue
        paused = tr.paused_in(d.g0, d.g1)
        if fixed:
            total += (w1 - w0) - (paused if d.kind == "enemy" else 0.0)
        else:
            total += (w1 - w0) + _snapshots(tr, w0, w1)
    return total


@dataclass
class _Engine:
    """What the engine keeps across the stopwatch restart (cumulative in a round-2 file)."""

    weapons: dict[int, list[int]]  # index -> [hits, shots, kills, deaths]
    self_kills: int
    team_kills: int
    team_s: float
    alive_s: float

    def plus(self, other: _Engine | None) -> _Engine:
        if other is None:
            return self
        weapons = {k: list(v) for k, v in other.weapons.items()}
        for k, v in self.weapons.items():
            weapons[k] = [a + b for a, b in zip(weapons.get(k, [0, 0, 0, 0]), v, strict=True)]
        return _Engine(weapons, self.self_kills + other.self_kills,
                       self.team_kills + other.team_kills, self.team_s + other.team_s,
                       self.alive_s + other.alive_s)


def _engine(tr: TruthRound, p: TruthPlayer) -> _Engine:
    by_guid = {q.guid: q for q in tr.players}
    own = 4 if p.team == 1 else 5
    weapons: dict[int, list[int]] = {own: [2 * p.kills + 1, 10 + 3 * p.kills, p.kills, 0]}
    for d in p.deaths:
        if d.kind == "enemy" and d.killer:
            w = 4 if by_guid[d.killer].team == 1 else 5
            weapons.setdefault(w, [0, 0, 0, 0])[3] += 1
    team_s = tr.team_time(p)
    cut = float("inf")
    if p.leave_how == "disconnect":  # the line is the last snapshot before leaving
        stale = (tr.wall(p.leave_g or 0) - tr.snapshot_phase) % SNAPSHOT
        team_s = max(0.0, team_s - stale)
        cut = (p.leave_g or 0) - stale
    true_dead = sum(min(d.g1, cut) - d.g0 for d in p.deaths if d.g0 < cut)
    return _Engine(weapons, sum(1 for d in p.deaths if d.kind in ("self", "world")),
                   p.team_kills_made, team_s, max(0.0, team_s - true_dead))


def render_stats(tr: TruthRound, *, version: int = 7, prior: TruthRound | None = None
                 ) -> tuple[str, str]:
    """(file name, text) of the c0rnp0rn stats file (version 7: 8-field header; 8: 9 fields).

    ``prior``: for a round 2, its round 1: engine values are written as R1 + R2 totals, the
    script's own values (dead, denied, revived) for round 2 only.
    """
    from etstats.model.stats import PlayerStats, StatsHeader, StatsRound, TabStats, WeaponStats
    from etstats.render.stats_file import render_stats_round

    fixed = version >= 8
    clock = tr.limit_s if tr.winner == tr.defender else tr.play_s
    header = StatsHeader(server_name="^1Truth^7Server", map_name=tr.map, config="legacy6",
                         round_number=tr.round, defender_team=tr.defender, winner_team=tr.winner,
                         time_limit_seconds=tr.limit_s, clock_seconds=clock,
                         playtime_ms=tr.play_s * 1000 if fixed else None,
                         field_count=9 if fixed else 8)
    before = {q.guid: _engine(prior, q) for q in prior.players} if prior is not None else {}
    lines = []
    for p in tr.players:
        if p.quiet:
            continue
        eng = _engine(tr, p).plus(before.get(p.guid))
        weapons = [WeaponStats(index=i, hits=v[0], shots=v[1], kills=v[2], deaths=v[3])
                   for i, v in sorted(eng.weapons.items())]
        kills = sum(w.kills for w in weapons)
        wdeaths = sum(w.deaths for w in weapons)
        dead = _stats_dead(tr, p, fixed)
        team_s = eng.team_s
        victims = [d for q in tr.players for d in q.deaths if d.killer == p.guid and
                   d.kind == "enemy"]
        denied = sum((tr.wall(d.g1) - tr.wall(d.g0)) - (tr.paused_in(d.g0, d.g1) if fixed else 0)
                     for d in victims)
        tab = TabStats(
            layout=38, self_kills=eng.self_kills, team_kills=eng.team_kills,
            time_played_percent=_r1(100 * eng.alive_s / team_s) if team_s else 0.0,
            times_revived=sum(1 for d in p.deaths if d.closed_by == "revive"),
            bullets_fired=sum(w.shots for w in weapons), time_played_minutes=_r1(team_s / 60),
            time_dead_ratio=_r1(100 * dead / team_s) if team_s > 120 else 0.0,
            time_dead_minutes=_r1(dead / 60),
            kd_ratio=float(kills + 1) if wdeaths == 0 else _r1(kills / wdeaths),
            denied_playtime=int(denied), useless_kills=0, full_selfkills=0,
            repairs_constructions=0, revives_given=0)
        lines.append(PlayerStats(guid=p.guid[:8], raw_name=p.name, rounds=tr.round - 1,
                                 team=3 if p.leave_how == "spectator" else p.team,
                                 weapons=tuple(weapons), tab=tab))
    text = render_stats_round(StatsRound(header=header, players=tuple(lines)))
    name = f"{local_name_time(tr):%Y-%m-%d-%H%M%S}-{tr.map}-round-{tr.round}.txt"
    return name, text


def render_legacy(tr: TruthRound, *, version: tuple[int, int, int] = (1, 7, 2),
                  seed: int = 0) -> tuple[str, str]:
    """(file name, JSON text) of slomix's gametimes file (see the module docstring)."""
    from etstats.model.legacy_gametimes import (
        LegacyGametimes,
        LegacyMeta,
        LegacySpawnStat,
        PauseEvent,
        TeamMember,
        WebhookRound,
    )
    from etstats.render.legacy_gametimes import render_legacy_gametimes

    rng = random.Random(seed)
    mixing = (1, 6, 0) <= version < (1, 6, 3)
    end_w = float(tr.wall_s)
    spawn_stats = []
    for p in tr.players:
        total = 0.0
        longest = 0.0
        spawns = 1
        for d in p.deaths:
            w0 = tr.wall(d.g0)
            if d.closed_by in ("respawn", "revive"):
                interval = tr.wall(d.g1) - w0 + rng.uniform(0, 0.5)
                longest = max(longest, interval)
                spawns += 1
            else:
                interval = end_w - w0  # no disconnect/spectator handling: tail to round end
            total += interval
        if mixing and p.deaths:
            total, longest = end_w - tr.wall(p.deaths[-1].g0), 0.0
        spawn_stats.append(LegacySpawnStat(
            guid=p.guid, name=p.name, spawns=spawns, deaths=len(p.deaths),
            dead_seconds=int(total), avg_respawn=int(total) // len(p.deaths) if p.deaths else 0,
            max_respawn=int(longest)))
    play = tr.play_s
    if play >= 0.9 * tr.limit_s:
        reason = "time_expired"
    elif tr.end_reason == "surrender":
        reason = "surrender"
    else:
        reason = "objective" if tr.winner else "surrender"
    members = {1: [], 2: []}  # type: dict[int, list[TeamMember]]
    for p in tr.players:
        if p.leave_how is None:
            members[p.team].append(TeamMember(name=p.name, guid=p.guid))
    events = []
    for n, (pg, dur) in enumerate(tr.pauses, 1):
        s = tr.start_unix + int(tr.wall(pg))
        events.append(PauseEvent(n=n, start_unix=s, end_unix=s + dur, seconds=float(dur)))
    payload = WebhookRound(
        map=tr.map, round=tr.round, winner=tr.winner, defender=tr.defender,
        playtime_seconds=play,
        timelimit_minutes=tr.limit_s / 60, pause_count=len(tr.pauses), pause_seconds=tr.pause_s,
        end_reason=reason, warmup_seconds=0, warmup_start_unix=tr.start_unix,
        round_start_unix=tr.start_unix, round_end_unix=tr.end_unix,
        surrender_team=tr.surrender_team, surrender_caller="", surrender_caller_name="",
        axis_score=0, allies_score=0, axis=tuple(members[1]), allies=tuple(members[2]),
        pauses=tuple(events), version=version, username="ET:Legacy Stats",
        content="STATS_READY")
    meta = LegacyMeta(map=tr.map, round=tr.round, round_start_unix=tr.start_unix,
                      round_end_unix=tr.end_unix, actual_duration_seconds=play,
                      warmup_seconds=0, pause_seconds=tr.pause_s, pause_count=len(tr.pauses),
                      server_ip="", server_port=str(tr.port), match_id=str(tr.end_unix),
                      spawn_stats=tuple(spawn_stats))
    text = render_legacy_gametimes(LegacyGametimes(meta=meta, payload=payload))
    return f"gametime-{tr.map}-R{tr.round}-{tr.end_unix}.json", text


def build_v1(tr: TruthRound) -> object:
    """The gametimes v1 model of the round (exact values)."""
    from etstats.model import gametimes as gt

    def ms(x: float) -> int:
        return round(x * 1000)

    base = 100_000
    players = []
    by_guid = {p.guid: p for p in tr.players}
    slots = {p.guid: i for i, p in enumerate(tr.players)}
    for p in tr.players:
        details = []
        for d in p.deaths:
            paused = tr.paused_in(d.g0, d.g1)
            details.append(gt.Death(
                at_level_ms=base + ms(tr.wall(d.g0)), end_level_ms=base + ms(tr.wall(d.g1)),
                killer_guid=d.killer, killer_slot=slots[d.killer] if d.killer else (
                    slots[p.guid] if d.kind == "self" else gt.ENTITYNUM_WORLD),
                kind=gt.KillKind(d.kind), mod=8, dead_ms=ms(d.g1 - d.g0), paused_ms=ms(paused),
                closed_by=gt.ClosedBy(d.closed_by)))
        team_ms = ms(tr.team_time(p))
        denied = sum(ms(d.g1 - d.g0) for q in tr.players for d in q.deaths
                     if d.killer == p.guid and d.kind == "enemy")
        players.append(gt.Player(
            guid=p.guid, slot=slots[p.guid], name=p.name,
            team=3 if p.leave_how == "spectator" else p.team,
            connected_at_end=p.leave_how != "disconnect",
            spawns=1 + sum(1 for d in p.deaths if d.closed_by == "respawn"),
            revives=sum(1 for d in p.deaths if d.closed_by == "revive"), deaths=len(p.deaths),
            kills=p.kills, team_kills=p.team_kills_made,
            self_kills=sum(1 for d in p.deaths if d.kind == "self"),
            dead_ms=sum(x.dead_ms for x in details), denied_ms=denied,
            time_axis_ms=team_ms if p.team == 1 else 0,
            time_allies_ms=team_ms if p.team == 2 else 0, connects=1,
            disconnects=1 if p.leave_how == "disconnect" else 0,
            team_changes=1 if p.leave_how == "spectator" else 0, deaths_detail=tuple(details)))
    del by_guid
    pauses = []
    for pg, dur in tr.pauses:
        w = tr.wall(pg)
        pauses.append(gt.Pause(start_level_ms=base + ms(w), end_level_ms=base + ms(w + dur),
                               duration_ms=dur * 1000, start_unix=tr.start_unix + int(w),
                               end_unix=tr.start_unix + int(w) + dur))
    reason = {"objective": gt.EndReason.OBJECTIVE, "time_expired": gt.EndReason.TIME_EXPIRED,
              "surrender": gt.EndReason.SURRENDER}[tr.end_reason]
    exit_line = {"objective": "Exit: Wolf EndRound.", "time_expired": "Exit: Timelimit hit.",
                 "surrender": f"Exit: {'Axis' if tr.surrender_team == 1 else 'Allies'} "
                              "Surrender"}[tr.end_reason]
    return gt.Gametimes(
        schema_version=1, producer=gt.Producer("etstats.lua", "0.1.0", "Lua 5.4"),
        server=gt.Server("^1Truth^7Server", "", tr.port), map=tr.map, gametype=3, round=tr.round,
        emit=gt.Emit.ROUND_END, round_start_unix=tr.start_unix, round_end_unix=tr.end_unix,
        round_start_level_ms=base, round_end_level_ms=base + tr.wall_s * 1000,
        play_ms=tr.play_s * 1000, timelimit_ms=tr.limit_s * 1000, warmup_ms=None,
        warmup_start_unix=None, started_mid_round=False, pauses=tuple(pauses),
        pause_total_ms=tr.pause_s * 1000,
        end=gt.End(reason=reason, exit_line=exit_line, winner=tr.winner, defender=tr.defender,
                   surrender_team=tr.surrender_team, surrender_caller_guid=None,
                   surrender_caller_name=None),
        limbo_ms=gt.Limbo(axis=int(tr.limbo[1] * 1000), allies=int(tr.limbo[2] * 1000)),
        players=tuple(players))


def render_v1(tr: TruthRound) -> tuple[str, str]:
    """(file name, JSON text) of the gametimes v1 file."""
    from etstats.serde import to_json

    return (f"etstats-{tr.map}-R{tr.round}-{tr.start_unix}-{tr.port}.json",
            to_json(build_v1(tr), indent=2))


__all__ = ["Death", "TruthPlayer", "TruthRound", "build_v1", "local_name_time",
           "render_legacy", "render_stats", "render_v1", "simulate"]
