"""Per-frame cost of lua/etstats.lua's et_RunFrame with 8 to 64 clients and no events.

Compares, in the same run and the same Lua 5.4 (lupa), the script against an empty script
(``function et_RunFrame(levelTime) end``). The engine API the frame touches
(``trap_Cvar_Get``, ``trap_GetConfigstring``) is served by Lua closures so the Python<->Lua
bridge does not dominate; the loop itself runs inside Lua and is timed with ``os.clock()``.

    .venv/bin/python bench/lua_frame.py [--frames 200000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

LUA_FAST_API = """
local cvars, cs = ...
et.trap_Cvar_Get = function(name) return cvars[name] or "" end
et.trap_GetConfigstring = function(i) return cs[i] or "" end
"""

LUA_LOOP = """
local n, t0 = ...
local frame = et_RunFrame
local c0 = os.clock()
for i = 1, n do frame(t0 + i * 50) end
return os.clock() - c0
"""


def _fixtures() -> ModuleType:
    path = ROOT / "tests" / "lua" / "delivery_fixtures.py"
    spec = importlib.util.spec_from_file_location("etstats_d2_bench_fixtures", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _fast_api(fake: Any) -> None:
    lua = fake.lua
    cvars = lua.table_from(fake.cvars)
    cs = lua.table_from(fake.configstrings)
    lua.execute(LUA_FAST_API, cvars, cs)


def prepare_script(fx: ModuleType, home: Path, *, configured: bool, players: int = 64) -> Any:
    fake = fx.FakeEt(home, maxclients=64)
    if configured:
        fx.write_config(
            fake,
            'return { http_targets = { { url = "http://127.0.0.1:9/x", '
            'server_id = "bench", secret = "0123456789abcdef" } } }\n',
        )
    fake.start_round()
    for slot in range(players):
        fake.add_client(slot, f"{slot:032X}", f"player{slot}", 1 + slot % 2)
    for _ in range(10):
        fake.frame()
    _fast_api(fake)
    return fake


def prepare_empty(fx: ModuleType, home: Path) -> Any:
    fake = fx.FakeEt(home, maxclients=64)
    fake.lua.execute("function et_RunFrame(levelTime) end")
    _fast_api(fake)
    return fake


def per_frame_us(fake: Any, frames: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        seconds = fake.lua.execute(LUA_LOOP, frames, fake.level_ms)
        fake.level_ms += frames * 50
        best = min(best, float(seconds))
    return best / frames * 1e6


def emit_ms(fx: ModuleType, home: Path, deaths_per_player: int) -> tuple[float, int]:
    """Wall time (ms) of the intermission frame that writes the file (64 players, one HTTP
    target whose signature is then computed 8 KiB per frame), and the file size in bytes."""
    fake = prepare_script(fx, home, configured=True)
    for n in range(deaths_per_player):
        for slot in range(64):
            fake.call("et_Obituary", slot, (slot + 1) % 64, 8)
            fake.frame()
            fake.call("et_ClientSpawn", slot, 0, 0, 1)
        fake.frame(1000 + n)
    fake.call("et_Print", "Exit: Timelimit hit.\n")
    fake.cvars["gamestate"] = "3"
    _fast_api(fake)
    start = time.perf_counter()
    fake.frame()
    elapsed = (time.perf_counter() - start) * 1000
    size = sum(p.stat().st_size for p in fake.gametimes_files())
    return elapsed, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    fx = _fixtures()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        empty = per_frame_us(prepare_empty(fx, home / "empty"), args.frames, args.repeat)
        script = per_frame_us(
            prepare_script(fx, home / "plain", configured=False), args.frames, args.repeat
        )
        delivery = per_frame_us(
            prepare_script(fx, home / "cfg", configured=True), args.frames, args.repeat
        )
    print(f"frames per run: {args.frames}, best of {args.repeat}, 64 clients, no events")
    print(f"empty script       : {empty:8.3f} us/frame")
    print(f"etstats.lua        : {script:8.3f} us/frame  (x{script / empty:.1f} of empty)")
    print(
        f"etstats.lua + cfg  : {delivery:8.3f} us/frame  (x{delivery / empty:.1f} of empty; "
        "outbox sweep every 5 s of levelTime)"
    )
    print(f"budget share at 20 fps (50 ms frames): {script / 50_000 * 100:.4f} %")
    with tempfile.TemporaryDirectory() as tmp:
        by_players = {
            n: per_frame_us(
                prepare_script(fx, Path(tmp) / f"p{n}", configured=False, players=n),
                args.frames,
                args.repeat,
            )
            for n in (8, 16, 32, 64)
        }
    for n, us in by_players.items():
        print(f"idle frame, {n:2d} players: {us:8.3f} us/frame  (x{us / by_players[8]:.2f} of 8)")
    with tempfile.TemporaryDirectory() as tmp:
        for deaths in (5, 20):
            ms, size = emit_ms(fx, Path(tmp) / f"emit{deaths}", deaths)
            print(
                f"round-end frame, 64 players x {deaths} deaths: {ms:7.1f} ms "
                f"(file {size / 1024:.0f} KiB; JSON, atomic write, outbox entry, first 8 KiB "
                "of the body SHA-256; the rest is hashed 8 KiB per frame)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
