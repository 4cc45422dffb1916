"""Named scenarios shipped with the simulator; ``etstats lua-check`` runs all of them.

Together they cover: a stopwatch map (two rounds), pauses, revives, gibs, self kills, team
kills, world kills, a disconnect and a team switch while dead, a move to the spectators, a late
join and a reconnect, a 16-slot server, names with colour codes, quotes, control bytes and
Latin-1 bytes, a surrender (after a failed vote), a shutdown mid-round and an admin
map_restart mid-round, a team elimination and a nextmap vote.
"""

from __future__ import annotations

from etstats.testing.simulator.scenario import (
    MOD_FALLING,
    MOD_SUICIDE,
    WORLD,
    CallVote,
    Connect,
    Disconnect,
    Ending,
    EndKind,
    Gib,
    Kill,
    LogPrint,
    LuaRestart,
    Pause,
    PlayerSpec,
    Rename,
    Revive,
    RoundSpec,
    Scenario,
    TeamChange,
    Unpause,
    guid_for,
)


def team_players(axis: int, allies: int, *, start: int = 0) -> tuple[PlayerSpec, ...]:
    """``axis`` Axis players then ``allies`` Allies players in consecutive slots."""
    out = []
    for i in range(axis + allies):
        team = 1 if i < axis else 2
        name = f"^{'1' if team == 1 else '4'}{'Axis' if team == 1 else 'Allies'}^7{i}"
        out.append(PlayerSpec(start + i, guid_for(start + i), name, team))
    return tuple(out)


def _objective(at_ms: int, winner: int = 2) -> Ending:
    return Ending(EndKind.OBJECTIVE, at_ms=at_ms, winner=winner)


def stopwatch_map() -> Scenario:
    """Two full rounds: R1 ends by objective, R2 runs into the fractional time limit.
    Warmup kills before each round must not count."""
    r1 = RoundSpec(
        events=(Kill(4_000, 0, 2), Kill(9_000, 3, 1), Kill(21_000, 2, 0), Kill(33_000, 1, 3)),
        ending=_objective(50_000),
        warmup_events=(Kill(1_000, 1, 2), Kill(1_500, 3, 3, MOD_SUICIDE)),
    )
    r2 = RoundSpec(
        events=(Kill(6_000, 2, 1), Kill(15_000, 0, 3), Kill(31_000, 3, 0)),
        warmup_events=(Kill(500, 0, 1),),
    )
    return Scenario("stopwatch_map", stopwatch_map.__doc__ or "", team_players(2, 2), (r1, r2))


def pauses() -> Scenario:
    """Two pauses; a player killed just before a pause waits through it (pause overlap)."""
    r1 = RoundSpec(
        events=(
            Kill(3_000, 0, 2),
            Pause(5_000),
            Unpause(9_000),
            Kill(30_000, 2, 1),
            Kill(31_000, 1, 3),
            Pause(32_000),
            Unpause(34_000),
        ),
        ending=_objective(60_000, winner=1),
    )
    return Scenario("pauses", pauses.__doc__ or "", team_players(2, 2), (r1, RoundSpec()))


def revives_and_gibs() -> Scenario:
    """A revive, a gib of a downed body, an instant gib; revived players count revives."""
    r1 = RoundSpec(
        events=(
            Kill(2_000, 0, 3),
            Revive(6_000, 0, 1),
            Kill(8_000, 1, 2),
            Gib(9_000, 1),
            Kill(12_000, 2, 0, gib=True),
            Kill(31_000, 0, 3),
            Revive(33_000, 0, 1),
        ),
        ending=_objective(45_000),
    )
    return Scenario("revives_and_gibs", revives_and_gibs.__doc__ or "", team_players(2, 2), (r1,))


def self_team_world_kills() -> Scenario:
    """A self kill (/kill), a team kill and a world kill (falling): no denied time for them.
    Two missile deaths happen inside the server frame (before et_RunFrame)."""
    r1 = RoundSpec(
        events=(
            Kill(2_000, 0, 0, MOD_SUICIDE),
            Kill(4_000, 2, 3),
            Kill(6_000, 1, WORLD, MOD_FALLING),
            Kill(8_000, 3, 1),
            Kill(33_000, 0, 2, in_frame=True),
            Kill(34_000, 2, 0, in_frame=True),
        ),
        ending=_objective(40_000, winner=1),
    )
    sc = Scenario(
        "self_team_world_kills", self_team_world_kills.__doc__ or "", team_players(2, 2), (r1,)
    )
    return sc


