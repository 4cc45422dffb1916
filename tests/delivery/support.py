"""Helpers of the delivery tests (importable as ``tests.delivery.support``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.outbox import OutboxTarget
from etstats.outbox.worker import DrainReport, drain_once
from etstats.storage.base import Storage
from etstats_discord.config import TargetConfig
from etstats_discord.posts import RENDERER_VERSION
from etstats_discord.sender import RateState
from etstats_discord.sink import DiscordSink
from etstats_discord.testing import FakeDiscord


def make_sink(
    fake: FakeDiscord,
    clock: Any,
    *,
    name: str = "public",
    alerts: bool = False,
    kinds: Iterable[str] = ("round", "map", "session"),
    token: bool = True,
    url: str | None = None,
    timeout: float = 0.2,
) -> DiscordSink:
    """A sink on a new webhook of ``fake`` (sender and fake share ``clock``)."""
    cfg = TargetConfig(
        name=name,
        webhook_url=url or fake.add_webhook(),
        kinds=frozenset(kinds),
        alerts=alerts,
        bot_token=fake.bot_token if token else None,
        budget_seconds=30.0,
        timeout_seconds=timeout,
    )
    return DiscordSink(cfg, wall=clock, clock=clock, sleep=clock.sleep, rate=RateState())


def target(sink: DiscordSink) -> OutboxTarget:
    return OutboxTarget(
        sink.name,
        lambda: sink,
        kinds=sink.config.kinds,
        renderer_version=RENDERER_VERSION,
        alerts=sink.alerts,
    )


def ingest(store: Storage, artifacts: Iterable[Artifact], *targets: OutboxTarget) -> None:
    Pipeline(store, deliver=list(targets)).ingest_many(artifacts)


def drain(store: Storage, clock: Any, *sinks: DiscordSink, passes: int = 20) -> DrainReport:
    """Drain until nothing is due at the fake clock's time (advancing it past retries)."""
    total = DrainReport()
    by_name = {s.name: s for s in sinks}
    for _ in range(passes):
        report = drain_once(store, by_name, wall=clock)
        total.shown += report.shown
        total.retried += report.retried
        total.failed += report.failed
        total.skipped += report.skipped
        total.disabled += report.disabled
        if not report.handled:
            with store.transaction() as tx:
                due = [
                    t
                    for n in by_name
                    if (t := tx.outbox_next_due(n)) is not None and tx.target_disabled(n) is None
                ]
            if not due:
                break
            clock.advance(max(0.0, min(due) - clock()) + 0.01)
    return total
