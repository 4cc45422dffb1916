"""One Lua 5.4 VM per module, as the engine creates them (``lupa.lua54``).

Each VM gets an ``et`` table of Python callables (see :mod:`.et_api`), ``os.time``/``os.date``
that follow the simulator's wall clock, and an ``io.popen`` (lupa's bundled Lua lacks one;
the server's Lua has it). ``io.open``, ``os.execute``, ``os.rename``, ``os.remove`` stay real:
scripts write real files below the simulated ``fs_homepath``.

Strings cross the Python/Lua boundary as Latin-1, so every byte (control bytes, UTF-8
sequences, Latin-1 letters) survives unchanged in both directions.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import lupa.lua54 as lua54

LuaError = lua54.LuaError
"""A Lua runtime error raised out of a VM call."""

_PRELUDE = r"""
local raw, wall, popen_read, popen_write = ...
et = raw
local checked = {"gentity_get", "gentity_set", "trap_GetUserinfo", "trap_FS_Write",
                 "trap_FS_Read", "trap_FS_FCloseFile"}
for _, name in ipairs(checked) do
  local f = et[name]
  et[name] = function(...)
    local ok, v = f(...)
    if not ok then error(v, 2) end
    return v
  end
end
local real_time, real_date = os.time, os.date
os.time = function(t)
  if t == nil then return wall() end
  return real_time(t)
end
os.date = function(fmt, t)
  if t == nil then t = wall() end
  return real_date(fmt, t)
end
io.popen = function(cmd, mode)
  mode = mode or "r"
  local f = {}
  if string.sub(mode, 1, 1) == "w" then
    local buf = {}
    function f:write(...)
      for i = 1, select("#", ...) do buf[#buf + 1] = tostring((select(i, ...))) end
      return f
    end
    function f:close()
      local code = popen_write(cmd, table.concat(buf))
      return code == 0 or nil, "exit", code
    end
    return f
  end
  local data, code = popen_read(cmd)
  local pos = 1
  function f:read(fmt)
    fmt = fmt or "l"
    if type(fmt) == "number" then
      if pos > #data then return nil end
      local s = string.sub(data, pos, pos + fmt - 1); pos = pos + fmt; return s
    end
    fmt = string.gsub(fmt, "^%*", "")
    if fmt == "a" then local s = string.sub(data, pos); pos = #data + 1; return s end
    if pos > #data then return nil end
    local e = string.find(data, "\n", pos, true)
    local line
    if e then line = string.sub(data, pos, e); pos = e + 1
    else line = string.sub(data, pos); pos = #data + 1 end
    if fmt == "l" then line = string.gsub(line, "\n$", "") end
    return line
  end
  function f:lines(fmt) return function() return f:read(fmt) end end
  function f:close() return code == 0 or nil, "exit", code end
  return f
end
"""

_GLOBAL_NAMES = "local t = {} for k in pairs(_G) do t[#t + 1] = tostring(k) end return t"


def _popen_read(cmd: str) -> tuple[str, int]:
    done = subprocess.run(cmd, shell=True, capture_output=True, check=False)  # noqa: S602
    return done.stdout.decode("latin-1"), done.returncode


def _popen_write(cmd: str, data: str) -> int:
    done = subprocess.run(  # noqa: S602
        cmd, shell=True, input=data.encode("latin-1"), capture_output=True, check=False
    )
    return done.returncode


class LuaModule:
    """One module of ``lua_modules``: its own Lua 5.4 runtime and globals."""

    def __init__(
        self, path: Path, index: int, et_table: Mapping[str, Any], wall: Callable[[], int]
    ) -> None:
        """Create the VM and install ``et``; call :meth:`load` to run the script."""
        self.path = path
        self.index = index
        self.modname: str | None = None
        self.runtime = lua54.LuaRuntime(
            unpack_returned_tuples=True,
            encoding="latin-1",
            register_eval=False,
            register_builtins=False,
        )
        raw = self.runtime.table_from(dict(et_table))
        self.runtime.execute(_PRELUDE, raw, wall, _popen_read, _popen_write)
        self.baseline = self.global_names()

    def global_names(self) -> set[str]:
        """Names of every global of the VM right now."""
        names = self.runtime.execute(_GLOBAL_NAMES)
        return {str(v) for v in names.values()}

    def load(self) -> str | None:
        """Run the module's file; the Lua error message on failure, ``None`` on success."""
        loadfile = self.runtime.globals().loadfile
        chunk, err = _first_two(loadfile(str(self.path)))
        if chunk is None:
            return str(err)
        try:
            chunk()
        except LuaError as exc:
            return lua_error_text(exc)
        return None

    def leaked_globals(self) -> set[str]:
        """Globals created by the script that are not ``et_*`` callbacks."""
        return {n for n in self.global_names() - self.baseline if not n.startswith("et_")}

    def has(self, callback: str) -> bool:
        """Whether the module defines ``callback`` as a function."""
        value = self.runtime.globals()[callback]
        return value is not None and lua54.lua_type(value) == "function"

    def call(self, callback: str, *args: object) -> object:
        """Call a global function; returns its first result (``None`` if it returned nothing).

        Raises :class:`LuaError` when the callback raises.
        """
        result = self.runtime.globals()[callback](*args)
        if isinstance(result, tuple):
            return result[0] if result else None
        return result


def _first_two(value: object) -> tuple[Any, Any]:
    if isinstance(value, tuple):
        return (value[0], value[1] if len(value) > 1 else None)
    return (value, None)


def lua_error_text(exc: BaseException) -> str:
    """The message of a Lua error without lupa's appended traceback."""
    text = str(exc)
    return text.split("\nstack traceback:", 1)[0]
