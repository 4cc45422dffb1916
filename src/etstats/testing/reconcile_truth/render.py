"""Render truth rounds into the artifacts each producer writes (see the package docstring)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from etstats.testing.reconcile_truth.play import (
    SNAPSHOT,
    TruthPlayer,
    TruthRound,
    local_name_time,
)


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
        return _Engine(
            weapons,
            self.self_kills + other.self_kills,
            self.team_kills + other.team_kills,
            self.team_s + other.team_s,
            self.alive_s + other.alive_s,
        )


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
    return _Engine(
        weapons,
        sum(1 for d in p.deaths if d.kind in ("self", "world")),
        p.team_kills_made,
        team_s,
        max(0.0, team_s - true_dead),
    )


def render_stats(
    tr: TruthRound, *, version: int = 7, prior: TruthRound | None = None
) -> tuple[str, str]:
    """(file name, text) of the c0rnp0rn stats file (version 7: 8-field header; 8: 9 fields).

    ``prior``: for a round 2, its round 1: engine values are written as R1 + R2 totals, the
    script's own values (dead, denied, revived) for round 2 only.
    """
    from etstats.model.stats import PlayerStats, StatsHeader, StatsRound, TabStats, WeaponStats
    from etstats.render.stats_file import render_stats_round

    fixed = version >= 8
    clock = tr.limit_s if tr.winner == tr.defender else tr.play_s
    header = StatsHeader(
        server_name="^1Truth^7Server",
        map_name=tr.map,
        config="legacy6",
        round_number=tr.round,
        defender_team=tr.defender,
        winner_team=tr.winner,
        time_limit_seconds=tr.limit_s,
        clock_seconds=clock,
        playtime_ms=tr.play_s * 1000 if fixed else None,
        field_count=9 if fixed else 8,
    )
    before = {q.guid: _engine(prior, q) for q in prior.players} if prior is not None else {}
    lines = []
    for p in tr.players:
        if p.quiet:
            continue
        eng = _engine(tr, p).plus(before.get(p.guid))
        weapons = [
            WeaponStats(index=i, hits=v[0], shots=v[1], kills=v[2], deaths=v[3])
            for i, v in sorted(eng.weapons.items())
        ]
        kills = sum(w.kills for w in weapons)
        wdeaths = sum(w.deaths for w in weapons)
        dead = _stats_dead(tr, p, fixed)
        team_s = eng.team_s
        victims = [
            d for q in tr.players for d in q.deaths if d.killer == p.guid and d.kind == "enemy"
        ]
        denied = sum(
            (tr.wall(d.g1) - tr.wall(d.g0)) - (tr.paused_in(d.g0, d.g1) if fixed else 0)
            for d in victims
        )
        tab = TabStats(
            layout=38,
            self_kills=eng.self_kills,
            team_kills=eng.team_kills,
            time_played_percent=_r1(100 * eng.alive_s / team_s) if team_s else 0.0,
            times_revived=sum(1 for d in p.deaths if d.closed_by == "revive"),
            bullets_fired=sum(w.shots for w in weapons),
            time_played_minutes=_r1(team_s / 60),
            time_dead_ratio=_r1(100 * dead / team_s) if team_s > 120 else 0.0,
            time_dead_minutes=_r1(dead / 60),
            kd_ratio=float(kills + 1) if wdeaths == 0 else _r1(kills / wdeaths),
            denied_playtime=int(denied),
            useless_kills=0,
            full_selfkills=0,
            repairs_constructions=0,
            revives_given=0,
        )
        lines.append(
            PlayerStats(
                guid=p.guid[:8],
                raw_name=p.name,
                rounds=tr.round - 1,
                team=3 if p.leave_how == "spectator" else p.team,
                weapons=tuple(weapons),
                tab=tab,
            )
        )
    text = render_stats_round(StatsRound(header=header, players=tuple(lines)))
    name = f"{local_name_time(tr):%Y-%m-%d-%H%M%S}-{tr.map}-round-{tr.round}.txt"
    return name, text


def render_legacy(
    tr: TruthRound, *, version: tuple[int, int, int] = (1, 7, 2), seed: int = 0
) -> tuple[str, str]:
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
        spawn_stats.append(
            LegacySpawnStat(
                guid=p.guid,
                name=p.name,
                spawns=spawns,
                deaths=len(p.deaths),
                dead_seconds=int(total),
                avg_respawn=int(total) // len(p.deaths) if p.deaths else 0,
                max_respawn=int(longest),
            )
        )
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
        map=tr.map,
        round=tr.round,
        winner=tr.winner,
        defender=tr.defender,
        playtime_seconds=play,
        timelimit_minutes=tr.limit_s / 60,
        pause_count=len(tr.pauses),
        pause_seconds=tr.pause_s,
        end_reason=reason,
        warmup_seconds=0,
        warmup_start_unix=tr.start_unix,
        round_start_unix=tr.start_unix,
        round_end_unix=tr.end_unix,
        surrender_team=tr.surrender_team,
        surrender_caller="",
        surrender_caller_name="",
        axis_score=0,
        allies_score=0,
        axis=tuple(members[1]),
        allies=tuple(members[2]),
        pauses=tuple(events),
        version=version,
        username="ET:Legacy Stats",
        content="STATS_READY",
    )
    meta = LegacyMeta(
        map=tr.map,
        round=tr.round,
        round_start_unix=tr.start_unix,
        round_end_unix=tr.end_unix,
        actual_duration_seconds=play,
        warmup_seconds=0,
        pause_seconds=tr.pause_s,
        pause_count=len(tr.pauses),
        server_ip="",
        server_port=str(tr.port),
        match_id=str(tr.end_unix),
        spawn_stats=tuple(spawn_stats),
    )
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
            details.append(
                gt.Death(
                    at_level_ms=base + ms(tr.wall(d.g0)),
                    end_level_ms=base + ms(tr.wall(d.g1)),
                    killer_guid=d.killer,
                    killer_slot=slots[d.killer]
                    if d.killer
                    else (slots[p.guid] if d.kind == "self" else gt.ENTITYNUM_WORLD),
                    kind=gt.KillKind(d.kind),
                    mod=8,
                    dead_ms=ms(d.g1 - d.g0),
                    paused_ms=ms(paused),
                    closed_by=gt.ClosedBy(d.closed_by),
                )
            )
        team_ms = ms(tr.team_time(p))
        denied = sum(
            ms(d.g1 - d.g0)
            for q in tr.players
            for d in q.deaths
            if d.killer == p.guid and d.kind == "enemy"
        )
        players.append(
            gt.Player(
                guid=p.guid,
                slot=slots[p.guid],
                name=p.name,
                team=3 if p.leave_how == "spectator" else p.team,
                connected_at_end=p.leave_how != "disconnect",
                spawns=1 + sum(1 for d in p.deaths if d.closed_by == "respawn"),
                revives=sum(1 for d in p.deaths if d.closed_by == "revive"),
                deaths=len(p.deaths),
                kills=p.kills,
                team_kills=p.team_kills_made,
                self_kills=sum(1 for d in p.deaths if d.kind == "self"),
                dead_ms=sum(x.dead_ms for x in details),
                denied_ms=denied,
                time_axis_ms=team_ms if p.team == 1 else 0,
                time_allies_ms=team_ms if p.team == 2 else 0,
                connects=1,
                disconnects=1 if p.leave_how == "disconnect" else 0,
                team_changes=1 if p.leave_how == "spectator" else 0,
                deaths_detail=tuple(details),
            )
        )
    del by_guid
    pauses = []
    for pg, dur in tr.pauses:
        w = tr.wall(pg)
        pauses.append(
            gt.Pause(
                start_level_ms=base + ms(w),
                end_level_ms=base + ms(w + dur),
                duration_ms=dur * 1000,
                start_unix=tr.start_unix + int(w),
                end_unix=tr.start_unix + int(w) + dur,
            )
        )
    reason = {
        "objective": gt.EndReason.OBJECTIVE,
        "time_expired": gt.EndReason.TIME_EXPIRED,
        "surrender": gt.EndReason.SURRENDER,
    }[tr.end_reason]
    exit_line = {
        "objective": "Exit: Wolf EndRound.",
        "time_expired": "Exit: Timelimit hit.",
        "surrender": f"Exit: {'Axis' if tr.surrender_team == 1 else 'Allies'} Surrender",
    }[tr.end_reason]
    return gt.Gametimes(
        schema_version=1,
        producer=gt.Producer("etstats.lua", "0.1.0", "Lua 5.4"),
        server=gt.Server("^1Truth^7Server", "", tr.port),
        map=tr.map,
        gametype=3,
        round=tr.round,
        emit=gt.Emit.ROUND_END,
        round_start_unix=tr.start_unix,
        round_end_unix=tr.end_unix,
        round_start_level_ms=base,
        round_end_level_ms=base + tr.wall_s * 1000,
        play_ms=tr.play_s * 1000,
        timelimit_ms=tr.limit_s * 1000,
        warmup_ms=None,
        warmup_start_unix=None,
        started_mid_round=False,
        pauses=tuple(pauses),
        pause_total_ms=tr.pause_s * 1000,
        end=gt.End(
            reason=reason,
            exit_line=exit_line,
            winner=tr.winner,
            defender=tr.defender,
            surrender_team=tr.surrender_team,
            surrender_caller_guid=None,
            surrender_caller_name=None,
        ),
        limbo_ms=gt.Limbo(axis=int(tr.limbo[1] * 1000), allies=int(tr.limbo[2] * 1000)),
        players=tuple(players),
    )


def render_v1(tr: TruthRound) -> tuple[str, str]:
    """(file name, JSON text) of the gametimes v1 file."""
    from etstats.serde import to_json

    return (
        f"etstats-{tr.map}-R{tr.round}-{tr.start_unix}-{tr.port}.json",
        to_json(build_v1(tr), indent=2),
    )


__all__ = ["build_v1", "render_legacy", "render_stats", "render_v1"]
