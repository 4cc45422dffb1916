"""Ground truth: what a correct script must report, computed from the simulator's trace.

Definitions (docs/formats/gametimes-v1.md; spec section 4.7): every ``*_level_ms`` is
levelTime. Dead time is time on Axis or Allies while not alive, pauses excluded: a dead
interval runs from an obituary, or from the limbo that follows a team join or switch later
than 600 ms into the round (kind ``team_change``, no killer), to the next spawn into play
(wave spawn or revive), the disconnect, the move to the spectators, or the round end. A
switch while dead keeps the open interval and its killer. A pause is the time the game clock
stood still: from the frame before the first frame with ``CS_SERVERTOGGLES`` bit 16 to the
frame before the first frame without it. ``MOD_SWITCHTEAM`` obituaries are not deaths.
``denied_ms`` is the sum of the dead intervals of the player's enemy victims (teams at the
kill). ``spawns`` counts spawns into play only (the first spawn of the round and wave spawns;
not the teamChange spawn that starts a limbo wait, not a spectator spawn). Team time runs from
entering the game or a team change to the next change, the disconnect or the round end, pause
overlap excluded. ``play_ms`` is ``levelTime - CS_LEVEL_START_TIME`` at the exit frame.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import define, field, frozen

from etstats.testing.simulator.scenario import MOD_SWITCHTEAM, NONE_ENTITY, Scenario
from etstats.testing.simulator.trace import TraceEvent


@frozen
class TruthDeath:
    """One death as it must appear in ``deaths_detail``."""

    at_level_ms: int
    end_level_ms: int
    killer_guid: str | None
    killer_slot: int
    kind: str
    mod: int
    dead_ms: int
    paused_ms: int
    closed_by: str


@frozen
class TruthPlayer:
    """One player's expected values (ms for every ``*_ms``)."""

    guid: str | None
    slot: int
    name: str
    team: int
    connected_at_end: bool
    spawns: int
    revives: int
    deaths: int
    kills: int
    team_kills: int
    self_kills: int
    dead_ms: int
    denied_ms: int
    time_axis_ms: int
    time_allies_ms: int
    connects: int
    disconnects: int
    team_changes: int
    deaths_detail: tuple[TruthDeath, ...]


@frozen
class TruthPause:
    """One pause (level ms and UTC epoch seconds)."""

    start_level_ms: int
    end_level_ms: int
    duration_ms: int
    start_unix: int
    end_unix: int


@frozen
class TruthEnd:
    """How the round ended."""

    reason: str
    exit_line: str | None
    winner: int
    defender: int
    surrender_team: int
    surrender_caller_guid: str | None
    surrender_caller_name: str | None


@frozen
class TruthLimbo:
    """Reinforcement intervals (ms)."""

    axis: int
    allies: int


@frozen
class GroundTruth:
    """Everything one round's gametimes file must say (field names as in the v1 model)."""

    map: str
    gametype: int
    round: int
    emit: str
    round_start_unix: int
    round_end_unix: int
    round_start_level_ms: int
    round_end_level_ms: int
    play_ms: int
    timelimit_ms: int
    warmup_ms: int | None
    warmup_start_unix: int | None
    pauses: tuple[TruthPause, ...]
    pause_total_ms: int
    end: TruthEnd
    limbo_ms: TruthLimbo
    players: tuple[TruthPlayer, ...]

    def player(self, key: str | int) -> TruthPlayer:
        """A player by GUID or slot."""
        for p in self.players:
            if key in (p.guid, p.slot):
                return p
        raise KeyError(key)


@define
class _Open:
    at: int
    killer: int
    killer_key: str | None
    killer_guid: str | None
    kind: str
    mod: int


@define
class _P:
    guid: str | None
    slot: int
    name: str
    team: int = 0
    connected: bool = True
    team_since: int | None = None
    counts: dict[str, int] = field(factory=dict)
    open: _Open | None = None
    deaths: list[TruthDeath] = field(factory=list)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


def _overlap(a: int, b: int, pauses: Sequence[tuple[int, int]]) -> int:
    return sum(max(0, min(b, e) - max(a, s)) for s, e in pauses)


