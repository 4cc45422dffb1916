"""One round's PLAYING phase: frames, timeline events, waves, pauses and the ending."""

from __future__ import annotations

from typing import TYPE_CHECKING

from etstats.testing.simulator.clock import FRAME_MS
from etstats.testing.simulator.engine import (
    CS_INTERMISSION,
    CS_LEVEL_START_TIME,
    CS_MULTI_MAPWINNER,
    GS_INTERMISSION,
    Client,
)
from etstats.testing.simulator.scenario import (
    MOD_SWITCHTEAM,
    CallVote,
    Connect,
    Disconnect,
    EndKind,
    Event,
    Gib,
    Kill,
    LogPrint,
    LuaRestart,
    Pause,
    Rename,
    Revive,
    RoundSpec,
    ScenarioError,
    TeamChange,
    Unpause,
)

if TYPE_CHECKING:
    from etstats.testing.simulator.runner import Runner

RESUME_COUNTDOWN_MS = 10_000
"""The pause bit stays set this long after the unpause command."""
VOTE_PASS_MS = 3_000
"""A surrender vote passes this long after the ``callvote``."""
MAX_ROUND_MS = 4 * 3_600_000
TEAM_NAMES = {1: "Axis", 2: "Allies"}
EXIT_TEAM_NAMES = {1: "Axis", 2: "Allied"}
"""Team names in ``team eliminated.`` and Last Man Standing exit texts (g_main.c)."""


AUTO_RESUME_MS = 180_000
"""``match_timeoutlength``: a pause without an unpause resumes by itself (g_match.c)."""
PAUSE_EVENTS = (TeamChange, Connect, Disconnect, CallVote, Rename, LogPrint, LuaRestart)
"""What can still happen while paused (players are frozen: no kills, revives, gibs)."""