def leavers_and_joiners() -> Scenario:
    """Disconnect while dead, team switch while dead, spectator while dead, late join,
    reconnect, rename."""
    players = (
        *team_players(3, 3),
        PlayerSpec(6, guid_for(6), "Late^3Joiner", 2, present_at_start=False),
    )
    r1 = RoundSpec(
        events=(
            Kill(2_000, 0, 3),
            Disconnect(5_000, 0),
            Kill(3_000, 1, 4),
            TeamChange(6_000, 1, 2),
            Kill(4_000, 2, 5),
            TeamChange(7_000, 2, 3),
            Connect(10_000, 6, 2),
            TeamChange(12_000, 5, 1),
            Connect(20_000, 0, 1),
            Rename(25_000, 0, "^5Back^7Again"),
            Kill(40_000, 6, 3),
        ),
        ending=_objective(55_000),
    )
    return Scenario(
        "leavers_and_joiners", leavers_and_joiners.__doc__ or "", players, (r1, RoundSpec())
    )


def full_server() -> Scenario:
    """16 of 16 slots (slot 15 a bot without GUID), busy kill feed; client fields of entities
    >= 16 must raise."""
    events = tuple(
        Kill(base + 700 * i, (i * 5) % 16, (i * 5 + 8) % 16)
        for base in (1_000, 40_000)
        for i in range(16)
    )
    r1 = RoundSpec(events=events, ending=_objective(70_000))
    players = (*team_players(8, 7), PlayerSpec(15, None, "[BOT]Sim", 2, is_bot=True))
    return Scenario("full_server", full_server.__doc__ or "", players, (r1,), timelimit_min=1.5)


def hostile_names() -> Scenario:
    """Names with colour codes, quotes, control bytes, DEL, Latin-1 and UTF-8 letters."""
    names = (
        '^1"quoted" ^7name',
        "ctl\x08\x1b[31m\x01\x7fend",
        "caf\xe9 latin1",
        "^2\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9 \U0001f600",
        "tab\there'apos",
    )
    players = tuple(
        PlayerSpec(
            i,
            guid_for(100 + i),
            name,
            1 + i % 2,
            name_encoding="latin-1" if "latin1" in name else "utf-8",
        )
        for i, name in enumerate(names)
    )
    r1 = RoundSpec(
        events=(Kill(2_000, 0, 1), Kill(3_000, 1, 2), Kill(5_000, 3, 4)),
        ending=Ending(EndKind.SURRENDER, at_ms=20_000, caller=0),
    )
    return Scenario("hostile_names", hostile_names.__doc__ or "", players, (r1,))


def surrender_after_failed_vote() -> Scenario:
    """A surrender vote that fails, then one that passes: only the second is the caller."""
    r1 = RoundSpec(
        events=(CallVote(3_000, 2), Kill(5_000, 2, 0)),
        ending=Ending(EndKind.SURRENDER, at_ms=30_000, caller=1),
    )
    return Scenario(
        "surrender_after_failed_vote",
        surrender_after_failed_vote.__doc__ or "",
        team_players(2, 2),
        (r1, RoundSpec()),
    )


def shutdown_mid_round() -> Scenario:
    """R1 completes; the server changes map 25 s into R2 with a player dead."""
    r2 = RoundSpec(events=(Kill(20_000, 1, 2),), ending=Ending(EndKind.SHUTDOWN, at_ms=25_000))
    return Scenario(
        "shutdown_mid_round",
        shutdown_mid_round.__doc__ or "",
        team_players(2, 2),
        (RoundSpec(ending=_objective(30_000)), r2),
    )


def admin_restart() -> Scenario:
    """An admin map_restart 20 s into R1 (player dead); R1 is replayed, then R2."""
    aborted = RoundSpec(
        events=(Kill(10_000, 0, 2),), ending=Ending(EndKind.MAP_RESTART, at_ms=20_000)
    )
    return Scenario(
        "admin_restart",
        admin_restart.__doc__ or "",
        team_players(2, 2),
        (aborted, RoundSpec(ending=_objective(30_000)), RoundSpec()),
        timelimit_min=1.0,
    )


def other_exits() -> Scenario:
    """R1 ends with ``Exit: Axis team eliminated.``, R2 with ``Exit: Nextmap vote passed``."""
    r1 = RoundSpec(
        events=(Kill(3_000, 0, 2), Kill(4_000, 1, 3)),
        ending=Ending(EndKind.ELIMINATED, at_ms=5_000, winner=2),
    )
    r2 = RoundSpec(ending=Ending(EndKind.NEXTMAP_VOTE, at_ms=4_000))
    return Scenario("other_exits", other_exits.__doc__ or "", team_players(2, 2), (r1, r2))


