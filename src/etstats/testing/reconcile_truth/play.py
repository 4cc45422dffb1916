"""Truth rounds: a stopwatch round played in game-clock time (see the package docstring)."""

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
    return (prefix + tail[len(prefix) :]) if prefix else tail


def simulate(
    seed: int,
    *,
    n_per_team: int = 3,
    pauses: int = 0,
    end: str = "objective",
    late_join: bool = False,
    disconnect_dead: bool = False,
    spectator_dead: bool = False,
    collision: bool = False,
    quiet: bool = False,
    team_kill: bool = False,
    map_name: str = "supply",
    start_unix: int = 1_770_843_050,
    utc_offset_s: int = 3600,
    after: TruthRound | None = None,
) -> TruthRound:
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
                players.append(
                    TruthPlayer(guid=_guid(rng), name=f"P{team}{i}x{seed % 97}", team=team)
                )
    if collision:
        players.append(
            TruthPlayer(
                guid=_guid(rng, players[0].guid[:8]), name=f"Twin{seed % 89}", team=players[0].team
            )
        )
    tr = TruthRound(
        map=map_name,
        start_unix=start_unix,
        utc_offset_s=utc_offset_s,
        limit_s=limit,
        play_s=play,
        pauses=pz,
        defender=defender,
        winner=winner,
        end_reason=reason,
        surrender_team=st,
        limbo=limbo,
        players=players,
        snapshot_phase=rng.uniform(0, SNAPSHOT),
        round=2 if after is not None else 1,
    )
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
    if p.leave_how is not None and (
        not p.deaths or p.deaths[-1].closed_by not in ("disconnect", "spectator")
    ):
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
    return (
        datetime.fromtimestamp(tr.end_unix + tr.lag_s, tz=UTC) + timedelta(seconds=tr.utc_offset_s)
    ).replace(tzinfo=None)


__all__ = ["FRAME", "SNAPSHOT", "Death", "TruthPlayer", "TruthRound", "local_name_time", "simulate"]
