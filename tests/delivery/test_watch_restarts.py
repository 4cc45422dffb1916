"""``etstats watch --deliver`` as a real process, killed with SIGKILL again and again while
files land and the fake Discord hangs, drops answers and goes down: every post arrives
exactly once (the outbox, the stored message ids and the reconciliation of an interrupted
create), and the store is not slowed by Discord."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from etstats.testing.synthetic import season
from etstats_discord.testing import FakeDiscord

ROUNDS = 6
EXPECTED = ROUNDS + ROUNDS // 2 + 1  # round posts, map results, the session summary


def _config(tmp: Path) -> Path:
    cfg = tmp / "discord.toml"
    cfg.write_text(
        '[targets.discord]\nwebhook_url_env = "TEST_WEBHOOK"\n'
        "timeout_seconds = 0.5\nbudget_seconds = 3\n",
        encoding="utf-8",
    )
    return cfg


def _watch(tmp: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "etstats"),
            "watch",
            str(tmp / "in"),
            "--db",
            str(tmp / "s.db"),
            "--deliver",
            "discord",
            "--interval",
            "0.1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_every_post_arrives_once_across_kill_9_restarts(tmp_path: Path) -> None:
    rng = random.Random(13)
    (tmp_path / "in").mkdir()
    arts = list(season(ROUNDS))
    with FakeDiscord() as fake:
        fake.hang_seconds = 1.0
        env = {
            **os.environ,
            "ETSTATS_DISCORD_CONFIG": str(_config(tmp_path)),
            "TEST_WEBHOOK": fake.add_webhook(),
            "ETSTATS_DISCORD_BOT_TOKEN": fake.bot_token,
            "ETSTATS_LOAD_PLUGINS": "discord",
            "ETSTATS_OUTBOX_MAX_BACKOFF": "1",
        }  # seconds (not 15 min)
        env.pop("ETSTATS_DISABLE_PLUGINS", None)
        kills = 0
        for step in range(8):
            for art in arts[step * len(arts) // 8 : (step + 1) * len(arts) // 8]:
                (tmp_path / "in" / art.name).write_bytes(art.data)
            fake.fail(*rng.sample(["drop-after", "hang", "500", "429", "drop-after"], 2))
            fake.outage = step == 3  # Discord is down for one lap
            proc = _watch(tmp_path, env)
            time.sleep(rng.uniform(0.6, 1.6))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
        fake.outage = False
        proc = _watch(tmp_path, env)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(fake.live()) < EXPECTED:
                time.sleep(0.2)
            time.sleep(1.0)  # anything extra would show up now
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
        live = fake.live()
    footers = Counter(m["embeds"][0]["footer"]["text"] for m in live)
    assert kills == 8
    assert len(live) == EXPECTED, sorted(footers)
    assert all(n == 1 for n in footers.values())
    kinds = Counter(m["embeds"][0]["title"].split(" ")[-1] for m in live)
    assert kinds["result"] == ROUNDS // 2
