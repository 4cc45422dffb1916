"""A minimal fake ``et`` for unit tests of lua/etstats.lua (helper D2's own harness).

It is deliberately small: cvars, configstrings, userinfo, a few client fields (raising a Lua
error for client fields on slots >= sv_maxclients, as the engine does), console capture and
``trap_Argv``. The full engine simulator is :mod:`etstats.testing.simulator` (helper D1).
Test modules load this file with :func:`load_fixtures` (pytest runs in importlib mode).
"""

from __future__ import annotations

import http.server
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import lupa.lua54 as lupa
from tests.helpers import need

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "lua" / "etstats.lua"


class FakeEt:
    """One Lua VM with ``lua/etstats.lua`` loaded against a fake engine."""

    def __init__(self, home: Path, *, maxclients: int = 16, port: int = 27960) -> None:
        self.home = home
        self.cvars: dict[str, str] = {
            "fs_homepath": str(home),
            "fs_basepath": str(home / "base"),
            "fs_game": "legacy",
            "sv_maxclients": str(maxclients),
            "gamestate": "2",
            "g_currentRound": "0",
            "g_gametype": "3",
            "mapname": "supply",
            "timelimit": "12",
            "net_port": str(port),
            "net_ip": "",
            "sv_hostname": "^1Test ^7Server",
            "g_redlimbotime": "30000",
            "g_bluelimbotime": "20000",
        }
        self.configstrings: dict[int, str] = {11: "0", 13: "\\d\\0", 14: "\\w\\-1", 32: "0"}
        self.userinfo: dict[int, str] = {}
        self.fields: dict[int, dict[str, Any]] = {}
        self.argv: list[str] = []
        self.console: list[str] = []
        self.level_ms = 100_000
        self.lua = lupa.LuaRuntime(unpack_returned_tuples=True)
        self.maxclients = maxclients
        self.lua.globals().et = self._et_table()
        self.module = self.lua.execute(SCRIPT.read_text(encoding="utf-8"))

    # --- the fake engine API -------------------------------------------------------------
    def _et_table(self) -> Any:
        def gentity_get(ent: int, field: str, index: int = 0) -> Any:
            if field.split(".")[0] in {"pers", "sess", "ps"} and not 0 <= ent < self.maxclients:
                raise RuntimeError(f'tried to get invalid gentity field "{field}"')
            return self.fields.get(ent, {}).get(field, 0)

        def info_value(info: str, key: str) -> str:
            parts = info.split("\\")[1:]
            pairs = dict(zip(parts[::2], parts[1::2], strict=False))
            return pairs.get(key, "")

        api = {
            "trap_Cvar_Get": lambda name: self.cvars.get(name, ""),
            "trap_Cvar_Set": lambda name, value: self.cvars.__setitem__(name, value),
            "trap_GetConfigstring": lambda index: self.configstrings.get(index, ""),
            "trap_GetUserinfo": lambda n: self.userinfo.get(n, ""),
            "Info_ValueForKey": info_value,
            "gentity_get": gentity_get,
            "G_Print": self.console.append,
            "RegisterModname": lambda name: None,
            "trap_Argv": lambda i: self.argv[i] if i < len(self.argv) else "",
            "GS_PLAYING": 0,
            "GS_WARMUP_COUNTDOWN": 1,
            "GS_WARMUP": 2,
            "GS_INTERMISSION": 3,
            "CS_LEVEL_START_TIME": 11,
            "CS_MULTI_INFO": 13,
            "CS_MULTI_MAPWINNER": 14,
            "CS_SERVERTOGGLES": 32,
            "TEAM_AXIS": 1,
            "TEAM_ALLIES": 2,
            "TEAM_SPECTATOR": 3,
        }
        return self.lua.table_from(api)

    def call(self, name: str, *args: Any) -> Any:
        return self.lua.globals()[name](*args)

    # --- scenario helpers ------------------------------------------------------------------
    def add_client(self, slot: int, guid: str, name: str, team: int) -> None:
        self.userinfo[slot] = f"\\name\\{name}\\cl_guid\\{guid}\\ip\\127.0.0.1"
        self.fields[slot] = {"pers.connected": 2, "pers.netname": name, "sess.sessionTeam": team}
        self.call("et_ClientConnect", slot, 0, 0)
        self.call("et_ClientBegin", slot)
        self.call("et_ClientSpawn", slot, 0, 0, 1)

    def frame(self, ms: int = 50) -> None:
        self.level_ms += ms
        self.call("et_RunFrame", self.level_ms)

    def start_round(self) -> None:
        """A VM created at the countdown's map_restart: gamestate PLAYING, then frames."""
        self.cvars["gamestate"] = "0"
        self.configstrings[11] = str(self.level_ms)
        self.call("et_InitGame", self.level_ms, 1234, 1)
        self.frame()

    def end_round(self, exit_reason: str = "Wolf EndRound.", winner: int = 1) -> None:
        """``G_LogExit`` inside the next server frame (before its ``et_RunFrame``), then
        ``BeginIntermission`` one frame later: the round ends at ``level_ms + 50``."""
        self.level_ms += 50
        self.configstrings[14] = f"\\w\\{winner}"
        self.call("et_Print", f"Exit: {exit_reason}\n")
        self.configstrings[12] = "1"
        self.cvars["g_currentRound"] = "1"
        self.call("et_RunFrame", self.level_ms)
        self.cvars["gamestate"] = "3"
        self.frame()

    def gametimes_files(self) -> list[Path]:
        return sorted((self.home / "legacy" / "gametimes").glob("etstats-*.json"))


