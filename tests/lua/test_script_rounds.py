"""Round logic of lua/etstats.lua under real Lua 5.4, driven by D2's minimal fake engine.

Each test plays a short round and reads the written file back with the gametimes v1 parser,
so every assertion is on the artifact a consumer sees. (Helper D1's full simulator compares
whole scenarios with ground truth; these pin the individual rules.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.lua import delivery_fixtures as fx

from etstats.model.gametimes import ClosedBy, Emit, EndReason, Gametimes, KillKind, Player
from etstats.parsing.gametimes import parse_gametimes_file

pytestmark = pytest.mark.lua

A = "A1B2C3D4E5F60718293A4B5C6D7E8F90"
B = "1C747DF1A037D2AFECCB6ED063DF44E7"
C = "0F1E2D3C4B5A69788796A5B4C3D2E1F0"


def frames(fake: fx.FakeEt, ms: int) -> None:
    for _ in range(ms // 50):
        fake.frame()


def begin(tmp_path: Path, **kwargs: int) -> fx.FakeEt:
    """Warmup VM, 30 s of warmup, then the round VM with Axis A (slot 0) and Allies B (1)."""
    fake = fx.FakeEt(tmp_path, **kwargs)
    fake.call("et_InitGame", fake.level_ms, 1, 0)
    frames(fake, 30_000)
    fake.call("et_ShutdownGame", 1)
    fake.start_round()
    fake.add_client(0, A, "^1Axis", 1)
    fake.add_client(1, B, "^4Allies", 2)
    return fake


def result(fake: fx.FakeEt) -> Gametimes:
    files = fake.gametimes_files()
    assert len(files) == 1
    return parse_gametimes_file(files[0])


def player(g: Gametimes, guid: str) -> Player:
    p = g.player(guid)
    assert p is not None
    return p


def test_pause_overlap_is_excluded_from_dead_denied_and_team_time(tmp_path: Path) -> None:
    fake = begin(tmp_path)
    frames(fake, 10_000)
    fake.call("et_Obituary", 0, 1, 8)  # A killed by B (enemy)
    frames(fake, 5_000)
    fake.configstrings[32] = "16"  # paused for 20 s
    frames(fake, 20_000)
    fake.configstrings[32] = "0"
    frames(fake, 5_000)
    fake.call("et_ClientSpawn", 0, 0, 0, 1)
    frames(fake, 10_000)
    fake.end_round()
    g = result(fake)
    assert len(g.pauses) == 1
    assert g.pauses[0].duration_ms == 20_000
    assert g.pause_total_ms == 20_000
    a, b = player(g, A), player(g, B)
    death = a.deaths_detail[0]
    assert (death.kind, death.closed_by, death.paused_ms) == (
        KillKind.ENEMY,
        ClosedBy.RESPAWN,
        20_000,
    )
    # a wave spawn happens inside the engine frame: stamped with the next frame's levelTime
    assert death.end_level_ms - death.at_level_ms == 30_050
    assert a.dead_ms == death.dead_ms == 10_050
    assert b.denied_ms == 10_050
    assert b.kills == 1
    wall = g.round_end_level_ms - g.round_start_level_ms
    assert a.time_axis_ms <= wall - 20_000
    assert a.time_axis_ms >= wall - 20_000 - 500  # joined a few frames after the start
    assert g.warmup_ms is not None
    assert g.warmup_ms >= 30_000


def test_disconnect_while_dead_closes_the_interval(tmp_path: Path) -> None:
    fake = begin(tmp_path)
    fake.call("et_Obituary", 0, 1, 8)
    frames(fake, 4_000)
    fake.call("et_ClientDisconnect", 0)
    frames(fake, 10_000)
    fake.end_round()
    g = result(fake)
    a = player(g, A)
    assert a.deaths_detail[0].closed_by is ClosedBy.DISCONNECT
    assert a.dead_ms == 4_000
    assert player(g, B).denied_ms == 4_000
    assert (a.disconnects, a.connected_at_end, a.team) == (1, False, 1)


def test_switch_to_spectator_while_dead_closes_the_interval(tmp_path: Path) -> None:
    fake = begin(tmp_path)
    fake.call("et_Obituary", 0, 1, 8)
    frames(fake, 3_000)
    fake.fields[0]["sess.sessionTeam"] = 3
    fake.call("et_ClientUserinfoChanged", 0)
    frames(fake, 10_000)
    fake.end_round()
    a = player(result(fake), A)
    assert a.deaths_detail[0].closed_by is ClosedBy.SPECTATOR
    assert a.dead_ms == 3_000
    assert (a.team, a.team_changes) == (3, 1)


def test_switchteam_is_not_a_death_and_kinds_are_classified(tmp_path: Path) -> None:
    fake = begin(tmp_path)
    fake.add_client(2, C, "Axis2", 1)
    fake.call("et_Obituary", 0, 0, 59)  # MOD_SWITCHTEAM
    fake.call("et_Obituary", 0, 2, 8)  # team kill
    frames(fake, 1_000)
    fake.call("et_ClientSpawn", 0, 1, 0, 0)  # revived
    fake.call("et_Obituary", 0, 0, 33)  # self kill
    frames(fake, 1_000)
    fake.call("et_ClientSpawn", 0, 0, 0, 1)
    fake.call("et_Obituary", 0, 1022, 20)  # world
    frames(fake, 1_000)
    fake.end_round()
    g = result(fake)
    a, c = player(g, A), player(g, C)
    assert [d.kind for d in a.deaths_detail] == [KillKind.TEAM, KillKind.SELF, KillKind.WORLD]
    assert [d.closed_by for d in a.deaths_detail] == [
        ClosedBy.REVIVE,
        ClosedBy.RESPAWN,
        ClosedBy.ROUND_END,
    ]
    assert (a.deaths, a.self_kills, a.revives, a.spawns) == (3, 1, 1, 2)
    assert (c.team_kills, c.kills, c.denied_ms) == (1, 0, 0)
    assert player(g, B).denied_ms == 0
    assert a.deaths_detail[1].killer_guid == A  # self kill: the killer is the victim
    assert a.deaths_detail[2].killer_guid is None


def test_surrender_caller_is_confirmed_by_the_exit_line(tmp_path: Path) -> None:
    fake = begin(tmp_path)
    fake.argv = ["callvote", "surrender"]
    assert fake.call("et_ClientCommand", 0, "callvote") == 0
    frames(fake, 1_000)
    fake.end_round("Axis Surrender", winner=1)
    g = result(fake)
    assert g.end.reason is EndReason.SURRENDER
    assert (g.end.surrender_team, g.end.surrender_caller_guid, g.end.winner) == (1, A, 2)
    assert g.end.surrender_caller_name == "^1Axis"


def test_a_failed_surrender_vote_does_not_label_an_objective_end(tmp_path: Path) -> None:
    fake = begin(tmp_path)
    fake.argv = ["callvote", "surrender"]
    fake.call("et_ClientCommand", 0, "callvote")
    frames(fake, 1_000)
    fake.end_round("Wolf EndRound.", winner=0)
    g = result(fake)
    assert g.end.reason is EndReason.OBJECTIVE
    assert (g.end.surrender_team, g.end.surrender_caller_guid) == (0, None)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Timelimit hit.", EndReason.TIME_EXPIRED),
        ("Wolf EndRound.", EndReason.OBJECTIVE),
        ("Allied team eliminated.", EndReason.TEAM_ELIMINATED),
        ("Axis team wins by drawing First Blood.", EndReason.FIRST_BLOOD),
        ("Allied team has the most survivors.", EndReason.MOST_SURVIVORS),
        ("Nextmap vote passed", EndReason.NEXTMAP_VOTE),
        ("Something new.", EndReason.UNKNOWN),
    ],
)
def test_end_reason_comes_from_the_exit_line(tmp_path: Path, line: str, reason: EndReason) -> None:
    fake = begin(tmp_path)
    frames(fake, 2_000)
    exit_level = fake.level_ms + 50  # G_LogExit runs inside the next frame
    fake.end_round(line)
    g = result(fake)
    assert (g.emit, g.end.reason, g.end.exit_line) == (Emit.ROUND_END, reason, f"Exit: {line}")
    assert g.round_end_level_ms == exit_level
    assert g.play_ms == exit_level - int(fake.configstrings[11])


def test_admin_map_restart_and_shutdown_are_marked(tmp_path: Path) -> None:
    fake = begin(tmp_path / "restart")
    frames(fake, 2_000)
    fake.call("et_ShutdownGame", 1)
    g = result(fake)
    assert (g.emit, g.end.reason) == (Emit.MAP_RESTART, EndReason.MAP_RESTART)
    assert g.end.exit_line is None
    fake = begin(tmp_path / "shutdown")
    fake.call("et_Obituary", 0, 1, 8)
    frames(fake, 2_000)
    fake.call("et_ShutdownGame", 0)
    g = result(fake)
    assert (g.emit, g.end.reason) == (Emit.SHUTDOWN, EndReason.SHUTDOWN)
    assert player(g, A).deaths_detail[0].closed_by is ClosedBy.ROUND_END


def test_intermission_without_exit_line_is_unknown(tmp_path: Path) -> None:
    fake = begin(tmp_path)
    frames(fake, 2_000)
    last = fake.level_ms
    fake.cvars["gamestate"] = "3"
    fake.frame()
    g = result(fake)
    assert (g.emit, g.end.reason, g.round_end_level_ms) == (Emit.ROUND_END, EndReason.UNKNOWN, last)


def test_round_two_with_a_fractional_timelimit(tmp_path: Path) -> None:
    fake = fx.FakeEt(tmp_path)
    fake.cvars["g_currentRound"] = "1"
    fake.cvars["timelimit"] = "7.35"
    fake.start_round()
    fake.add_client(0, A, "x", 1)
    frames(fake, 1_000)
    fake.end_round("Timelimit hit.")
    g = result(fake)
    assert (g.round, g.timelimit_ms, g.warmup_ms, g.started_mid_round) == (2, 441_000, None, False)
    assert fake.gametimes_files()[0].name.startswith("etstats-supply-R2-")
    assert not [line for line in fake.console if "ERROR" in line]


def test_warmup_start_survives_vm_restarts_within_warmup(tmp_path: Path) -> None:
    fake = fx.FakeEt(tmp_path)
    start = fake.level_ms
    fake.call("et_InitGame", fake.level_ms, 1, 0)  # new map: warmup begins
    frames(fake, 20_000)
    fake.call("et_ShutdownGame", 1)
    fake.lua.execute(fx.SCRIPT.read_text(encoding="utf-8"))  # admin map_restart in warmup
    fake.call("et_InitGame", fake.level_ms, 1, 1)
    frames(fake, 20_000)
    fake.start_round()
    fake.add_client(0, A, "x", 1)
    fake.end_round()
    g = result(fake)
    assert g.warmup_ms == g.round_start_level_ms - start


def test_hostile_names_still_give_a_valid_file(tmp_path: Path) -> None:
    fake = begin(tmp_path)
    name = 'evil"\\\x08\x1b\x00 ^1x'
    fake.add_client(2, C, "plain", 2)
    fake.fields[2]["pers.netname"] = name  # the engine keeps control bytes in netname
    fake.call("et_ClientUserinfoChanged", 2)
    fake.end_round()
    assert player(result(fake), C).name == name


def test_events_outside_the_round_are_ignored(tmp_path: Path) -> None:
    fake = fx.FakeEt(tmp_path)
    fake.call("et_InitGame", fake.level_ms, 1, 0)  # warmup VM: no round
    fake.add_client(0, A, "x", 1)
    fake.call("et_Obituary", 0, 0, 33)
    fake.call("et_ShutdownGame", 1)
    assert fake.gametimes_files() == []
    fake = begin(tmp_path / "after")
    fake.end_round()
    fake.call("et_Obituary", 0, 1, 8)  # intermission
    fake.call("et_ShutdownGame", 1)
    g = result(fake)
    assert player(g, A).deaths == 0
    assert g.emit is Emit.ROUND_END


def test_script_loaded_mid_round_picks_up_connected_players(tmp_path: Path) -> None:
    fake = fx.FakeEt(tmp_path)
    fake.userinfo[5] = f"\\name\\late\\cl_guid\\{A.lower()}"
    fake.fields[5] = {"pers.connected": 2, "pers.netname": "late", "sess.sessionTeam": 2}
    fake.cvars["gamestate"] = "0"
    fake.call("et_InitGame", fake.level_ms, 1, 0)
    frames(fake, 5_000)
    fake.end_round()
    g = result(fake)
    assert g.started_mid_round is True
    p = player(g, A)
    assert (p.slot, p.team) == (5, 2)
    assert p.time_allies_ms > 0


def test_a_vm_started_by_lua_restart_without_saved_state_still_writes_the_round(
    tmp_path: Path,
) -> None:
    """lua_restart / a lua_modules change: no et_InitGame reaches the new VM. Without a round
    saved by the old VM, the first frame initialises it and the file says started_mid_round."""
    fake = fx.FakeEt(tmp_path)
    fake.cvars["gamestate"] = "0"
    fake.userinfo[5] = f"\\name\\late\\cl_guid\\{A}"
    fake.fields[5] = {"pers.connected": 2, "pers.netname": "late", "sess.sessionTeam": 1}
    frames(fake, 5_000)  # no et_InitGame at all
    fake.end_round()
    g = result(fake)
    assert (g.emit, g.started_mid_round) == (Emit.ROUND_END, True)
    assert player(g, A).time_axis_ms > 0
    assert any("without et_InitGame" in line for line in fake.console)


def test_et_quit_hands_the_round_to_the_next_vm(tmp_path: Path) -> None:
    fake = begin(tmp_path)
    frames(fake, 2_000)
    fake.call("et_Obituary", 0, 1, 8)
    frames(fake, 1_000)
    fake.call("et_Quit")  # lua_restart: only et_Quit
    state = tmp_path / "legacy" / "etstats_resume.lua"
    assert state.is_file()
    fresh = fx.FakeEt(tmp_path)  # the new VM, same engine state
    fresh.level_ms = fake.level_ms
    fresh.cvars.update(fake.cvars)
    fresh.configstrings.update(fake.configstrings)
    fresh.fields.update(fake.fields)
    fresh.userinfo.update(fake.userinfo)
    fresh.module = fresh.lua.execute(fx.SCRIPT.read_text(encoding="utf-8"))  # chunk resumes
    assert not state.exists()  # consumed: a later map_restart never sees it
    assert any("resumed the running round" in line for line in fresh.console)
    frames(fresh, 1_000)
    fresh.call("et_ClientSpawn", 0, 0, 0, 1)
    frames(fresh, 1_000)
    fresh.end_round()
    g = result(fresh)
    assert g.started_mid_round is False
    death = player(g, A).deaths_detail[0]
    assert (death.kind, death.closed_by) == (KillKind.ENEMY, ClosedBy.RESPAWN)
    assert death.dead_ms == 2_050  # killed, 1 s, restart, 1 s, wave spawn (stamped +50)
    assert player(g, B).denied_ms == 2_050


def test_an_unconfirmed_exit_line_is_ignored(tmp_path: Path) -> None:
    fake = begin(tmp_path)
    frames(fake, 2_000)
    fake.call("et_Print", "Exit: Wolf EndRound. connected\n")  # e.g. a player's chosen name
    frames(fake, 2_000)  # the engine never set CS_INTERMISSION: still playing
    fake.call("et_Obituary", 0, 1, 8)
    frames(fake, 1_000)
    exit_level = fake.level_ms + 50
    fake.end_round("Timelimit hit.")
    g = result(fake)
    assert g.end.reason is EndReason.TIME_EXPIRED
    assert g.round_end_level_ms == exit_level
    assert player(g, A).dead_ms == 1_050  # to the exit inside the next frame
    assert any("unconfirmed" in line for line in fake.console)


def test_cs_intermission_alone_confirms_nothing(tmp_path: Path) -> None:
    """CS_INTERMISSION stays "1" for the whole map after round 1: a spoofed ``Exit:`` line in
    round 2 is dropped unless the gamestate turns INTERMISSION within the next frame."""
    fake = begin(tmp_path)
    fake.configstrings[12] = "1"  # sticky from round 1
    frames(fake, 2_000)
    fake.call("et_Print", "Exit: Wolf EndRound.\n")  # another module's et.G_LogPrint
    frames(fake, 1_000)
    fake.call("et_Obituary", 0, 1, 8)  # still playing: counted
    frames(fake, 1_000)
    exit_level = fake.level_ms + 50
    fake.end_round("Timelimit hit.")
    g = result(fake)
    assert (g.end.reason, g.round_end_level_ms) == (EndReason.TIME_EXPIRED, exit_level)
    assert player(g, A).deaths == 1


def test_the_first_exit_stands(tmp_path: Path) -> None:
    fake = begin(tmp_path)
    frames(fake, 2_000)
    fake.level_ms += 50
    fake.call("et_Print", "Exit: Wolf EndRound.\n")
    fake.call("et_Print", "Exit: Timelimit hit. (already triggered)\n")
    fake.configstrings[12] = "1"
    fake.call("et_RunFrame", fake.level_ms)
    exit_level = fake.level_ms
    fake.cvars["gamestate"] = "3"
    fake.frame()
    g = result(fake)
    assert (g.end.reason, g.end.exit_line) == (EndReason.OBJECTIVE, "Exit: Wolf EndRound.")
    assert g.round_end_level_ms == exit_level
