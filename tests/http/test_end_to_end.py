"""End to end over real processes and sockets: ``etstats push`` uploads a round's files to
``etstats serve --deliver discord``; the round is stored, linked to its stats file, and posted
exactly once to a fake Discord (a real HTTP server on 127.0.0.1), even when pushed twice."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.http.live import free_port

from etstats.testing.synthetic import season
from etstats_discord.testing import FakeDiscord

KEY = "e2e-key"
ETSTATS = str(Path(sys.executable).parent / "etstats")


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord() as server:
        yield server


def wait_for(check: Any, what: str, limit_s: float = 60.0) -> Any:
    """Poll ``check`` until it returns something truthy (bounded; not a timing assertion)."""
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"gave up waiting for {what}")


def test_pushed_round_is_stored_linked_and_posted_once(tmp_path: Path, fake: FakeDiscord) -> None:
    files = tmp_path / "gamestats"
    files.mkdir()
    for a in season(1, seed=31):
        (files / a.name).write_bytes(a.data)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ETSTATS_DISCORD", "ETSTATS_LOAD_PLUGINS"))
    }
    env.update(
        ETSTATS_INGEST_SECRETS=f"eu1={KEY}",
        ETSTATS_API_KEYS="e2e-admin",
        ETSTATS_DISCORD_WEBHOOK_URL=fake.add_webhook(),
    )
    serve = subprocess.Popen(
        [
            ETSTATS,
            "serve",
            "--db",
            str(tmp_path / "s.db"),
            "--port",
            str(port),
            "--deliver",
            "discord",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: _up(base), "etstats serve to start")
        push_env = {"ETSTATS_PUSH_SECRET": KEY, "PATH": os.environ.get("PATH", "")}
        for _ in range(2):  # the second push finds duplicates only
            done = subprocess.run(
                [ETSTATS, "push", str(files), "--url", base, "--server", "eu1"],
                env=push_env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 0, done.stdout + done.stderr
        admin = {"X-API-Key": "e2e-admin"}
        rounds = httpx.get(f"{base}/v1/rounds", timeout=30).json()["items"]
        assert len(rounds) == 1
        assert set(rounds[0]["sources"]) >= {"stats", "lua"}
        posts = wait_for(
            lambda: [m for m in fake.live() if "round 1" in m["embeds"][0]["title"]],
            "the round post",
        )
        wait_for(
            lambda: (
                httpx.get(f"{base}/v1/diagnostics/pipeline", headers=admin, timeout=30).json()[
                    "outbox"
                ]["depth"]
                == 0
            ),
            "an empty outbox",
        )
        posts = [m for m in fake.live() if "round 1" in m["embeds"][0]["title"]]
        assert len(posts) == 1
        assert posts[0]["edits"] == 0
    finally:
        serve.terminate()
        _, err = serve.communicate(timeout=30)
    assert KEY not in err.decode("utf-8", "replace")  # secrets never reach the log


def _up(base: str) -> bool:
    try:
        return httpx.get(base + "/openapi.json", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
