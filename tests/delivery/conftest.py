"""Fixtures of the delivery tests: a fake clock shared by the sender and the fake Discord
server (a real HTTP server on 127.0.0.1), and sinks wired to it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from etstats_discord.testing import FakeDiscord


class FakeClock:
    """Seconds since the epoch that only move when someone sleeps (thread-safe)."""

    def __init__(self, start: float = 1_767_300_000.0) -> None:
        self.now = start
        self.slept = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += max(0.0, seconds)
            self.slept += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeDiscord]:
    with FakeDiscord(clock=clock) as server:
        server.hang_seconds = 0.4
        yield server


@pytest.fixture(autouse=True)
def _close_http_clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Close every sender a test made (their httpx connections), whatever the test did."""
    from etstats_discord.sender import WebhookSender

    made: list[WebhookSender] = []
    original = WebhookSender.__init__

    def init(self: WebhookSender, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(WebhookSender, "__init__", init)
    yield
    for s in made:
        s.close()
