"""The engine side of the ET:Legacy Lua API: cvars, configstrings, clients, VMs, dispatch.

:class:`Engine` owns the state a Lua module can read (cvars, configstrings, userinfo, gentity
fields) and the loaded modules, walks them in ``lua_modules`` order for every callback with
the engine's return semantics, and records every Lua error as the console line the real
server prints. The game flow (warmup, restarts, frames, kills) is driven by
:mod:`.runner`; the ``et`` functions themselves live in :mod:`.et_api`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from attrs import define, field, frozen

from etstats.testing.simulator.clock import SimClock
from etstats.testing.simulator.et_api import build_et_table
from etstats.testing.simulator.lua_vm import LuaError, LuaModule, lua_error_text

GS_PLAYING, GS_WARMUP_COUNTDOWN, GS_WARMUP, GS_INTERMISSION = 0, 1, 2, 3
"""Gamestates (``gamestate`` cvar)."""
GS_INITIALIZE = -1

CS_SERVERINFO, CS_WARMUP, CS_LEVEL_START_TIME, CS_INTERMISSION = 0, 5, 11, 12
CS_MULTI_INFO, CS_MULTI_MAPWINNER, CS_SERVERTOGGLES, CS_PLAYERS = 13, 14, 32, 689
CV_SVS_PAUSE = 16
"""``CS_SERVERTOGGLES`` bit set while paused (including the resume countdown)."""

STOP_ON_STRING = frozenset({"et_Obituary", "et_ClientConnect"})
"""Callbacks whose walk stops at the first module returning a string or number."""
STOP_ON_ONE = frozenset({"et_ClientCommand", "et_ConsoleCommand", "et_Damage"})
"""Callbacks whose walk stops at the first module returning 1."""


@define
class Client:
    """The engine's view of one client slot (``level.clients[n]`` + its entity)."""

    slot: int
    guid: str | None = None
    name: str = ""
    """``pers.netname`` as the raw bytes decoded Latin-1."""
    is_bot: bool = False
    connected: int = 0
    """0 disconnected, 1 connecting, 2 connected."""
    team: int = 0
    health: int = 0
    downed: bool = False
    """Dead and lying as a revivable body."""
    gibbed: bool = False
    limbo: bool = False
    """Waiting for the next reinforcement wave (gibbed, tapped out or new on a team)."""
    last_spawn_time: int = 0
    enter_time: int = 0
    connect_time: int = 0
    death_time: int = 0
    frozen: bool = False
    sess: dict[str, int] = field(factory=dict)

    @property
    def alive(self) -> bool:
        """Connected, on Axis/Allies, health > 0."""
        return self.connected == 2 and self.team in (1, 2) and self.health > 0

    def userinfo(self) -> str:
        """The client's userinfo string."""
        parts = [("name", self.name), ("rate", "25000"), ("snaps", "20")]
        if self.guid is not None:
            parts.append(("cl_guid", self.guid))
        parts.append(("ip", "bot" if self.is_bot else f"10.0.0.{self.slot + 1}:27960"))
        return "".join(f"\\{k}\\{v}" for k, v in parts)


class MapDropped(Exception):
    """``Com_Error(ERR_DROP)``: the engine killed the map (e.g. ``trap_GetUserinfo`` with a bad
    client number). A ``pcall`` in Lua cannot catch it; the scenario stops here."""


@frozen
class LuaErrorRecord:
    """One Lua error the engine caught."""

    module: str
    callback: str
    message: str
    level_ms: int


@frozen
class ChainStop:
    """A module that stopped a callback walk (``et_Obituary``/``et_ClientConnect``)."""

    module: str
    callback: str
    value: str
    skipped: tuple[str, ...]
    """Later modules that defined the callback and did not get the call."""