class _Round:
    def __init__(self, scenario: Scenario, events: Sequence[TraceEvent]) -> None:
        self.sc = scenario
        self.events = events
        self.pauses: list[tuple[int, int]] = []
        self.pause_walls: list[tuple[int, int]] = []
        start: TraceEvent | None = None
        for e in events:
            if e.kind == "pause_start":
                start = e
            elif e.kind in ("pause_end", "end") and start is not None:
                until = e.num("freeze_ms") if e.kind == "pause_end" else e.level_ms
                self.pauses.append((start.num("freeze_ms"), until))
                self.pause_walls.append((start.wall_unix, e.wall_unix))
                start = None
        self.players: dict[str, _P] = {}
        self.by_slot: dict[int, str] = {}
        self.connections = 0
        self.denied: dict[str, int] = {}

    def key_of(self, slot: int, guid: object, *, new_connection: bool) -> str:
        """Player identity: the GUID; without one, each connection is its own player
        (docs/formats/gametimes-v1.md: ``guid: null`` and one entry per connection)."""
        if isinstance(guid, str):
            return guid
        current = self.by_slot.get(slot)
        if current is not None and current.startswith(f"slot:{slot}#") and not new_connection:
            return current
        self.connections += 1
        return f"slot:{slot}#{self.connections}"

    def close_team(self, p: _P, level: int) -> None:
        if p.team_since is not None and p.team in (1, 2):
            ms = level - p.team_since - _overlap(p.team_since, level, self.pauses)
            p.add("time_axis_ms" if p.team == 1 else "time_allies_ms", ms)
        p.team_since = None

    def close_death(self, p: _P, level: int, how: str) -> None:
        o = p.open
        if o is None:
            return
        paused = _overlap(o.at, level, self.pauses)
        dead = level - o.at - paused
        p.deaths.append(
            TruthDeath(o.at, level, o.killer_guid, o.killer, o.kind, o.mod, dead, paused, how)
        )
        p.add("dead_ms", dead)
        if o.kind == "enemy" and o.killer_key is not None:
            self.denied[o.killer_key] = self.denied.get(o.killer_key, 0) + dead
        p.open = None

    def slot_player(self, slot: object) -> _P | None:
        key = self.by_slot.get(slot) if isinstance(slot, int) else None
        return self.players.get(key) if key is not None else None

    def step(self, e: TraceEvent) -> None:
        k, level = e.kind, e.level_ms
        if k in ("connect", "enter"):
            slot = e.num("slot")
            key = self.key_of(slot, e.data.get("guid"), new_connection=k == "connect")
            self.by_slot[slot] = key
            p = self.players.get(key)
            if p is None:
                name = self.sc.player(slot).name_bytes.decode("utf-8", "replace")
                p = self.players[key] = _P(e.data.get("guid"), slot, name)  # type: ignore[arg-type]
            p.slot, p.connected = slot, True
            if k == "connect":
                p.add("connects", e.num("first_time"))
            else:
                # the engine's pers.netname bytes (travel as Latin-1 text in the trace)
                raw = str(e.data["name"]).encode("latin-1")
                p.name = raw.decode("utf-8", "replace")
                p.team = e.num("team")
                p.team_since = level
            return
        p = self.slot_player(e.data.get("slot", e.data.get("victim")))
        if p is None:
            return
        if k == "spawn":
            revived = e.num("revived")
            p.add("revives" if revived else "spawns")
            self.close_death(p, level, "revive" if revived else "respawn")
        elif k == "limbo":
            if p.open is None:  # a switch while dead keeps the open death and its killer
                p.open = _Open(level, NONE_ENTITY, None, None, "team_change", e.num("mod"))
        elif k == "obituary":
            self.obituary(p, e)
        elif k == "team":
            self.close_team(p, level)
            if e.num("team") == 3:
                self.close_death(p, level, "spectator")
            p.team, p.team_since = e.num("team"), level
            p.add("team_changes")
        elif k == "rename":
            p.name = str(e.data["name"]).encode("latin-1").decode("utf-8", "replace")
        elif k == "disconnect":
            self.close_death(p, level, "disconnect")
            self.close_team(p, level)
            p.connected = False
            p.add("disconnects")

    def obituary(self, victim: _P, e: TraceEvent) -> None:
        mod, killer = e.num("mod"), e.num("killer")
        if mod == MOD_SWITCHTEAM:
            return
        killer_p = self.slot_player(killer) if killer < self.sc.max_clients else None
        if killer == victim.slot:
            kind = "self"
            victim.add("self_kills")
        elif killer_p is None:
            kind = "world"
        elif killer_p.team == victim.team:
            kind = "team"
            killer_p.add("team_kills")
        else:
            kind = "enemy"
            killer_p.add("kills")
        victim.add("deaths")
        killer_key = self.by_slot.get(killer) if killer_p is not None else None
        guid = killer_p.guid if killer_p is not None else None
        victim.open = _Open(e.level_ms, killer, killer_key, guid, kind, mod)

    def result(self) -> GroundTruth:
        rs = self.events[0]
        end = self.events[-1]
        for e in self.events[1:-1]:
            self.step(e)
        for p in self.players.values():
            self.close_death(p, end.level_ms, "round_end")
            self.close_team(p, end.level_ms)
        pauses = tuple(
            TruthPause(s, t, t - s, ws, wt)
            for (s, t), (ws, wt) in zip(self.pauses, self.pause_walls, strict=True)
        )
        caller = end.num("caller_slot")
        caller_p = self.slot_player(caller) if caller >= 0 else None
        surrender = end.data["reason"] == "surrender"
        warm = self.warmup
        return GroundTruth(
            map=str(rs.data["map"]),
            gametype=rs.num("gametype"),
            round=rs.num("round"),
            emit=str(end.data["emit"]),
            round_start_unix=rs.wall_unix,
            round_end_unix=end.wall_unix,
            round_start_level_ms=rs.level_ms,
            round_end_level_ms=end.level_ms,
            play_ms=end.num("play_ms"),
            timelimit_ms=rs.num("timelimit_ms"),
            warmup_ms=None if warm is None else rs.level_ms - warm.level_ms,
            warmup_start_unix=None if warm is None else warm.wall_unix,
            pauses=pauses,
            pause_total_ms=sum(p.duration_ms for p in pauses),
            end=TruthEnd(
                reason=str(end.data["reason"]),
                exit_line=end.data["exit_line"],  # type: ignore[arg-type]
                winner=end.num("winner"),
                defender=end.num("defender"),
                surrender_team=end.num("surrender_team") if surrender else 0,
                surrender_caller_guid=caller_p.guid if surrender and caller_p else None,
                surrender_caller_name=caller_p.name if surrender and caller_p else None,
            ),
            limbo_ms=TruthLimbo(rs.num("axis_limbo_ms"), rs.num("allies_limbo_ms")),
            players=tuple(self.player_truth(k, p) for k, p in self.players.items()),
        )

    warmup: TraceEvent | None = None

    def player_truth(self, key: str, p: _P) -> TruthPlayer:
        c = p.counts.get
        denied = self.denied.get(key, 0)
        return TruthPlayer(
            guid=p.guid,
            slot=p.slot,
            name=p.name,
            team=p.team,
            connected_at_end=p.connected,
            spawns=c("spawns", 0),
            revives=c("revives", 0),
            deaths=c("deaths", 0),
            kills=c("kills", 0),
            team_kills=c("team_kills", 0),
            self_kills=c("self_kills", 0),
            dead_ms=c("dead_ms", 0),
            denied_ms=denied,
            time_axis_ms=c("time_axis_ms", 0),
            time_allies_ms=c("time_allies_ms", 0),
            connects=c("connects", 0),
            disconnects=c("disconnects", 0),
            team_changes=c("team_changes", 0),
            deaths_detail=tuple(p.deaths),
        )


def compute_truth(scenario: Scenario, trace: Sequence[TraceEvent]) -> list[GroundTruth]:
    """One :class:`GroundTruth` per round that reached PLAYING, in play order."""
    rounds: list[GroundTruth] = []
    warmup: TraceEvent | None = None
    current: list[TraceEvent] | None = None
    for e in trace:
        if e.kind == "warmup_start":
            warmup = e
        elif e.kind == "round_start":
            current = [e]
        elif current is not None:
            current.append(e)
            if e.kind == "end":
                r = _Round(scenario, current)
                r.warmup = warmup
                rounds.append(r.result())
                current, warmup = None, None
    return rounds
