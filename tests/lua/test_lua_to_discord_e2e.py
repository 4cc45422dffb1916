"""End to end: the real Lua script under the simulator, delivering with the real curl to a
real ``etstats serve`` process, ends with the round stored, linked to its stats file and posted
once to a fake Discord.

``etstats serve --deliver discord`` runs as a subprocess (its own uvicorn, ingest and drain
worker), pointed at :class:`~etstats_discord.testing.FakeDiscord` (a real HTTP server on
127.0.0.1) through ``ETSTATS_DISCORD_WEBHOOK_URL`` and ``ETSTATS_DISCORD_API_BASE``. The
simulated ``os.time()`` starts at the real time (``wall_base_unix``) and the round is short, so
the script's signatures meet the receiver's real 300 s freshness check without patching it.
The stats file of the same round (same map, round number and GUIDs, named 3 s after the Lua
round end, as the game writes it) is then pushed signed with ``etstats push``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from attrs import evolve
from tests.helpers import need
from tests.http.live import free_port

from etstats.storage.registry import open_storage
from etstats.testing.simulator import Ending, EndKind, Engine, RoundSpec, Scenario, run_scenario
from etstats.testing.simulator.bundled import team_players
from etstats.testing.synthetic import STATS_DELAY_SECONDS, file_stamp, stats_round
from etstats_discord.testing import FakeDiscord

pytestmark = pytest.mark.lua

SECRET = "e2e-discord-secret-0123"  # noqa: S105 (a test secret)
SERVER = "eu1"
ETSTATS = Path(sys.executable).with_name("etstats")


def wait_for(what: str, done: Callable[[], bool], seconds: float = 20.0) -> None:
    """Poll ``done`` until it holds; fail naming ``what`` if it never does (not a timing
    assertion: the budget only bounds a hang)."""
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@contextmanager
def etstats_serve(db: Path, port: int, fake: FakeDiscord, webhook: str, log: Path) -> Iterator[str]:
    """``etstats serve --deliver discord`` as a subprocess until the block ends."""
    env = dict(
        os.environ,
        ETSTATS_INGEST_SECRETS=f"{SERVER}={SECRET}",
        ETSTATS_DISCORD_WEBHOOK_URL=webhook,
        ETSTATS_DISCORD_API_BASE=fake.api_base,
        ETSTATS_DISCORD_BOT_TOKEN=fake.bot_token,
    )
    for name in ("ETSTATS_DISCORD_CONFIG", "ETSTATS_DISCORD_ADMIN_WEBHOOK_URL", "ETSTATS_DB"):
        env.pop(name, None)
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                str(ETSTATS),
                "serve",
                "--db",
                str(db),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--deliver",
                "discord",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:

            def up() -> bool:
                assert proc.poll() is None, log.read_text(encoding="utf-8", errors="replace")
                try:
                    return httpx.get(base + "/openapi.json", timeout=1.0).status_code == 200
                except httpx.TransportError:
                    return False

            wait_for("etstats serve to listen", up, 30.0)
            yield base
        finally:
            proc.send_signal(signal.SIGTERM)  # what systemd sends: a graceful shutdown
            try:
                code = proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise
            # uvicorn re-raises the signal after its graceful shutdown: -SIGTERM is a clean exit
            text = log.read_text(encoding="utf-8", errors="replace")
            assert code in (0, -signal.SIGTERM), text
            assert "shutdown complete" in text, text


class CurlWaits:
    """The frame hook: simulated time waits for the script's real curl children (they run in
    real time), so the round is delivered before the simulated intermission is over."""

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox
        self.frames = 0

    def __call__(self, engine: Engine) -> None:
        self.frames += 1
        if self.frames % 20 == 0 and self.outbox.is_dir():
            deadline = time.monotonic() + 30
            while any(self.outbox.glob("*.status.tmp")) and time.monotonic() < deadline:
                time.sleep(0.01)


def stats_file_for(gametimes: dict[str, Any]) -> tuple[str, bytes]:
    """The stats file the game writes for the round a Lua gametimes file describes: same map,
    round number and GUIDs, named 3 s after the Lua round end (UTC file-name time)."""
    from zoneinfo import ZoneInfo

    from etstats.render.stats_file import render_stats_bytes

    lua_players = gametimes["players"]
    map_name, number = gametimes["map"], int(gametimes["round"])
    end = int(gametimes["round_end_unix"])
    made = stats_round(map_name, number, [p["guid"] for p in lua_players], random.Random(14))
    players = tuple(
        evolve(line, raw_name=p["name"], team=p["team"])
        for line, p in zip(made.players, lua_players, strict=True)
    )
    data = render_stats_bytes(evolve(made, players=players))
    stamp = file_stamp(end + STATS_DELAY_SECONDS, ZoneInfo("UTC"))
    return f"{stamp}-{map_name}-round-{number}.txt", data


def test_a_lua_round_and_its_stats_file_are_posted_once_to_discord(
    etstats_lua: Path, tmp_path: Path
) -> None:
    for tool in ("curl", "perl", "timeout", "setsid"):
        need(shutil.which(tool) is not None, f"{tool} is not installed")
    need(ETSTATS.is_file(), f"{ETSTATS} is not installed (run scripts/setup)")
    port = free_port()
    db = tmp_path / "e2e.db"
    home = tmp_path / "home"
    config = home / "legacy" / "luascripts" / "etstats_config.lua"
    config.parent.mkdir(parents=True)
    config.write_text(
        f"return {{ http_targets = {{ {{ url = 'http://127.0.0.1:{port}/v1/ingest',"
        f" server_id = '{SERVER}', secret = '{SECRET}' }} }} }}\n",
        encoding="utf-8",
    )
    r1 = RoundSpec(ending=Ending(EndKind.OBJECTIVE, at_ms=10_000, winner=2), intermission_ms=20_000)
    scenario = Scenario("e2e", "one round to Discord", team_players(2, 2), (r1,))
    outbox = home / "legacy" / "etstats_outbox"

    with FakeDiscord() as fake:
        webhook = fake.add_webhook()
        with etstats_serve(db, port, fake, webhook, tmp_path / "serve.log") as base:
            result = run_scenario(
                scenario,
                etstats_lua,
                homepath=home,
                on_frame=CurlWaits(outbox),
                wall_base_unix=int(time.time()),
            )
            [lua_path] = result.gametimes_files
            lua_body = lua_path.read_bytes()
            lua_sha = hashlib.sha256(lua_body).hexdigest()
            wait_for("the Lua round to be posted", lambda: len(fake.live()) >= 1)
            first = copy.deepcopy(fake.live())
            assert len(first) == 1
            assert first[0]["edits"] == 0

            name, stats_body = stats_file_for(json.loads(lua_body))
            stats_path = tmp_path / "upload" / name
            stats_path.parent.mkdir()
            stats_path.write_bytes(stats_body)
            pushed = subprocess.run(
                [str(ETSTATS), "push", "--url", base, "--server", SERVER, str(stats_path)],
                env=dict(os.environ, ETSTATS_PUSH_SECRET=SECRET),
                capture_output=True,
                text=True,
                check=False,
            )
            assert pushed.returncode == 0, pushed.stdout + pushed.stderr
            wait_for(
                "the post to be edited with the stats file", lambda: fake.live()[0]["edits"] >= 1
            )

        # The server has stopped (its worker drained what was due): nothing more was posted.
        messages = list(fake.messages.values())
        creates = [r for r in fake.requests if r[0] == "POST"]

    assert len(messages) == 1, messages
    assert not messages[0]["deleted"]
    assert len(creates) == 1, fake.requests
    assert messages[0]["id"] == first[0]["id"]
    # The Lua-only post had no player lines; the same message now shows the stats file's.
    [lua_only] = first[0]["embeds"]
    assert [f["value"] for f in lua_only["fields"]] == ["No player lines stored yet."]
    [both] = messages[0]["embeds"]
    assert both["title"] == lua_only["title"] == "supply · round 1"
    names = [f["name"] for f in both["fields"]]
    assert "Axis (2): combat" in names
    assert "Allies (2): combat" in names
    assert "Axis0" in both["fields"][names.index("Axis (2): combat")]["value"]

    store = open_storage(str(db))
    try:
        rounds = store.rounds()
        assert len(rounds) == 1, rounds
        [stored] = rounds
        assert store.stored_round(stored.id) == stored
        detail = store.round_detail(stored.id)
    finally:
        store.close()
    stats_sha = hashlib.sha256(stats_body).hexdigest()
    assert stored.linked == {"stats": stats_sha, "lua": lua_sha}
    assert stored.start_source == "lua"
    assert detail is not None
    lua = json.loads(lua_body)
    assert (stored.map_name, stored.round_number) == (lua["map"], lua["round"])
    assert stored.round_start_unix == lua["round_start_unix"]
    assert len(detail.players) == len(lua["players"]) == 4
