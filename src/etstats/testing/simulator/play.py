"""One round's PLAYING phase: frames, timeline events, waves, pauses and the ending."""

from __future__ import annotations

from typing import TYPE_CHECKING

from etstats.testing.simulator.clock import FRAME_MS
from etstats.testing.simulator.engine import (
    CS_INTERMISSION,
    CS_LEVEL_START_TIME,
    CS_MULTI_MAPWINNER,
    Client,
)  # fmt: skip
from etstats.testing.simulator.scenario import (
    MOD_SWITCHTEAM,
    CallVote,
    Connect,
    Disconnect,
    EndKind,
    Event,
    Gib,
    Kill,
    Pause,
    Rename,
    Revive,
    RoundSpec,
    ScenarioError,
    TeamChange,
    Unpause,
)  # fmt: skip

if TYPE_CHECKING:
    from etstats.testing.simulator.runner import Runner

RESUME_COUNTDOWN_MS = 10_000
"""The pause bit stays set this long after the unpause command."""
VOTE_PASS_MS = 3_000
"""A surrender vote passes this long after the ``callvote``."""
MAX_ROUND_MS = 4 * 3_600_000
TEAM_NAMES = {1: "Axis", 2: "Allies"}


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
        self.clear_at: int | None = None
        self.wave_due: dict[int, int] = {}
        self.vote_pass_at: int | None = None

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
        """Run frames until the round ends; returns how it ended."""
        limit = round(float(self.eng.cvars["timelimit"] or 0) * 60000)
        end = self.spec.ending
        queue = list(self.events)
        while self.eng.level - self.start_frame < MAX_ROUND_MS:
            self.eng.clock.advance(FRAME_MS)
            self.pre_frame(queue)
            self.eng.dispatch("et_RunFrame", self.eng.level)
            self.tick_sessions()
            while queue and self.due(queue[0].at_ms):
                if isinstance(queue[0], Pause | Unpause):
                    break
                event = queue.pop(0)
                if self.pause_start is not None:
                    raise ScenarioError(f"{event!r} happens during a pause", event)
                self.apply(event)
            if self.pause_start is not None:
                continue
            self.waves()
            if end.kind in (EndKind.SHUTDOWN, EndKind.MAP_RESTART) and self.due(end.at_ms):
                self.r.record("end", **self.end_data(end.kind.value, end.kind.value, None, -1))
                self.eng.dispatch("et_ShutdownGame", 0 if end.kind is EndKind.SHUTDOWN else 1)
                return end.kind
            if end.kind is EndKind.OBJECTIVE and self.due(end.at_ms):
                self.exit("Wolf EndRound.", "objective", end.winner - 1, None)
                return end.kind
            if end.kind is EndKind.ELIMINATED and self.due(end.at_ms):
                loser = TEAM_NAMES[3 - end.winner]
                self.exit(f"{loser} team eliminated.", "team_eliminated", end.winner - 1, None)
                return end.kind
            if end.kind is EndKind.NEXTMAP_VOTE and self.due(end.at_ms):
                self.exit("Nextmap vote passed", "nextmap_vote", -1, None)
                return end.kind
            if end.kind is EndKind.SURRENDER and self.due(end.at_ms):
                if self.vote_pass_at is None:
                    self.callvote(end.caller, "surrender")
                    self.vote_pass_at = self.eng.level + VOTE_PASS_MS
                elif self.eng.level >= self.vote_pass_at:
                    team = self.eng.clients[end.caller].team
                    if team not in (1, 2):
                        raise ScenarioError("the surrender caller must be on Axis or Allies")
                    text = f"{TEAM_NAMES[team]} Surrender"
                    self.exit(text, "surrender", 2 - team, end.caller)
                    return end.kind
            if limit > 0 and self.game_clock >= limit:
                defender = int(self.eng.configstrings.get(13, "\\d\\0").split("\\")[-1])
                self.exit("Timelimit hit.", "time_expired", defender, None)
                return EndKind.TIMELIMIT
        raise ScenarioError("round never ended (no time limit and no ending)")

    def pre_frame(self, queue: list[Event]) -> None:
        """Pause-bit changes that the coming ``et_RunFrame`` already sees."""
        level = self.eng.level
        while queue and isinstance(queue[0], Pause | Unpause) and self.due(queue[0].at_ms):
            event = queue.pop(0)
            if isinstance(event, Pause):
                if self.pause_start is not None:
                    raise ScenarioError("pause while already paused", event)
                self.pause_start, self.clear_at = level, None
                self.r.set_pause_bit(True)
                self.r.record("pause_start")
                for c in self.eng.clients:
                    c.frozen = c.connected == 2 and c.team in (1, 2)
            else:
                if self.pause_start is None or self.clear_at is not None:
                    raise ScenarioError("unpause while not paused", event)
                self.clear_at = self.eng.clock.level_ms + RESUME_COUNTDOWN_MS
        if self.pause_start is not None:
            if self.clear_at is not None and level >= self.clear_at:
                self.paused_total += level - self.pause_start
                self.pause_start, self.clear_at = None, None
                self.r.set_pause_bit(False)
                self.r.record("pause_end")
                for c in self.eng.clients:
                    c.frozen = False
                start = self.r.level_start_ms + self.paused_total
            else:
                ongoing = level - self.pause_start
                start = self.r.level_start_ms + self.paused_total + ongoing // 500 * 500
            self.eng.configstrings[CS_LEVEL_START_TIME] = str(start)

    def tick_sessions(self) -> None:
        """Cumulative ``sess.time_*`` counters (ms) of players on a team, pause-free."""
        if self.pause_start is not None:
            return
        for c in self.eng.clients:
            if c.connected == 2 and c.team in (1, 2):
                key = "time_axis" if c.team == 1 else "time_allies"
                c.sess[key] = c.sess.get(key, 0) + FRAME_MS
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
        """Reinforcement waves: dead players whose wave has come spawn now."""
        for slot, due in sorted(self.wave_due.items()):
            c = self.eng.clients[slot]
            if self.game_clock >= due:
                del self.wave_due[slot]
                if c.connected == 2 and c.team in (1, 2) and c.health <= 0:
                    self.r.spawn(c, team_change=int(c.sess.pop("pending_tc", 0)))

    def team_change(self, slot: int, team: int) -> None:
        """``SetTeam``: MOD_SWITCHTEAM obituary when leaving Axis/Allies, then limbo."""
        c = self.client(slot, "team change")
        if team == c.team or team not in (1, 2, 3):
            raise ScenarioError(f"bad team change of slot {slot} to {team}")
        if c.team in (1, 2):
            c.health = 0
            self.r.record("obituary", victim=slot, killer=slot, mod=MOD_SWITCHTEAM)
            self.eng.dispatch("et_Obituary", slot, slot, MOD_SWITCHTEAM)
        c.team, c.downed, c.gibbed = team, False, False
        c.limbo, c.health = team in (1, 2), 0
        self.wave_due.pop(slot, None)
        self.eng.set_player_configstring(c)
        self.r.record("team", slot=slot, team=team)
        self.eng.dispatch("et_ClientUserinfoChanged", slot)
        if team in (1, 2):
            c.sess["pending_tc"] = 1
            self.schedule_wave(c)

    def connect(self, event: Connect) -> None:
        """A late join: connect, begin in limbo on ``event.team``, spawn at the next wave."""
        c = self.eng.clients[event.slot]
        if c.connected:
            raise ScenarioError(f"slot {event.slot} connects while connected")
        self.r.spec_of(event.slot)
        c.team, c.health, c.limbo = event.team, 0, event.team in (1, 2)
        if self.r.connect(c, first_time=1) and event.team in (1, 2):
            self.schedule_wave(c)

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
        team = self.eng.clients[caller].team if caller >= 0 else 0
        return {
            "emit": emit, "reason": reason, "exit_line": exit_line, "winner": int(w) + 1,
            "defender": int(d) + 1, "surrender_team": team, "caller_slot": caller,
            "play_ms": self.game_clock,
        }  # fmt: skip

    def exit(self, text: str, reason: str, winner_w: int, caller: int | None) -> None:
        """``G_LogExit``: winner, ``Exit:`` line, intermission flag, stopwatch cvars."""
        eng = self.eng
        eng.configstrings[CS_MULTI_MAPWINNER] = f"\\w\\{winner_w}"
        line = f"Exit: {text}"
        data = self.end_data("round_end", reason, line, -1 if caller is None else caller)
        self.r.record("end", **data)
        eng.print_line(line + "\n")
        eng.configstrings[CS_INTERMISSION] = "1"
        if int(eng.cvars.get("g_gametype", "0")) == 3:
            if eng.cvars["g_currentRound"] == "0":
                defender = int(eng.configstrings.get(13, "\\d\\0").split("\\")[-1])
                limit = float(eng.cvars["timelimit"] or 0)
                nxt = limit if winner_w == defender else self.game_clock / 60000
                eng.cvars["g_nextTimeLimit"] = f"{nxt:f}"
                eng.cvars["g_currentRound"] = "1"
            else:
                eng.cvars["g_nextTimeLimit"] = "0"
                eng.cvars["g_currentRound"] = "0"