def team_joins_and_switches() -> Scenario:
    """Spec 4.7 team changes: a switch while dead keeps the death and its killer until the
    wave on the new team; a living switch (MOD_SWITCHTEAM) and a late join wait in limbo
    (dead time without a killer, no spawn); dead to spectator closes the death; a spectator
    joins a team; a human connects mid-round (spectator first), a bot straight onto a team."""
    players = (
        *team_players(3, 3),
        PlayerSpec(6, guid_for(6), "Late^3Human", 1, present_at_start=False),
        PlayerSpec(7, None, "[BOT]Late", 2, is_bot=True, present_at_start=False),
    )
    r1 = RoundSpec(
        events=(
            Kill(5_000, 0, 3),
            TeamChange(8_000, 0, 2),
            TeamChange(10_000, 1, 2),
            Kill(12_000, 2, 4),
            TeamChange(14_000, 2, 3),
            Connect(15_000, 6, 1),
            Connect(16_000, 7, 2),
            TeamChange(25_000, 2, 1),
            TeamChange(40_000, 5, 3),
            Kill(45_000, 6, 3),
            Kill(46_000, 3, 6),
        ),
        ending=_objective(70_000),
    )
    return Scenario(
        "team_joins_and_switches",
        team_joins_and_switches.__doc__ or "",
        players,
        (r1, RoundSpec(events=(TeamChange(300, 0, 2),))),
    )


def spoofed_exits() -> Scenario:
    """R1 ends by objective while a second exit is logged "(already triggered)": the first
    stands. In R2 (CS_INTERMISSION still "1" from R1) another module prints ``Exit:`` lines
    with et.G_LogPrint: the gamestate never turns INTERMISSION, so they are not exits."""
    r1 = RoundSpec(
        events=(Kill(3_000, 0, 2),),
        ending=Ending(EndKind.OBJECTIVE, at_ms=30_000, winner=2, second_exit="Timelimit hit."),
    )
    r2 = RoundSpec(
        events=(
            LogPrint(10_000, "Exit: Wolf EndRound."),
            LogPrint(12_000, "Exit: Axis Surrender"),
            Kill(15_000, 1, 3),
        ),
        ending=_objective(25_000, winner=1),
    )
    return Scenario("spoofed_exits", spoofed_exits.__doc__ or "", team_players(2, 2), (r1, r2))


def spoof_before_real_exit() -> Scenario:
    """Another module's ``Exit:`` line one frame before the engine's real exit: the spoof is
    still undecided (its confirming frame has not run) when the real line arrives, and must
    not shadow it. R1: a spoof 149 ms before the objective. R2: a spoof just before a
    surrender vote is called; the vote still names the caller, by the name he took after
    calling it (as in the player list). (Hypothesis found both.)"""
    r1 = RoundSpec(
        events=(LogPrint(29_851, "Exit: Wolf EndRound."),), ending=_objective(30_000, winner=1)
    )
    r2 = RoundSpec(
        events=(LogPrint(9_979, "Exit: Wolf EndRound."), Rename(11_000, 0, "Re^3named")),
        ending=Ending(EndKind.SURRENDER, at_ms=10_001, caller=0),
    )
    return Scenario(
        "spoof_before_real_exit", spoof_before_real_exit.__doc__ or "", team_players(2, 2), (r1, r2)
    )


def wave_at_resume() -> Scenario:
    """A death 650 ms before a pause; the first wave after the resume comes in the frame whose
    pause bit is first clear. The game clock ran again from the frame before, so that frame
    is dead time, not paused time (a script closing the death before the pause is 50 ms
    short). (Found by Hypothesis.)"""
    r1 = RoundSpec(
        events=(Kill(19_300, 1, 0), Pause(19_950), Unpause(27_750)), ending=_objective(55_000)
    )
    return Scenario("wave_at_resume", wave_at_resume.__doc__ or "", team_players(1, 1), (r1,))


def rcon_restart_first_second() -> Scenario:
    """A bare rcon map_restart 1 s into R1: the replay of R1 starts in the same second, so
    both files would have the same name; the aborted round must not be overwritten.
    (Found by Hypothesis.)"""
    aborted = RoundSpec(ending=Ending(EndKind.RCON_RESTART, at_ms=1_000))
    return Scenario(
        "rcon_restart_first_second",
        rcon_restart_first_second.__doc__ or "",
        team_players(1, 1),
        (aborted, RoundSpec(ending=_objective(20_000))),
        timelimit_min=1.0,
    )


def guidless_reconnect() -> Scenario:
    """A client without a GUID leaves and reconnects into the same slot: one entry per
    connection (docs/formats/gametimes-v1.md), not one merged player. (Found by Hypothesis;
    the ground truth was wrong.)"""
    players = (PlayerSpec(0, None, "No^3Guid", 1), *team_players(0, 1, start=1))
    r1 = RoundSpec(
        events=(Kill(300, 0, 1), Disconnect(582, 0), Connect(3_480, 0, 1)),
        ending=_objective(20_000, winner=1),
    )
    return Scenario("guidless_reconnect", guidless_reconnect.__doc__ or "", players, (r1,))