class Engine:
    """Simulated server process state plus the loaded Lua modules."""

    def __init__(
        self,
        modules: Sequence[Path],
        homepath: Path,
        max_clients: int = 16,
        *,
        clock: SimClock | None = None,
        on_frame: Callable[[Engine], None] | None = None,
    ) -> None:
        """``modules`` is ``lua_modules`` in order; files are written below ``homepath``.

        ``on_frame`` is called after every ``et_RunFrame`` (e.g. to start a real receiver at
        a simulated moment, or to wait for the script's real child processes)."""
        self.module_paths = [Path(m) for m in modules]
        self.homepath = homepath
        self.clock = clock if clock is not None else SimClock()
        self.on_frame = on_frame
        self.max_clients = max_clients
        self.cvars: dict[str, str] = {
            "gamestate": str(GS_INITIALIZE),
            "sv_maxclients": str(max_clients),
            "fs_homepath": str(homepath),
            "fs_basepath": str(homepath / "base"),
            "fs_game": "legacy",
            "net_ip": "",
            "net_port": "27960",
            "g_currentRound": "0",
            "g_nextTimeLimit": "0",
            "lua_modules": " ".join(p.name for p in self.module_paths),
        }
        self.configstrings: dict[int, str] = {}
        self.clients = [Client(slot=n) for n in range(max_clients)]
        self.modules: list[LuaModule] = []
        self.console: list[str] = []
        self.server_log: list[str] = []
        self.lua_errors: list[LuaErrorRecord] = []
        self.chain_stops: list[ChainStop] = []
        self.leaks: dict[str, set[str]] = {}
        self.internal_errors: list[BaseException] = []
        self.server_commands: list[tuple[int, str]] = []
        self.console_commands: list[str] = []
        self.args: list[str] = []
        self.entity_overrides: dict[tuple[int, str, int], object] = {}
        self.modnames: list[str] = []
        self.fatal: str | None = None
        """Set by an ``ERR_DROP``; the next return to the engine raises :class:`MapDropped`."""
        self._print_depth = 0

    # --- VMs ---------------------------------------------------------------------------
    def start_vms(self) -> None:
        """Create one fresh VM per module and run the scripts (``G_LuaInit``)."""
        et_table = build_et_table(self)
        self.modules = []
        for index, path in enumerate(self.module_paths):
            module = LuaModule(path, index, et_table, lambda: self.clock.wall_unix)
            error = module.load()
            if error is not None:
                self.log_console(f"Lua 5.4 API: {path.name} failed to load: '{error}'")
                self.lua_errors.append(LuaErrorRecord(path.name, "<load>", error, self.level))
                continue
            self._note_leaks(module)
            self.modules.append(module)

    def stop_vms(self) -> None:
        """Destroy every VM (``G_LuaShutdown``), recording globals leaked at run time."""
        for module in self.modules:
            self._note_leaks(module)
        self.modules = []

    def _note_leaks(self, module: LuaModule) -> None:
        leaked = module.leaked_globals()
        if leaked:
            self.leaks.setdefault(module.path.name, set()).update(leaked)

    def dispatch(self, callback: str, *args: object) -> object:
        """Walk the modules in order, calling ``callback``; the value that stopped the walk."""
        result = self._walk(callback, *args)
        if callback == "et_RunFrame" and self.on_frame is not None:
            self.on_frame(self)
        return result

    def _walk(self, callback: str, *args: object) -> object:
        for i, module in enumerate(self.modules):
            if not module.has(callback):
                continue
            try:
                result = module.call(callback, *args)
            except LuaError as exc:
                self.check_fatal()
                message = lua_error_text(exc)
                self.lua_errors.append(
                    LuaErrorRecord(module.path.name, callback, message, self.level)
                )
                # G_Printf: the error line reaches every module's et_Print too
                self.print_line(f"Lua 5.4 API: {callback} error running lua script: '{message}'")
                continue
            except Exception:
                self.check_fatal()  # a syscall after an ERR_DROP: the map is gone
                raise
            self.check_fatal()
            stops = (callback in STOP_ON_STRING and type(result) in (str, int, float)) or (
                callback in STOP_ON_ONE and type(result) in (int, float) and result == 1
            )
            if stops:
                if callback in STOP_ON_STRING:
                    skipped = tuple(m.path.name for m in self.modules[i + 1 :] if m.has(callback))
                    self.chain_stops.append(
                        ChainStop(module.path.name, callback, str(result), skipped)
                    )
                return result
        return None

    # --- state helpers -----------------------------------------------------------------
    @property
    def level(self) -> int:
        """Current level time (ms)."""
        return self.clock.level_ms

    @property
    def gamestate(self) -> int:
        """Current gamestate."""
        return int(self.cvars["gamestate"])

    def set_gamestate(self, gs: int) -> None:
        """Set the ``gamestate`` cvar."""
        self.cvars["gamestate"] = str(gs)

    def log_console(self, text: str) -> None:
        """A line printed on the server console."""
        self.console.append(text.rstrip("\n"))

    def print_line(self, text: str) -> None:
        """``G_Printf``/``G_LogPrintf`` text: console plus ``et_Print`` to every module.

        Re-entrant like the engine (a module printing from ``et_Print`` is printed again),
        bounded at 4 levels so a careless module cannot loop forever."""
        self.log_console(text)
        if self._print_depth >= 4:
            return
        self._print_depth += 1
        try:
            self.dispatch("et_Print", text)
        finally:
            self._print_depth -= 1

    def drop(self, message: str) -> None:
        """``Com_Error(ERR_DROP, message)`` from inside a syscall."""
        if self.fatal is None:
            self.fatal = message
            self.log_console(f"ERROR: {message}")

    def check_fatal(self) -> None:
        """Raise :class:`MapDropped` once a syscall dropped the map."""
        if self.fatal is not None:
            raise MapDropped(self.fatal)

    def set_player_configstring(self, client: Client) -> bool:
        """Update ``CS_PLAYERS + n`` from the client state; whether the string changed (the
        engine fires ``et_ClientUserinfoChanged`` only then)."""
        if client.connected == 0:
            text = ""
        else:
            text = f"n\\{client.name}\\t\\{client.team}\\c\\0\\r\\0\\m\\0000000\\s\\0\\dn\\\\w\\0"
        index = CS_PLAYERS + client.slot
        changed = self.configstrings.get(index, "") != text
        self.configstrings[index] = text
        return changed

    @property
    def paused(self) -> bool:
        """``CS_SERVERTOGGLES`` has the pause bit."""
        return bool(int(self.configstrings.get(CS_SERVERTOGGLES, "0") or 0) & CV_SVS_PAUSE)
