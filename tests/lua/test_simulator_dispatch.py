"""Engine dispatch semantics and et functions, driven directly through :class:`Engine`."""

from __future__ import annotations

from pathlib import Path

import pytest

from etstats.testing.simulator import Engine

pytestmark = pytest.mark.lua


def _module(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def _engine(tmp_path: Path, *bodies: str) -> Engine:
    paths = [_module(tmp_path, f"m{i}.lua", body) for i, body in enumerate(bodies)]
    engine = Engine(paths, tmp_path / "home")
    engine.start_vms()
    return engine


SEEN = 'function {cb}(...) et.G_Print("m{n} {cb}") {ret} end'


@pytest.mark.parametrize(
    ("value", "stops"),
    [
        ("return 0", True),
        ('return "no"', True),
        ("return 1.5", True),
        ("return true", False),
        ("return nil", False),
        ("", False),
        ("return {}", False),
    ],
)
def test_obituary_walk_stops_only_on_strings_and_numbers(
    tmp_path: Path, value: str, stops: bool
) -> None:
    engine = _engine(
        tmp_path,
        SEEN.format(cb="et_Obituary", n=0, ret=value),
        SEEN.format(cb="et_Obituary", n=1, ret=""),
    )
    engine.dispatch("et_Obituary", 3, 4, 8)
    assert ("m1 et_Obituary" in engine.console) is not stops
    assert bool(engine.chain_stops) is stops


def test_client_command_walk_stops_only_on_one(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        SEEN.format(cb="et_ClientCommand", n=0, ret="return 0"),
        SEEN.format(cb="et_ClientCommand", n=1, ret="return 1"),
        SEEN.format(cb="et_ClientCommand", n=2, ret=""),
    )
    assert engine.dispatch("et_ClientCommand", 0, "say") == 1
    assert engine.console == ["m0 et_ClientCommand", "m1 et_ClientCommand"]


def test_run_frame_reaches_every_module_whatever_it_returns(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        SEEN.format(cb="et_RunFrame", n=0, ret="return 0"),
        SEEN.format(cb="et_RunFrame", n=1, ret=""),
    )
    engine.dispatch("et_RunFrame", 1000)
    assert engine.console == ["m0 et_RunFrame", "m1 et_RunFrame"]


def test_modules_have_separate_globals_and_load_errors_are_reported(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        "shared = 1",
        'function et_RunFrame() et.G_Print("m1 sees " .. tostring(shared)) end',
        "this is not lua",
    )
    engine.dispatch("et_RunFrame", 50)
    assert "m1 sees nil" in engine.console
    assert len(engine.modules) == 2
    assert engine.lua_errors[0].callback == "<load>"
    assert engine.leaks == {"m0.lua": {"shared"}}


def test_et_functions(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        """
        function et_RunFrame()
          local info = "\\\\name\\\\Bob\\\\cl_guid\\\\ABC\\\\Name2\\\\x"
          et.G_Print(et.Info_ValueForKey(info, "CL_GUID") .. "|" .. et.Info_ValueForKey(info, "zz"))
          local fd, len = et.trap_FS_FOpenFile("sub/out.txt", et.FS_WRITE)
          et.trap_FS_Write("hello\\0x", 7, fd)
          et.trap_FS_FCloseFile(fd)
          fd, len = et.trap_FS_FOpenFile("sub/out.txt", et.FS_READ)
          et.G_Print("read " .. len .. " " .. #et.trap_FS_Read(fd, len))
          et.trap_FS_FCloseFile(fd)
          local p = io.popen("cat > " .. et.trap_Cvar_Get("fs_homepath") .. "/popen.txt", "w")
          p:write("a", 1, "\\n")
          p:close()
          et.trap_Cvar_Set("my_cvar", 2.0)
          et.trap_SendConsoleCommand(et.EXEC_APPEND, "say hi\\n")
          et.G_Print(os.date("!%Y-%m-%d %H:%M:%S") .. " " .. et.trap_Cvar_Get("my_cvar"))
        end
        """,
    )
    engine.dispatch("et_RunFrame", 50)
    assert engine.lua_errors == []
    assert engine.console[0] == "ABC|"
    assert engine.console[1] == "read 7 7"
    assert (tmp_path / "home" / "legacy" / "sub" / "out.txt").read_bytes() == b"hello\x00x"
    assert (tmp_path / "home" / "popen.txt").read_text() == "a1\n"
    assert engine.console[2] == "2026-02-11 20:50:00 2.0"  # simulated wall clock; Lua's "2.0"
    assert engine.console_commands == ["say hi\n"]


def test_bad_userinfo_index_drops_the_map_even_under_pcall(tmp_path: Path) -> None:
    """``trap_GetUserinfo`` with a bad client number is ``Com_Error(ERR_DROP)``: the engine
    kills the map; a ``pcall`` in the script does not help."""
    from etstats.testing.simulator.engine import MapDropped

    engine = _engine(
        tmp_path,
        """
        function et_RunFrame(t)
          local ok = pcall(et.trap_GetUserinfo, 99)
          et.G_Print("survived " .. tostring(ok))
        end
        """,
    )
    with pytest.raises(MapDropped, match="bad index 99"):
        engine.dispatch("et_RunFrame", 1000)
    assert not any(line.startswith("survived") for line in engine.console)


def test_log_print_and_lua_errors_reach_every_et_print(tmp_path: Path) -> None:
    """``et.G_LogPrint`` text and the engine's Lua error lines go through ``G_Printf`` and so
    reach ``et_Print`` of every module (untrusted input)."""
    engine = _engine(
        tmp_path,
        """
        function et_RunFrame(t) et.G_LogPrint("Exit: Wolf EndRound.\\n") error("boom") end
        """,
        """
        seen = {}
        function et_Print(text) seen[#seen + 1] = text end
        function et_Quit() et.G_Print("lines " .. #seen .. " " .. seen[1] .. seen[2]) end
        """,
    )
    engine.dispatch("et_RunFrame", 1000)
    engine.dispatch("et_Quit")
    last = engine.console[-1]
    assert last.startswith("lines 2 Exit: Wolf EndRound.")
    assert "et_RunFrame error running lua script" in last
