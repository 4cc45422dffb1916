"""The admin alert "no round stored for N hours while the server had players": once per
episode, to a fake Discord admin webhook, driven by an injectable clock, closed (the alert
edited) when a round arrives. Heartbeats are written as ``POST /v1/heartbeat`` writes them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest
from tests.delivery.conftest import FakeClock
from tests.delivery.support import drain, ingest, make_sink

from etstats.errors import ConfigError
from etstats.ingest.artifacts import Artifact
from etstats.outbox.silence import silence_hours
from etstats.queries.heartbeats import server_silence
from etstats.storage.base import Storage
from etstats.storage.sqlite import SQLiteStorage
from etstats.testing.synthetic import season
from etstats_discord.testing import FakeDiscord

FIVE_MINUTES = 300


def arrived(artifacts: Iterable[Artifact], clock: FakeClock, server: str) -> list[Artifact]:
    """The artifacts as received now (fake clock) from ``server``."""
    at = datetime.fromtimestamp(clock(), UTC)
    return [attrs.evolve(a, server=server, received_at=at) for a in artifacts]


def heartbeat(store: Storage, clock: FakeClock, server: str, players: int) -> None:
    with store.transaction() as tx:
        tx.record_heartbeat(
            server,
            sent_unix=int(clock()),
            received_unix=int(clock()),
            players=players,
            map_name="supply",
        )


@pytest.fixture
def store(tmp_path: Path) -> Storage:
    return SQLiteStorage(str(tmp_path / "alerts.db"))


def test_one_alert_per_episode_edited_when_a_round_arrives(
    store: Storage, fake: FakeDiscord, clock: FakeClock
) -> None:
    admin = make_sink(fake, clock, name="admin", kinds=(), alerts=True)
    rounds = list(season(4))  # stats, Lua and endstats file of each round
    ingest(store, arrived(rounds[0:3], clock, "eu1"))
    ingest(store, arrived(rounds[3:6], clock, "eu2"))
    first = int(clock())

    def play(hours: float) -> None:
        """Heartbeats every five minutes: eu1 has players, eu2 is empty; nothing stored."""
        for _ in range(int(hours * 3600 / FIVE_MINUTES)):
            clock.advance(FIVE_MINUTES)
            heartbeat(store, clock, "eu1", 6)
            heartbeat(store, clock, "eu2", 0)
            drain(store, clock, admin)

    play(1.9)
    assert fake.live() == []  # players for less than two hours
    play(0.25)  # 2 h 5 min
    [alert] = fake.live()
    assert alert["content"].startswith("No round stored for 2 hours while `eu1` had players")
    assert f"<t:{first}:f>" in alert["content"]  # the last stored round, as a time tag
    assert alert["allowed_mentions"] == {"parse": []}
    play(6)  # the same episode: nothing more, however long it lasts
    assert [m["content"] for m in fake.live()] == [alert["content"]]

    ingest(store, arrived(rounds[6:9], clock, "eu1"))  # a round arrives: the episode ends
    drain(store, clock, admin)
    [resolved] = fake.live()
    assert resolved["id"] == alert["id"]  # the alert is edited in place, not posted again
    assert resolved["content"].startswith("Resolved: a round of `eu1` was stored")
    assert not any(s.silent for s in server_silence(store, now_unix=clock(), hours=2))

    play(2.1)  # a new episode alerts again, once
    assert len(fake.live()) == 2
    play(1)
    assert len(fake.live()) == 2


def test_the_end_of_an_evening_never_alerts(
    store: Storage, fake: FakeDiscord, clock: FakeClock
) -> None:
    admin = make_sink(fake, clock, name="admin", kinds=(), alerts=True)
    heartbeat(store, clock, "eu1", 8)  # players before the first round
    ingest(store, arrived(list(season(1)), clock, "eu1"))
    clock.advance(FIVE_MINUTES)
    heartbeat(store, clock, "eu1", 3)  # the last players leave soon after the round
    for _ in range(12 * 8):  # an empty server for eight hours
        clock.advance(FIVE_MINUTES)
        heartbeat(store, clock, "eu1", 0)
        drain(store, clock, admin)
    assert fake.live() == []


def test_a_server_without_heartbeats_never_alerts(
    store: Storage, fake: FakeDiscord, clock: FakeClock
) -> None:
    """``etstats watch``/``push`` setups send no heartbeat: no fact, no alert."""
    admin = make_sink(fake, clock, name="admin", kinds=(), alerts=True)
    ingest(store, arrived(list(season(1)), clock, "default"))
    clock.advance(30 * 3600)
    drain(store, clock, admin)
    assert fake.live() == []
    assert server_silence(store, now_unix=clock()) == []


def test_the_hours_are_configurable(
    store: Storage, fake: FakeDiscord, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ETSTATS_NO_ROUND_HOURS", "0.5")
    admin = make_sink(fake, clock, name="admin", kinds=(), alerts=True)
    ingest(store, arrived(list(season(1)), clock, "eu1"))
    for _ in range(7):  # 35 minutes of players
        clock.advance(FIVE_MINUTES)
        heartbeat(store, clock, "eu1", 2)
        drain(store, clock, admin)
    [alert] = fake.live()
    assert alert["content"].startswith("No round stored for 0.5 hours")
    for bad in ("0", "-1", "soon"):
        with pytest.raises(ConfigError):
            silence_hours(bad)
