"""The durable outbox: ingest enqueues, a drain worker delivers (docs/discord.md, "Delivery").

Ingest, ``watch`` and ``serve`` never talk to a delivery target: the pipeline writes an outbox
row in the same transaction as the round it stored (:func:`enqueue_round`), so a crash never
loses a post and a target that is down never slows ingestion. A worker
(:func:`etstats.outbox.worker.start_worker`, ``etstats deliver``) drains the rows through the
target's :class:`Sink`.
"""

from __future__ import annotations

from etstats.outbox.enqueue import OutboxTarget, enqueue_alert, enqueue_round, round_keys
from etstats.outbox.model import OutboxEntry
from etstats.outbox.sinks import Journal, Outcome, Sink

__all__ = [
    "Journal",
    "OutboxEntry",
    "OutboxTarget",
    "Outcome",
    "Sink",
    "enqueue_alert",
    "enqueue_round",
    "round_keys",
]
