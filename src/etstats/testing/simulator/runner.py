"""Play a :class:`~.scenario.Scenario` through the :class:`~.engine.Engine` (spec section 4.6).

Flow per map: ``map`` (gamestate -1 -> WARMUP, ``et_InitGame(t, seed, 0)``, init frames,
clients connect) -> per round: warmup frames -> countdown (gamestate 1) -> ``map_restart``
(gamestate PLAYING, ``et_ShutdownGame(1)``, new VMs, ``et_InitGame(t, seed, 1)``, 6 init
frames with no clients, every client ``et_ClientConnect(n, 0, bot)`` -> ``et_ClientBegin`` ->
``et_ClientSpawn``) -> play frames every 50 ms -> ``Exit: ...`` -> intermission ->
``map_restart`` into the next round's warmup (or ``et_ShutdownGame(0)`` after the last).

Within one frame at level time T: pause-bit changes, ``et_RunFrame(T)``, then the timeline
events due at T, reinforcement waves, and the round ending, all at level time T.
"""

from __future__ import annotations

import random

from etstats.testing.simulator.clock import FRAME_MS
from etstats.testing.simulator.engine import (
    CS_INTERMISSION,
    CS_LEVEL_START_TIME,
    CS_MULTI_INFO,
    CS_MULTI_MAPWINNER,
    CS_SERVERINFO,
    CS_SERVERTOGGLES,
    CS_WARMUP,
    CV_SVS_PAUSE,
    GS_PLAYING,
    GS_WARMUP,
    GS_WARMUP_COUNTDOWN,
    Client,
    Engine,
    MapDropped,
)
from etstats.testing.simulator.play import RoundPlay
from etstats.testing.simulator.scenario import (
    FIRST_PLAY_MS,
    MOD_SWITCHTEAM,
    MOD_UNKNOWN,
    EndKind,
    Kill,
    PlayerSpec,
    Scenario,
    ScenarioError,
)
from etstats.testing.simulator.trace import TraceEvent

INIT_FRAMES = 6