class RoundPlay:
    """Plays one round from the first PLAYING frame to its end; see :meth:`play`."""

    def __init__(self, runner: Runner, spec: RoundSpec) -> None:
        """Bind the runner; the round's first PLAYING frame has already run."""
        self.r = runner
        self.eng = runner.engine
        self.spec = spec
        first = next(e for e in reversed(runner.trace) if e.kind == "round_start")
        self.start_frame = first.level_ms
        self.events = sorted(spec.events, key=lambda e: e.at_ms)
        self.paused_total = 0
        self.pause_start: int | None = None
        """Level time the game clock froze (the frame before the pause bit is first seen)."""
        self.pause_bit_at = 0
        self.clear_at: int | None = None
        self.wave_due: dict[int, int] = {}
        self.vote_pass_at: int | None = None
        self.vote_team = 0
        self.exit_at: int | None = None
        self.outcome = EndKind.TIMELIMIT

    # --- clocks ------------------------------------------------------------------------
    @property
    def game_clock(self) -> int:
        """``level.timeCurrent - level.startTime``: pause-free ms since the round start."""
        ongoing = self.eng.level - self.pause_start if self.pause_start is not None else 0
        return self.eng.level - self.r.level_start_ms - self.paused_total - ongoing

    def due(self, at_ms: int) -> bool:
        """Whether a timeline time (ms after the first PLAYING frame) has been reached."""
        return self.eng.level >= self.start_frame + at_ms

    # --- the loop ----------------------------------------------------------------------
    def play(self) -> EndKind:
        """Run server frames until the round ends; returns how it ended.

        One server frame at level time T (``G_RunFrame``): pause-bit changes, reinforcement
        waves, exits (time limit, objective, vote results), then ``et_RunFrame(T)`` last. So
        a script sees waves and ``Exit:`` lines while it still holds the previous frame's
        levelTime. Client commands (kills, revives, team changes, votes, connects) run between
        frames at level time T. After an exit the next frame turns the gamestate INTERMISSION
        (``BeginIntermission``) before its ``et_RunFrame``; that frame is the last one here.
        """
        queue = [e for e in self.events if not (isinstance(e, Kill) and e.in_frame)]
        missiles = [e for e in self.events if isinstance(e, Kill) and e.in_frame]
        while self.eng.level - self.start_frame < MAX_ROUND_MS:
            self.eng.clock.advance(FRAME_MS)
            if self.exit_at is not None:
                self.eng.set_gamestate(GS_INTERMISSION)
                self.eng.dispatch("et_RunFrame", self.eng.level)
                return self.outcome
            self.pre_frame(queue)
            paused = self.pause_start is not None
            while missiles and self.due(missiles[0].at_ms):
                event = missiles.pop(0)
                if paused:
                    raise ScenarioError(f"{event!r} happens during a pause", event)
                self.apply(event)
            if not paused:
                self.waves()
            outcome = self.in_frame_exit(paused)
            if outcome is not None:
                self.exit_at, self.outcome = self.eng.level, outcome
            self.eng.dispatch("et_RunFrame", self.eng.level)
            self.tick_sessions()
            if self.exit_at is not None:
                continue
            end = self.spec.ending
            restarts = (EndKind.SHUTDOWN, EndKind.MAP_RESTART, EndKind.RCON_RESTART)
            if end.kind in restarts and self.due(end.at_ms):
                emit = "map_restart" if end.kind is EndKind.RCON_RESTART else end.kind.value
                self.r.record("end", **self.end_data(emit, emit, None, -1))
                if end.kind is EndKind.SHUTDOWN:  # restarts: Runner.restart_vms shuts down
                    self.eng.dispatch("et_ShutdownGame", 0)
                return end.kind
            self.between_frames(queue)
        raise ScenarioError("round never ended (no time limit and no ending)")

    def between_frames(self, queue: list[Event]) -> None:
        """Client and console commands due now (level time of the frame just run)."""
        end = self.spec.ending
        while queue and self.due(queue[0].at_ms):
            if isinstance(queue[0], Pause | Unpause):
                break
            event = queue.pop(0)
            if self.pause_start is not None and not isinstance(event, PAUSE_EVENTS):
                raise ScenarioError(f"{event!r} happens during a pause", event)
            self.apply(event)
        if end.kind is EndKind.SURRENDER and self.vote_pass_at is None and self.due(end.at_ms):
            self.callvote(end.caller, "surrender")
            self.vote_pass_at = self.eng.level + VOTE_PASS_MS
            # g_vote.c keeps the caller's team at call time (level.voteInfo.voteTeam); a
            # switch before the vote passes does not change which team surrenders
            self.vote_team = self.eng.clients[end.caller].team

    def in_frame_exit(self, paused: bool) -> EndKind | None:
        """Exits decided inside the frame: how the round ended when ``G_LogExit`` ran."""
        end = self.spec.ending
        if end.kind is EndKind.SURRENDER:
            if self.vote_pass_at is not None and self.eng.level >= self.vote_pass_at:
                team = self.vote_team
                if team not in (1, 2):
                    raise ScenarioError("the surrender caller must be on Axis or Allies")
                self.exit(f"{TEAM_NAMES[team]} Surrender", "surrender", 2 - team, end.caller)
                return end.kind
            return None
        if end.kind is EndKind.NEXTMAP_VOTE and self.due(end.at_ms):
            self.exit("Nextmap vote passed", "nextmap_vote", -1, None)
            return end.kind
        if paused:  # the game is frozen: no objective, no kills, no time limit
            return None
        if end.kind is EndKind.OBJECTIVE and self.due(end.at_ms):
            self.exit("Wolf EndRound.", "objective", end.winner - 1, None)
            return end.kind
        if end.kind is EndKind.ELIMINATED and self.due(end.at_ms):
            loser = EXIT_TEAM_NAMES[3 - end.winner]
            self.exit(f"{loser} team eliminated.", "team_eliminated", end.winner - 1, None)
            return end.kind
        if end.kind is EndKind.FIRST_BLOOD and self.due(end.at_ms):
            text = f"{EXIT_TEAM_NAMES[end.winner]} team wins by drawing First Blood."
            self.exit(text, "first_blood", end.winner - 1, None)
            return end.kind
        if end.kind is EndKind.MOST_SURVIVORS and self.due(end.at_ms):
            text = f"{EXIT_TEAM_NAMES[end.winner]} team has the most survivors."
            self.exit(text, "most_survivors", end.winner - 1, None)
            return end.kind
        limit = round(float(self.eng.cvars["timelimit"] or 0) * 60000)
        if limit > 0 and self.game_clock >= limit:
            defender = int(self.eng.configstrings.get(13, "\\d\\0").split("\\")[-1])
            self.exit("Timelimit hit.", "time_expired", defender, None)
            return EndKind.TIMELIMIT
        return None

    def pre_frame(self, queue: list[Event]) -> None:
        """Pause-bit changes that this frame's ``et_RunFrame`` already sees.

        The game clock froze one frame before the bit is first seen and runs again from the
        frame before the bit is first clear, so a pause costs the game clock exactly the
        time the bit was set. ``CS_LEVEL_START_TIME`` follows the frozen clock whenever it
        is 500 ms or more behind, and exactly at the unpause."""
        level = self.eng.level
        while queue and isinstance(queue[0], Pause | Unpause) and self.due(queue[0].at_ms):
            event = queue.pop(0)
            if isinstance(event, Pause):
                if self.pause_start is not None:
                    raise ScenarioError("pause while already paused", event)
                self.pause_start, self.pause_bit_at, self.clear_at = level - FRAME_MS, level, None
                self.r.set_pause_bit(True)
                self.r.record("pause_start", freeze_ms=level - FRAME_MS)
                for c in self.eng.clients:
                    c.frozen = c.connected == 2 and c.team in (1, 2)
            else:
                if self.pause_start is None or self.clear_at is not None:
                    raise ScenarioError("unpause while not paused", event)
                self.clear_at = level + RESUME_COUNTDOWN_MS
        if self.pause_start is None:
            return
        if self.clear_at is None and level - self.pause_bit_at >= AUTO_RESUME_MS:
            self.clear_at = level + RESUME_COUNTDOWN_MS  # match_timeoutlength ran out
        if self.clear_at is not None and level >= self.clear_at:
            self.paused_total += level - self.pause_bit_at
            self.pause_start, self.clear_at = None, None
            self.r.set_pause_bit(False)
            self.r.record("pause_end", freeze_ms=level - FRAME_MS)
            for c in self.eng.clients:
                c.frozen = False
            self.eng.configstrings[CS_LEVEL_START_TIME] = str(
                self.r.level_start_ms + self.paused_total
            )
            return
        true_start = self.r.level_start_ms + self.paused_total + (level - self.pause_start)
        shown = int(self.eng.configstrings.get(CS_LEVEL_START_TIME, "0") or 0)
        if true_start - shown >= 500:
            self.eng.configstrings[CS_LEVEL_START_TIME] = str(true_start)

    def tick_sessions(self) -> None:
        """Cumulative ``sess.time_*`` counters (ms), pause-free (g_active.c): team time while
        on a team, ``time_played`` only while alive and not in limbo."""
        if self.pause_start is not None:
            return
        for c in self.eng.clients:
            if c.connected == 2 and c.team in (1, 2):
                key = "time_axis" if c.team == 1 else "time_allies"
                c.sess[key] = c.sess.get(key, 0) + FRAME_MS
                if c.health > 0 and not c.limbo:
                    c.sess["time_played"] = c.sess.get("time_played", 0) + FRAME_MS

    # --- events ------------------------------------------------------------------------
    def client(self, slot: int, what: str) -> Client:
        """A connected client or a :class:`ScenarioError`."""
        if not 0 <= slot < self.eng.max_clients or self.eng.clients[slot].connected != 2:
            raise ScenarioError(f"{what}: slot {slot} is not connected at {self.eng.level}")
        return self.eng.clients[slot]

    def apply(self, event: Event) -> None:
        """Make one timeline event happen now (a :class:`ScenarioError` names the event)."""
        try:
            self._apply(event)
        except ScenarioError as exc:
            if exc.event is None:
                exc.event = event
            raise

    def _apply(self, event: Event) -> None:
        if isinstance(event, Kill):
            self.kill(event)
        elif isinstance(event, Gib):
            c = self.client(event.victim, "gib")
            if not c.downed:
                raise ScenarioError(f"gib of slot {event.victim} that is not downed")
            c.downed, c.gibbed, c.limbo, c.health = False, True, True, -150
        elif isinstance(event, Revive):
            c = self.client(event.victim, "revive")
            medic = self.client(event.reviver, "reviver")
            if not c.downed or not medic.alive or medic.team != c.team:
                raise ScenarioError(f"impossible revive of slot {event.victim}")
            self.wave_due.pop(c.slot, None)
            self.r.spawn(c, revived=1)
        elif isinstance(event, Disconnect):
            c = self.client(event.slot, "disconnect")
            self.eng.dispatch("et_ClientDisconnect", c.slot)
            c.connected, c.health, c.downed, c.limbo = 0, 0, False, False
            self.wave_due.pop(c.slot, None)
            self.r.present.discard(c.slot)
            self.eng.set_player_configstring(c)
            self.r.record("disconnect", slot=c.slot)
        elif isinstance(event, Connect):
            self.connect(event)
        elif isinstance(event, TeamChange):
            self.team_change(event.slot, event.team)
        elif isinstance(event, CallVote):
            self.callvote(event.slot, event.vote)
        elif isinstance(event, LogPrint):
            self.eng.server_log.append(event.text)
            self.eng.print_line(event.text)
        elif isinstance(event, LuaRestart):
            self.r.record("lua_restart")
            self.r.lua_restart()
        elif isinstance(event, Rename):
            c = self.client(event.slot, "rename")
            wire = event.name.encode(self.r.spec_of(event.slot).name_encoding)
            c.name = wire.decode("latin-1")
            self.eng.set_player_configstring(c)
            self.r.record("rename", slot=c.slot, name=c.name)
            self.eng.dispatch("et_ClientUserinfoChanged", c.slot)

    def kill(self, event: Kill) -> None:
        """An obituary: the victim dies (downed, or gibbed) and waits for a wave or revive."""
        victim = self.client(event.victim, "kill victim")
        if not victim.alive:
            raise ScenarioError(f"kill of slot {event.victim} who is not alive")
        if event.killer < self.eng.max_clients:
            if self.client(event.killer, "killer").team not in (1, 2):
                raise ScenarioError(f"killer {event.killer} is not on Axis or Allies")
        elif event.killer not in (1022, 1023):
            raise ScenarioError(f"killer {event.killer} is neither a client nor the world")
        victim.health = -150 if event.gib else 0
        victim.downed, victim.gibbed, victim.limbo = not event.gib, event.gib, event.gib
        victim.death_time = self.eng.level
        self.die(victim, event.killer, event.mod)

    def die(self, victim: Client, killer: int, mod: int) -> None:
        """``et_Obituary`` plus the ``Kill:`` log line; schedules the respawn wave."""
        self.r.record("obituary", victim=victim.slot, killer=killer, mod=mod)
        self.eng.dispatch("et_Obituary", victim.slot, killer, mod)
        names = self.eng.clients
        who = names[killer].name if killer < self.eng.max_clients else "<world>"
        text = f"Kill: {killer} {victim.slot} {mod}: {who} killed {victim.name} by MOD_{mod}\n"
        self.eng.print_line(text)
        victim.sess["deaths"] = victim.sess.get("deaths", 0) + (mod != MOD_SWITCHTEAM)
        self.schedule_wave(victim)

    def schedule_wave(self, c: Client) -> None:
        """Respawn at the first wave of ``c``'s team strictly after the current game clock."""
        limbo = int(self.eng.cvars["g_redlimbotime" if c.team == 1 else "g_bluelimbotime"])
        self.wave_due[c.slot] = (self.game_clock // limbo + 1) * limbo

    def waves(self) -> None:
        """Reinforcement waves (inside the frame): dead players whose wave has come spawn
        now with ``et_ClientSpawn(n, 0, 0, 1)``."""
        for slot, due in sorted(self.wave_due.items()):
            c = self.eng.clients[slot]
            if self.game_clock >= due:
                del self.wave_due[slot]
                if c.connected == 2 and c.team in (1, 2) and c.health <= 0:
                    self.r.spawn(c)

    def team_change(self, slot: int, team: int) -> None:
        """``SetTeam``: a ``MOD_SWITCHTEAM`` obituary for a living player on Axis/Allies,
        userinfo, the teamChange spawn, then limbo until the next wave of the new team."""
        c = self.client(slot, "team change")
        if team == c.team or team not in (1, 2, 3):
            raise ScenarioError(f"bad team change of slot {slot} to {team}")
        switched = c.team in (1, 2) and c.health > 0 and not c.limbo
        if switched:
            c.health = 0
            self.r.record("obituary", victim=slot, killer=slot, mod=MOD_SWITCHTEAM)
            self.eng.dispatch("et_Obituary", slot, slot, MOD_SWITCHTEAM)
            text = f"Kill: {slot} {slot} {MOD_SWITCHTEAM}: {c.name} killed {c.name} by MOD_59\n"
            self.eng.print_line(text)
        c.team, c.downed, c.gibbed, c.limbo = team, False, False, False
        self.wave_due.pop(slot, None)
        changed = self.eng.set_player_configstring(c)
        self.r.record("team", slot=slot, team=team)
        if changed:
            self.eng.dispatch("et_ClientUserinfoChanged", slot)
        if self.r.team_spawn(c, switched=switched):
            self.schedule_wave(c)

    def connect(self, event: Connect) -> None:
        """A late join: a human connects as a spectator and joins ``event.team`` (limbo until
        the next wave); a bot connects onto ``event.team``."""
        c = self.eng.clients[event.slot]
        if c.connected:
            raise ScenarioError(f"slot {event.slot} connects while connected")
        self.r.spec_of(event.slot)
        if c.is_bot or event.team not in (1, 2):
            if self.r.connect(c, 1, event.team) and c.limbo:
                self.schedule_wave(c)
            return
        if self.r.connect(c, 1, 3):
            self.team_change(event.slot, event.team)

    def callvote(self, slot: int, vote: str) -> None:
        """``callvote <vote>`` through ``et_ClientCommand`` (Argv 0 ``callvote``).

        While the round-ending surrender vote runs, the engine refuses any other vote ("a vote
        is already in progress"); modules would still see the command, so a script could not
        tell it from a real one. Scenarios never do that: it is a :class:`ScenarioError`.
        """
        if self.vote_pass_at is not None:
            raise ScenarioError(f"callvote by slot {slot} while a vote is in progress")
        self.client(slot, "callvote")
        self.eng.args = ["callvote", vote]
        self.r.record("callvote", slot=slot, vote=vote)
        self.eng.dispatch("et_ClientCommand", slot, "callvote")
        self.eng.args = []

    # --- the end -----------------------------------------------------------------------
    def end_data(
        self, emit: str, reason: str, exit_line: str | None, caller: int
    ) -> dict[str, object]:
        """The ``end`` trace data."""
        w = self.eng.configstrings.get(CS_MULTI_MAPWINNER, "\\w\\-1").split("\\")[-1]
        d = self.eng.configstrings.get(13, "\\d\\0").split("\\")[-1]
        team = self.vote_team if caller >= 0 else 0  # the surrendering team (voteTeam)
        shown_start = int(self.eng.configstrings.get(CS_LEVEL_START_TIME, "0") or 0)
        return {
            "emit": emit,
            "reason": reason,
            "exit_line": exit_line,
            "winner": int(w) + 1,
            "defender": int(d) + 1,
            "surrender_team": team,
            "caller_slot": caller,
            # what the engine shows: levelTime - CS_LEVEL_START_TIME (the game clock, up to
            # 500 ms early while paused)
            "play_ms": self.eng.level - shown_start,
        }

    def exit(self, text: str, reason: str, winner_w: int, caller: int | None) -> None:
        """``G_LogExit``: winner, ``Exit:`` line, intermission flag, stopwatch cvars."""
        eng = self.eng
        eng.configstrings[CS_MULTI_MAPWINNER] = f"\\w\\{winner_w}"
        line = f"Exit: {text}"
        data = self.end_data("round_end", reason, line, -1 if caller is None else caller)
        self.r.record("end", **data)
        eng.print_line(line + "\n")
        eng.configstrings[CS_INTERMISSION] = "1"
        second = self.spec.ending.second_exit
        if second is not None:  # g_main.c: a later G_LogExit before the intermission
            eng.print_line(f"Exit: {second} (already triggered)\n")
        gametype = int(eng.cvars.get("g_gametype", "0"))
        if gametype == 5:  # Last Man Standing: g_currentRound counts the rounds
            eng.cvars["g_currentRound"] = str(int(eng.cvars["g_currentRound"]) + 1)
        if gametype == 3:
            if eng.cvars["g_currentRound"] == "0":
                defender = int(eng.configstrings.get(13, "\\d\\0").split("\\")[-1])
                limit = float(eng.cvars["timelimit"] or 0)
                nxt = limit if winner_w == defender else self.game_clock / 60000
                eng.cvars["g_nextTimeLimit"] = f"{nxt:f}"
                eng.cvars["g_currentRound"] = "1"
            else:
                eng.cvars["g_nextTimeLimit"] = "0"
                eng.cvars["g_currentRound"] = "0"
