"""End to end: the real script under the simulator delivers a round with the real curl to a
real ``etstats serve`` app (uvicorn on 127.0.0.1) that is down for an hour of simulated time.

Before signed ingest v2 the script signed with the time it queued the round and kept that
timestamp on every retry, so after an outage longer than the receiver's 300 s window every
retry got 401 and the round went to ``failed/`` for good. Now each attempt is signed with its
own time: the round must be stored exactly once when the receiver comes back.

Simulated time runs far faster than real time, so the receiver reads the same clock as the
game server (the simulated wall clock, as two NTP-synchronised machines would): its
freshness check is then exactly the one a real deployment meets.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import need
from tests.http.live import free_port

from etstats.testing.simulator import Ending, EndKind, Engine, RoundSpec, Scenario, run_scenario
from etstats.testing.simulator.bundled import team_players

pytestmark = pytest.mark.lua

SECRET = "e2e-outage-secret-0123"  # noqa: S105 (a test secret)
OUTAGE_MS = 3_600_000
"""How long (simulated ms after the round end) the receiver stays down."""


@contextmanager
def uvicorn_on(app: Any, port: int) -> Iterator[None]:
    """The production uvicorn config of ``etstats serve`` on 127.0.0.1:``port``."""
    import uvicorn

    from etstats_fastapi.server import uvicorn_config

    server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", port, None, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=30)


class Outage:
    """The frame hook: keeps the receiver down until an hour after the round end, and makes
    simulated time wait for the script's real curl children (they run in real time)."""

    def __init__(self, app: Any, port: int, outbox: Path, clock: SharedClock) -> None:
        self.app, self.port, self.outbox, self.clock = app, port, outbox, clock
        self.end_real_ms: int | None = None
        self.server: Any = None
        self.frames = 0

    def __call__(self, engine: Engine) -> None:
        self.clock.engine = engine
        self.frames += 1
        if self.end_real_ms is None and engine.cvars["gamestate"] == "3":
            self.end_real_ms = engine.clock.real_ms
        up_at = None if self.end_real_ms is None else self.end_real_ms + OUTAGE_MS
        if self.server is None and up_at is not None and engine.clock.real_ms >= up_at:
            self.server = uvicorn_on(self.app, self.port)
            self.server.__enter__()
        if self.frames % 20 == 0 and self.outbox.is_dir():
            deadline = time.monotonic() + 60
            while any(self.outbox.glob("*.status.tmp")) and time.monotonic() < deadline:
                time.sleep(0.01)  # a curl attempt is running: let it finish first

    def close(self) -> None:
        if self.server is not None:
            self.server.__exit__(None, None, None)


class SharedClock:
    """``time`` for the receiver: the simulated wall clock (s) plus a real monotonic clock."""

    def __init__(self) -> None:
        self.engine: Engine | None = None

    def time(self) -> float:
        assert self.engine is not None
        return float(self.engine.clock.wall_unix)

    @staticmethod
    def monotonic() -> float:
        return time.monotonic()


def test_a_round_survives_an_hour_long_receiver_outage(
    etstats_lua: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for tool in ("curl", "perl", "timeout", "setsid"):
        need(shutil.which(tool) is not None, f"{tool} is not installed")
    from etstats_fastapi import heartbeat, ingest
    from etstats_fastapi.app import create_app

    clock = SharedClock()
    monkeypatch.setattr(ingest, "time", clock)
    monkeypatch.setattr(heartbeat, "time", clock)

    port = free_port()
    db = tmp_path / "ingest.db"
    app = create_app(db_url=str(db), secrets={"eu1": (SECRET,)})
    home = tmp_path / "home"
    config = home / "legacy" / "luascripts" / "etstats_config.lua"
    config.parent.mkdir(parents=True)
    config.write_text(
        f"return {{ http_targets = {{ {{ url = 'http://127.0.0.1:{port}/v1/ingest',"
        f" server_id = 'eu1', secret = '{SECRET}' }} }} }}\n",
        encoding="utf-8",
    )
    round_ms = 10_000
    r1 = RoundSpec(
        ending=Ending(EndKind.OBJECTIVE, at_ms=round_ms, winner=2),
        intermission_ms=OUTAGE_MS + 15 * 60_000,
    )
    scenario = Scenario("outage", "receiver down for an hour", team_players(1, 1), (r1,))
    hook = Outage(app, port, home / "legacy" / "etstats_outbox", clock)
    try:
        result = run_scenario(scenario, etstats_lua, homepath=home, on_frame=hook)
    finally:
        hook.close()
    assert hook.server is not None, "the receiver never came back"
    [path] = result.gametimes_files
    body = path.read_bytes()
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT sha256, kind, name FROM artifacts").fetchall()
    assert rows == [(hashlib.sha256(body).hexdigest(), "gametimes", path.name)]
    outbox = home / "legacy" / "etstats_outbox"
    # delivered, nothing failed (a heartbeat may be on its way: they go on while the VM runs)
    assert sorted(p.name for p in outbox.iterdir() if not p.name.startswith("heartbeat.")) == [
        "index"
    ]
    attempts = [line for line in result.console_lines if "got HTTP 000" in line]
    assert attempts, "the first attempt should have found the receiver down"