class Runner:
    """Drives one scenario; :attr:`trace` is the input of the ground truth."""

    def __init__(self, scenario: Scenario, engine: Engine) -> None:
        """Bind a scenario to a fresh engine."""
        self.scenario = scenario
        self.engine = engine
        self.trace: list[TraceEvent] = []
        self.rng = random.Random(scenario.seed)
        self.present: set[int] = set()
        """Slots connected to the server (survive restarts)."""
        self.level_start_ms = 0
        for spec in scenario.players:
            if not 0 <= spec.slot < scenario.max_clients:
                raise ScenarioError(f"slot {spec.slot} outside 0..{scenario.max_clients - 1}")
            c = engine.clients[spec.slot]
            c.guid, c.is_bot, c.team = spec.guid, spec.is_bot, spec.team
            c.name = spec.name_bytes.decode("latin-1")

    # --- helpers -----------------------------------------------------------------------
    def record(self, kind: str, **data: object) -> None:
        """Append a trace event at the current level time and wall clock."""
        clock = self.engine.clock
        self.trace.append(TraceEvent(kind, clock.level_ms, clock.wall_unix, dict(data)))

    def frame(self, *, real: bool = True) -> None:
        """Advance one frame and call ``et_RunFrame``."""
        if real:
            self.engine.clock.advance(FRAME_MS)
        else:
            self.engine.clock.advance_level_only(FRAME_MS)
        self.engine.dispatch("et_RunFrame", self.engine.level)

    def frames(self, ms: int) -> None:
        """Real frames for ``ms`` milliseconds."""
        for _ in range(max(0, ms) // FRAME_MS):
            self.frame()

    @property
    def playing(self) -> bool:
        """Gamestate is PLAYING."""
        return self.engine.gamestate == GS_PLAYING

    def connect(self, c: Client, first_time: int, team: int) -> bool:
        """``ClientConnect`` -> [userinfo changed] -> ``ClientSpawn(n, 0, 1, 1)`` ->
        ``ClientBegin`` (spec 4.7), the client on ``team``; ``False`` if rejected.

        Only humans can be rejected: the engine ignores a module's verdict for bots."""
        eng = self.engine
        c.connected, c.connect_time = 1, eng.level
        if self.playing:
            self.record("connect", slot=c.slot, guid=c.guid, first_time=first_time)
        verdict = eng.dispatch("et_ClientConnect", c.slot, first_time, int(c.is_bot))
        if verdict is not None and not c.is_bot:
            c.connected = 0
            eng.log_console(f"dropped client {c.slot} - denied: {verdict}")
            self.record("rejected", slot=c.slot)
            self.present.discard(c.slot)
            return False
        c.team, c.health, c.downed, c.gibbed, c.limbo = team, 0, False, False, False
        changed = eng.set_player_configstring(c)
        if changed:
            eng.dispatch("et_ClientUserinfoChanged", c.slot)
        c.connected, c.enter_time = 2, eng.level
        self.present.add(c.slot)
        if self.playing:
            self.record("enter", slot=c.slot, guid=c.guid, name=c.name, team=c.team)
        self.team_spawn(c, switched=False)
        eng.dispatch("et_ClientBegin", c.slot)
        return True

    def in_limbo_after_join(self) -> bool:
        """``level.time - level.startTime > 600`` while PLAYING (g_client.c): a team join now
        is followed by limbo until the next wave."""
        eng = self.engine
        start = int(eng.configstrings.get(CS_LEVEL_START_TIME, "0") or 0)
        return self.playing and eng.level - start > FIRST_PLAY_MS

    def team_spawn(self, c: Client, *, switched: bool) -> bool:
        """``ClientSpawn(n, 0, 1, 1)`` after a connect or ``SetTeam``; then limbo when late.

        Returns whether the client waits in limbo (``wave`` must be scheduled by the caller).
        A spectator spawn is no spawn into play; the trace records ``spawn`` only for a spawn
        into play and ``limbo`` for the wait (``mod`` 59 after a switch of a living player)."""
        eng = self.engine
        on_team = c.team in (1, 2)
        c.health, c.downed, c.gibbed, c.limbo = (100 if on_team else 0), False, False, False
        c.last_spawn_time = eng.level
        eng.dispatch("et_ClientSpawn", c.slot, 0, 1, 1)
        if not on_team:
            return False
        if self.in_limbo_after_join():
            c.health, c.limbo = 0, True
            self.record("limbo", slot=c.slot, mod=MOD_SWITCHTEAM if switched else MOD_UNKNOWN)
            return True
        if self.playing:
            self.record("spawn", slot=c.slot, revived=0)
        return False

    def spawn(self, c: Client, *, revived: int = 0) -> None:
        """A wave spawn (``et_ClientSpawn(n, 0, 0, 1)``) or a revive (``(n, 1, 0, 0)``)."""
        c.health, c.downed, c.gibbed, c.limbo = 100, False, False, False
        c.last_spawn_time = self.engine.level
        self.engine.dispatch("et_ClientSpawn", c.slot, revived, 0, 1 - revived)
        if self.playing:
            self.record("spawn", slot=c.slot, revived=revived)

    def reconnect_all(self, first_time: int) -> None:
        """Every present client comes back on its team (a map_restart reconnect: 500 ms
        into the round, so nobody waits in limbo)."""
        for slot in sorted(self.present):
            c = self.engine.clients[slot]
            self.connect(c, first_time, c.team)

    def first_connect_all(self) -> None:
        """The map load: humans connect as spectators and then join their team; bots connect
        onto their team."""
        for slot in sorted(self.present):
            c = self.engine.clients[slot]
            team = self.scenario.player(slot).team
            if c.is_bot or team not in (1, 2):
                self.connect(c, 1, team)
            elif self.connect(c, 1, 3):
                c.team = team
                if self.engine.set_player_configstring(c):
                    self.engine.dispatch("et_ClientUserinfoChanged", c.slot)
                self.team_spawn(c, switched=False)

    def restart_vms(self, restart: int) -> None:
        """``et_ShutdownGame(restart)``, destroy and recreate the VMs, ``et_InitGame``."""
        eng = self.engine
        eng.dispatch("et_ShutdownGame", restart)
        eng.stop_vms()
        for c in eng.clients:
            c.connected = 0
            eng.set_player_configstring(c)
        self.level_start_ms = eng.level
        # CS_INTERMISSION is NOT reset: only a new map clears it (sv_init.c), so after R1 it
        # stays "1" for the whole map and confirms nothing
        eng.configstrings.update(
            {
                CS_LEVEL_START_TIME: str(eng.level),
                CS_MULTI_MAPWINNER: "\\w\\-1",
                CS_SERVERTOGGLES: "0",
                CS_WARMUP: "",
            }
        )
        eng.start_vms()
        eng.dispatch("et_InitGame", eng.level, self.rng.randrange(1 << 30), restart)

    def init_frames(self) -> None:
        """Frames of a map load/restart: level time only, no clients."""
        for i in range(INIT_FRAMES):
            self.frame(real=False)
            if i == 0 and self.playing:
                self.record_round_start()

    # --- the map -----------------------------------------------------------------------
    def run(self) -> list[TraceEvent]:
        """Play the whole scenario; returns the trace (cut short by an ``ERR_DROP``)."""
        try:
            return self._run()
        except MapDropped as exc:
            self.record("dropped", message=str(exc))
            self.engine.stop_vms()
            return self.trace

    def _run(self) -> list[TraceEvent]:
        sc, eng = self.scenario, self.engine
        eng.cvars.update(
            {
                "mapname": sc.map_name,
                "g_gametype": str(sc.gametype),
                "timelimit": _minutes(sc.timelimit_min),
                "g_currentRound": "0",
                "g_nextTimeLimit": "0",
                "g_redlimbotime": str(sc.axis_limbo_ms),
                "g_bluelimbotime": str(sc.allies_limbo_ms),
                "sv_hostname": sc.hostname,
                "net_port": str(sc.port),
                "vote_allow_surrender": "1",
            }
        )
        eng.configstrings[CS_SERVERINFO] = (
            f"\\mapname\\{sc.map_name}\\g_gametype\\{sc.gametype}\\sv_hostname\\{sc.hostname}"
        )
        eng.configstrings[CS_MULTI_INFO] = f"\\d\\{sc.defender}"
        eng.set_gamestate(GS_WARMUP)
        self.restart_vms_initial()
        self.present = {p.slot for p in sc.players if p.present_at_start}
        self.first_connect_all()
        rcon_restarted = False
        for index, spec in enumerate(sc.rounds):
            if sc.gametype != 3 or eng.cvars["g_currentRound"] == "0":
                limit = sc.timelimit_min if spec.timelimit_min is None else spec.timelimit_min
                eng.cvars["timelimit"] = _minutes(limit)
            if not rcon_restarted:
                self.warmup(spec.warmup_ms, spec.warmup_events)
                eng.set_gamestate(GS_WARMUP_COUNTDOWN)
                eng.configstrings[CS_WARMUP] = str(eng.level + spec.countdown_ms)
                self.frames(spec.countdown_ms)
            # a bare rcon map_restart: still PLAYING, so the new VMs start the replay at once
            rcon_restarted = False
            eng.set_gamestate(GS_PLAYING)
            self.restart_vms(1)
            self.init_frames()
            self.reconnect_all(first_time=0)
            outcome = RoundPlay(self, spec).play()
            if outcome is EndKind.RCON_RESTART:
                if index == len(sc.rounds) - 1:
                    raise ScenarioError("an rcon map_restart must be followed by its replay")
                rcon_restarted = True
                continue
            last = index == len(sc.rounds) - 1
            if outcome is EndKind.SHUTDOWN:
                if not last:
                    raise ScenarioError("a shutdown must end the last round")
                break
            if outcome is EndKind.NEXTMAP_VOTE and not last:
                raise ScenarioError("a nextmap vote must end the last round")
            if outcome is EndKind.MAP_RESTART:
                eng.set_gamestate(GS_WARMUP)
                self.restart_vms(1)
                self.warmup_begins()
                self.reconnect_all(first_time=0)
                continue
            # play() ran the frame that turned the gamestate INTERMISSION
            self.frames(spec.intermission_ms)
            if last:
                eng.dispatch("et_ShutdownGame", 0)
                break
            if sc.swap_teams:
                for c in eng.clients:
                    c.team = {1: 2, 2: 1}.get(c.team, c.team)
            eng.set_gamestate(GS_WARMUP)
            eng.cvars["timelimit"] = eng.cvars["g_nextTimeLimit"]
            self.restart_vms(1)
            self.warmup_begins()
            self.reconnect_all(first_time=0)
        eng.stop_vms()
        return self.trace

    def warmup(self, ms: int, kills: tuple[Kill, ...]) -> None:
        """Warmup frames; ``kills`` happen (obituary, respawn 1 s later) but do not count."""
        eng = self.engine
        start = eng.level
        pending = sorted(kills, key=lambda k: k.at_ms)
        respawn: dict[int, int] = {}
        for _ in range(max(0, ms) // FRAME_MS):
            self.frame()
            for slot, at in list(respawn.items()):
                if eng.level >= at:
                    del respawn[slot]
                    self.spawn(eng.clients[slot])
            while pending and eng.level >= start + pending[0].at_ms:
                kill = pending.pop(0)
                victim = eng.clients[kill.victim]
                if not victim.alive:
                    raise ScenarioError(f"warmup kill of slot {kill.victim} who is not alive", kill)
                victim.health = 0
                eng.dispatch("et_Obituary", kill.victim, kill.killer, kill.mod)
                respawn[kill.victim] = eng.level + 1_000
        for slot in respawn:
            self.spawn(eng.clients[slot])

    def restart_vms_initial(self) -> None:
        """The ``map`` command: first VMs with ``et_InitGame(t, seed, 0)`` in WARMUP."""
        eng = self.engine
        self.level_start_ms = eng.level
        eng.configstrings.update(
            {
                CS_LEVEL_START_TIME: str(eng.level),
                CS_INTERMISSION: "0",
                CS_MULTI_MAPWINNER: "\\w\\-1",
                CS_SERVERTOGGLES: "0",
            }
        )
        eng.start_vms()
        eng.dispatch("et_InitGame", eng.level, self.rng.randrange(1 << 30), 0)
        self.warmup_begins()

    def warmup_begins(self) -> None:
        """Init frames of a VM that sees WARMUP; the warmup starts at its ``et_InitGame``."""
        self.record("warmup_start")
        for _ in range(INIT_FRAMES):
            self.frame(real=False)

    def record_round_start(self) -> None:
        """Trace the first PLAYING frame."""
        sc, eng = self.scenario, self.engine
        self.record(
            "round_start",
            round=int(eng.cvars["g_currentRound"]) + 1,
            map=sc.map_name,
            gametype=sc.gametype,
            timelimit_ms=round(float(eng.cvars["timelimit"]) * 60000),
            axis_limbo_ms=sc.axis_limbo_ms,
            allies_limbo_ms=sc.allies_limbo_ms,
            defender=sc.defender + 1,
            level_start_ms=self.level_start_ms,
        )

    def lua_restart(self) -> None:
        """``lua_restart``: the old VMs get only ``et_Quit``; the new ones get no
        ``et_InitGame`` until the next map_restart or map (g_lua.c)."""
        eng = self.engine
        eng.dispatch("et_Quit")
        eng.stop_vms()
        eng.start_vms()

    def spec_of(self, slot: int) -> PlayerSpec:
        """The scenario's player of ``slot``."""
        return self.scenario.player(slot)

    def set_pause_bit(self, on: bool) -> None:
        """Set or clear ``CV_SVS_PAUSE`` in ``CS_SERVERTOGGLES``."""
        eng = self.engine
        bits = int(eng.configstrings.get(CS_SERVERTOGGLES, "0") or 0)
        bits = bits | CV_SVS_PAUSE if on else bits & ~CV_SVS_PAUSE
        eng.configstrings[CS_SERVERTOGGLES] = str(bits)


def _minutes(value: float) -> str:
    """A ``timelimit`` cvar value: integral minutes as ``"12"``, else ``"%f"``."""
    return str(int(value)) if float(value).is_integer() else f"{value:f}"