def surrender_caller_switches() -> Scenario:
    """The surrender caller switches team while his vote runs: the engine keeps the team of
    the call (``level.voteInfo.voteTeam``), so Axis surrender and he is the caller. (Found by
    Hypothesis; the simulator took the caller's team at the pass.)"""
    r1 = RoundSpec(
        events=(TeamChange(6_000, 0, 2),), ending=Ending(EndKind.SURRENDER, at_ms=5_000, caller=0)
    )
    return Scenario(
        "surrender_caller_switches",
        surrender_caller_switches.__doc__ or "",
        team_players(2, 2),
        (r1,),
    )


def pauses_with_events() -> Scenario:
    """During a pause: a living switch, a join, a vote, the killer of a dead player leaves
    (the denied time is still his); no unpause, so the engine resumes after 180 s. Then a
    second pause during which a surrender vote passes and ends the round."""
    players = (
        *team_players(2, 2),
        PlayerSpec(4, guid_for(4), "Pause^2Joiner", 1, present_at_start=False),
    )
    r1 = RoundSpec(
        events=(
            Kill(2_000, 0, 2),
            Pause(5_000),
            TeamChange(8_000, 1, 2),
            Connect(9_000, 4, 1),
            CallVote(10_000, 3, "kick"),
            Disconnect(12_000, 2),
            Kill(200_000, 3, 0),
            Pause(210_000),
        ),
        ending=Ending(EndKind.SURRENDER, at_ms=214_000, caller=0),
    )
    return Scenario(
        "pauses_with_events", pauses_with_events.__doc__ or "", players, (r1,), timelimit_min=4.0
    )


def lua_restarts() -> Scenario:
    """``lua_restart`` twice mid-round (one while a player is dead, one after a pause): the
    VMs get only et_Quit, the new ones no et_InitGame; the round must still be exact."""
    r1 = RoundSpec(
        events=(
            Kill(3_000, 0, 2),
            Kill(4_000, 3, 1),
            LuaRestart(6_000),
            Pause(8_000),
            Unpause(9_000),
            Kill(25_000, 1, 3),
            LuaRestart(26_000),
            CallVote(27_000, 1),
        ),
        ending=_objective(50_000),
    )
    return Scenario(
        "lua_restarts", lua_restarts.__doc__ or "", team_players(2, 2), (r1, RoundSpec())
    )


def rcon_restart() -> Scenario:
    """A bare rcon map_restart 20 s into R1: the gamestate stays PLAYING, the new VM starts
    the replay at once (no warmup)."""
    aborted = RoundSpec(
        events=(Kill(10_000, 0, 2),), ending=Ending(EndKind.RCON_RESTART, at_ms=20_000)
    )
    return Scenario(
        "rcon_restart",
        rcon_restart.__doc__ or "",
        team_players(2, 2),
        (aborted, RoundSpec(ending=_objective(30_000))),
        timelimit_min=1.0,
    )


def last_man_standing() -> Scenario:
    """Last Man Standing (g_gametype 5): exits "Axis team wins by drawing First Blood.",
    "Allied team has the most survivors.", "Allied team eliminated."; g_currentRound counts
    the rounds (1, 2, 3)."""
    rounds = (
        RoundSpec(events=(Kill(2_000, 2, 0),), ending=Ending(EndKind.FIRST_BLOOD, 4_000, 1)),
        RoundSpec(ending=Ending(EndKind.MOST_SURVIVORS, 8_000, 2)),
        RoundSpec(
            events=(Kill(1_000, 2, 1), Kill(2_000, 3, 0)),
            ending=Ending(EndKind.ELIMINATED, 3_000, 1),
        ),
    )
    return Scenario(
        "last_man_standing",
        last_man_standing.__doc__ or "",
        team_players(2, 2),
        rounds,
        gametype=5,
        swap_teams=False,
        timelimit_min=1.0,
    )


BUNDLED = {
    f.__name__: f
    for f in (
        stopwatch_map,
        pauses,
        revives_and_gibs,
        self_team_world_kills,
        leavers_and_joiners,
        full_server,
        hostile_names,
        surrender_after_failed_vote,
        shutdown_mid_round,
        admin_restart,
        other_exits,
        team_joins_and_switches,
        spoofed_exits,
        spoof_before_real_exit,
        wave_at_resume,
        rcon_restart_first_second,
        guidless_reconnect,
        surrender_caller_switches,
        pauses_with_events,
        lua_restarts,
        rcon_restart,
        last_man_standing,
    )
}
"""Scenario name -> builder."""


def bundled_scenarios() -> dict[str, Scenario]:
    """Every bundled scenario by name."""
    return {name: build() for name, build in BUNDLED.items()}