def write_config(fake: FakeEt, text: str) -> Path:
    """Write ``<home>/legacy/luascripts/etstats_config.lua``."""
    path = fake.home / "legacy" / "luascripts" / "etstats_config.lua"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers POSTs with the next status of ``server.plan`` (or 200) and records them.

    A plan entry ``"drop"`` closes the connection without an answer.
    """

    server: RecordingServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with self.server.lock:
            plan = self.server.plan.pop(0) if self.server.plan else 200
            self.server.requests.append((self.path, dict(self.headers.items()), body, plan))
        if plan == "drop":
            self.close_connection = True
            self.connection.close()
            return
        self.send_response(int(plan))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


class RecordingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), Recorder)
        self.plan: list[int | str] = []
        self.requests: list[tuple[str, dict[str, str], bytes, int | str]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


SECRET = "s3cret-s3cret-s3cret"  # noqa: S105 (a test secret)
"""The HMAC secret the delivery tests configure in the script and the receiver."""
GUID_A = "A1B2C3D4E5F60718293A4B5C6D7E8F90"
GUID_B = "1C747DF1A037D2AFECCB6ED063DF44E7"


def need_curl() -> None:
    """The script delivers with a real ``curl`` child: fail loudly (CI) or skip without it."""
    need(shutil.which("curl") is not None, "curl is not installed")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def recording_server(port: int = 0) -> Iterator[RecordingServer]:
    """A real HTTP server on 127.0.0.1 in a thread (``port`` 0 = any free port)."""
    server = RecordingServer(port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def settle(fake: FakeEt, now: int, *, wait_s: float = 60.0) -> int:
    """Wait until every launched curl wrote its status marker, then sweep at ``now``.

    Returns the number of outbox entries left. The wait is a generous bound on real curl
    processes finishing (no timing is asserted).
    """
    outbox = Path(fake.module.outbox_dir())
    deadline = time.monotonic() + wait_s
    while True:
        entries = fake.module.ob_entries() or {}
        waiting = [
            e.id
            for e in entries.values()
            if e.state == "inflight" and not (outbox / f"{e.id}.status").exists()
        ]
        if not waiting:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"curl never finished for {waiting}")
        time.sleep(0.02)
    left, _launched = fake.module.ob_sweep(str(outbox), now)
    return int(left)
