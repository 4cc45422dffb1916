"""The ``et`` table: constants and engine functions as Python callables (ET:Legacy g_lua.c).

Functions that raise a Lua error in the real binding (``gentity_get`` of a client field on an
entity without a client, bad userinfo index, bad file handle) return ``(False, message)`` here
and a Lua wrapper installed by :mod:`.lua_vm` turns that into ``error(message, 2)``, so the
message carries the calling script's ``file:line:`` like the engine's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from etstats.testing.simulator.engine import Client, Engine

CONSTANTS: dict[str, int] = {
    "TEAM_FREE": 0,
    "TEAM_AXIS": 1,
    "TEAM_ALLIES": 2,
    "TEAM_SPECTATOR": 3,
    "GS_INITIALIZE": -1,
    "GS_PLAYING": 0,
    "GS_WARMUP_COUNTDOWN": 1,
    "GS_WARMUP": 2,
    "GS_INTERMISSION": 3,
    "GS_WAITING_FOR_PLAYERS": 4,
    "GS_RESET": 5,
    "CS_SERVERINFO": 0,
    "CS_WARMUP": 5,
    "CS_LEVEL_START_TIME": 11,
    "CS_INTERMISSION": 12,
    "CS_MULTI_INFO": 13,
    "CS_MULTI_MAPWINNER": 14,
    "CS_REINFSEEDS": 31,
    "CS_SERVERTOGGLES": 32,
    "CS_INTERMISSION_START_TIME": 36,
    "CS_PLAYERS": 689,
    "MAX_CLIENTS": 64,
    "PM_NORMAL": 0,
    "PM_NOCLIP": 1,
    "PM_SPECTATOR": 2,
    "PM_FREEZE": 4,
    "PM_INTERMISSION": 5,
    "FS_READ": 0,
    "FS_WRITE": 1,
    "FS_APPEND": 2,
    "FS_APPEND_SYNC": 3,
    "EXEC_NOW": 0,
    "EXEC_INSERT": 1,
    "EXEC_APPEND": 2,
    "STAT_HEALTH": 0,
}
"""Registered ``et.*`` constants. ``PM_DEAD`` (3) is deliberately absent, as in g_lua.c."""

CLIENT_PREFIXES = ("pers.", "sess.", "ps.")
ENTITY_FIELDS = frozenset({"health", "r.contents", "s.number", "inuse", "classname"})
CLIENT_ONLY = frozenset({"deathTime", "respawnTime"})
SESS_FIELDS = (
    "kills",
    "deaths",
    "self_kills",
    "team_kills",
    "gibs",
    "damage_given",
    "damage_received",
    "team_damage_given",
    "time_axis",
    "time_allies",
    "time_played",
    "playerType",
    "latchPlayerType",
    "rounds",
)
PM_DEAD, PMF_LIMBO, EF_DEAD, CONTENTS_CORPSE = 3, 16384, 1, 0x04000000


def _client_field(c: Client, name: str, index: int) -> object:
    if name == "pers.connected":
        return c.connected
    if name == "pers.netname":
        return c.name
    if name == "pers.lastSpawnTime":
        return c.last_spawn_time
    if name == "pers.lastReinforceTime":
        return c.last_spawn_time
    if name == "pers.enterTime":
        return c.enter_time
    if name == "pers.connectTime":
        return c.connect_time
    if name == "sess.sessionTeam":
        return c.team
    if name.startswith("sess.") and name[5:] in SESS_FIELDS:
        return c.sess.get(name[5:], 0)
    if name == "ps.pm_type":
        if c.connected != 2 or c.team not in (1, 2):
            return 2
        return 4 if c.frozen else (3 if c.health <= 0 else 0)
    if name == "ps.pm_flags":
        return PMF_LIMBO if c.limbo and c.connected == 2 else 0
    if name == "ps.eFlags":
        return EF_DEAD if c.health <= 0 and c.team in (1, 2) else 0
    if name == "ps.stats":
        return c.health if index == 0 else 0
    if name == "ps.persistant":
        return 0
    if name == "ps.clientNum":
        return c.slot
    if name == "deathTime":
        return c.death_time
    if name == "respawnTime":
        return c.last_spawn_time
    raise KeyError(name)


def _entity_field(engine: Engine, ent: int, name: str) -> object:
    client = engine.clients[ent] if 0 <= ent < engine.max_clients else None
    if name == "health":
        return client.health if client is not None else 0
    if name == "r.contents":
        return CONTENTS_CORPSE if client is not None and client.downed else 0
    if name == "s.number":
        return ent
    if name == "inuse":
        return 1 if client is not None and client.connected else 0
    return "player" if client is not None else ""


def _guard(engine: Engine, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Record simulator bugs (unexpected Python exceptions) instead of hiding them in Lua."""

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        if engine.fatal is not None:  # the map is gone: nothing after an ERR_DROP runs
            raise RuntimeError(f"map dropped: {engine.fatal}")
        try:
            return fn(*args)
        except Exception as exc:
            engine.internal_errors.append(exc)
            raise

    return wrapper


def build_et_table(engine: Engine) -> dict[str, object]:
    """Constants and functions of the ``et`` table bound to ``engine``."""
    files: dict[int, Any] = {}
    counter = [0]

    def register_modname(name: str) -> None:
        engine.modnames.append(name)

    def cvar_get(name: str) -> str:
        return engine.cvars.get(str(name), "")

    def cvar_set(name: str, value: object) -> None:
        engine.cvars[str(name)] = value if isinstance(value, str) else _num(value)

    def get_configstring(index: int) -> str:
        return engine.configstrings.get(int(index), "")

    def get_userinfo(n: int) -> tuple[bool, str]:
        if not 0 <= int(n) < engine.max_clients:
            # sv_init.c: Com_Error(ERR_DROP): the map dies; no pcall can catch that
            engine.drop(f"SV_GetUserinfo: bad index {int(n)}")
            return (False, "trap_GetUserinfo: bad index")
        c = engine.clients[int(n)]
        return (True, c.userinfo() if c.connected else "")

    def info_value(info: str, key: str) -> str:
        parts = str(info).split("\\")
        if parts and parts[0] == "":
            parts = parts[1:]
        for i in range(0, len(parts) - 1, 2):
            if parts[i].lower() == str(key).lower():
                return parts[i + 1]
        return ""

    def argc() -> int:
        return len(engine.args)

    def argv(i: int) -> str:
        return engine.args[int(i)] if 0 <= int(i) < len(engine.args) else ""

    def concat_args(i: int) -> str:
        return " ".join(engine.args[int(i) :])

    def gentity_get(ent: int, name: str, index: int | None = None) -> tuple[bool, object]:
        ent, idx = int(ent), int(index or 0)
        if not 0 <= ent < 1024:
            return (False, f"gentity number {ent} out of range")
        override = engine.entity_overrides.get((ent, name, idx))
        if override is not None:
            return (True, override)
        if name.startswith(CLIENT_PREFIXES) or name in CLIENT_ONLY:
            if ent >= engine.max_clients:
                return (False, f'tried to get invalid gentity field "{name}"')
            try:
                return (True, _client_field(engine.clients[ent], name, idx))
            except KeyError:
                return (False, f'tried to get invalid gentity field "{name}"')
        if name in ENTITY_FIELDS:
            return (True, _entity_field(engine, ent, name))
        return (False, f'tried to get invalid gentity field "{name}"')

    def gentity_set(
        ent: int, name: str, value: object, index: int | None = None
    ) -> tuple[bool, object]:
        if name.startswith(CLIENT_PREFIXES) and int(ent) >= engine.max_clients:
            return (False, f'tried to set invalid gentity field "{name}"')
        engine.entity_overrides[(int(ent), str(name), int(index or 0))] = value
        return (True, None)

    def log_print(text: str) -> None:
        # G_LogPrintf -> G_Printf: every module's et_Print receives it too
        engine.server_log.append(str(text))
        engine.print_line(str(text))

    def milliseconds() -> int:
        return engine.clock.uptime_ms

    def send_server_command(client: int, text: str) -> None:
        engine.server_commands.append((int(client), str(text)))

    def send_console_command(when: int, text: str) -> None:
        engine.console_commands.append(str(text))

    def fs_open(name: str, mode: int) -> tuple[int, int]:
        path = Path(engine.cvars["fs_homepath"]) / engine.cvars["fs_game"] / str(name)
        mode = int(mode)
        handle: Any
        try:
            if mode == 0:
                handle = path.open("rb")
                length = path.stat().st_size
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                handle = path.open("ab" if mode in (2, 3) else "wb")
                length = 0
        except OSError:
            return (0, -1)
        counter[0] += 1
        files[counter[0]] = handle
        return (counter[0], length)

    def fs_write(data: str, count: int, fd: int) -> tuple[bool, object]:
        handle = files.get(int(fd))
        if handle is None:
            return (False, "trap_FS_Write: bad file handle")
        handle.write(str(data).encode("latin-1")[: int(count)])
        return (True, int(count))

    def fs_read(fd: int, count: int) -> tuple[bool, object]:
        handle = files.get(int(fd))
        if handle is None:
            return (False, "trap_FS_Read: bad file handle")
        return (True, handle.read(int(count)).decode("latin-1"))

    def fs_close(fd: int) -> tuple[bool, object]:
        handle = files.pop(int(fd), None)
        if handle is None:
            return (False, "trap_FS_FCloseFile: bad file handle")
        handle.close()
        return (True, None)

    functions: dict[str, Callable[..., Any]] = {
        "RegisterModname": register_modname,
        "G_Print": lambda text: engine.log_console(str(text)),
        "G_LogPrint": log_print,
        "trap_Cvar_Get": cvar_get,
        "trap_Cvar_Set": cvar_set,
        "trap_GetConfigstring": get_configstring,
        "trap_GetUserinfo": get_userinfo,
        "Info_ValueForKey": info_value,
        "trap_Argc": argc,
        "trap_Argv": argv,
        "ConcatArgs": concat_args,
        "trap_Milliseconds": milliseconds,
        "gentity_get": gentity_get,
        "gentity_set": gentity_set,
        "trap_SendServerCommand": send_server_command,
        "trap_SendConsoleCommand": send_console_command,
        "trap_FS_FOpenFile": fs_open,
        "trap_FS_Write": fs_write,
        "trap_FS_Read": fs_read,
        "trap_FS_FCloseFile": fs_close,
    }
    table: dict[str, object] = dict(CONSTANTS)
    table.update({name: _guard(engine, fn) for name, fn in functions.items()})
    return table


def _num(value: object) -> str:
    """``lua_tostring`` of a number argument (``luaL_checkstring`` accepts numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return str(value)
    text = f"{value:.14g}"
    if text.lstrip("-").isdigit():
        text += ".0"
    return text
