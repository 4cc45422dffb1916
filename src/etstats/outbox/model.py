"""The outbox's rows and the outcomes a sink reports (no I/O here).

An outbox row is one thing to show on one delivery target (a round post, a map result, a
session summary, an alert), keyed by (target, subject, kind, renderer version). Times are Unix
seconds (UTC epoch; floats where sub-second matters).
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

STATES = ("pending", "sent", "failed", "disabled", "skipped")
"""``pending``: new data not yet shown; ``sent``: the target shows the latest data; ``failed``:
permanently rejected (e.g. Discord 400 even in the smaller shape); ``disabled``: the target is
gone (401/403/404); ``skipped``: the target does not take this kind."""

OUTBOX_COLUMNS = (
    "id",
    "target",
    "subject",
    "kind",
    "renderer_version",
    "ref",
    "state",
    "generation",
    "delivered_generation",
    "message_ids",
    "fingerprint",
    "sending_since_unix",
    "attempts",
    "next_attempt_unix",
    "last_error",
    "created_unix",
    "updated_unix",
)
"""Columns of ``outbox`` in :class:`OutboxEntry` order."""

UPDATABLE = frozenset(
    {
        "state",
        "delivered_generation",
        "message_ids",
        "fingerprint",
        "sending_since_unix",
        "attempts",
        "next_attempt_unix",
        "last_error",
        "ref",
    }
)
"""Columns a worker may change (the key columns never change)."""


@frozen
class OutboxEntry:
    """One outbox row."""

    id: int
    target: str
    subject: str
    """The first idempotency key the row was created with (e.g. ``sha:<stats sha256>``)."""
    kind: str
    """``round``, ``map``, ``session`` or ``alert``."""
    renderer_version: int
    ref: str
    """What to render: ``round:<id>`` for round posts (the id of the latest enqueue; the
    round is found again by :attr:`subject` keys when ids change), the text of an alert."""
    state: str
    generation: int
    """Bumped by every enqueue: the data changed."""
    delivered_generation: int
    """The generation the target shows (``generation`` when nothing new is waiting)."""
    message_ids: str
    """JSON list of the target's message ids for this row (main message, continuations)."""
    fingerprint: str | None
    """SHA-256 of the payloads last shown (an identical render sends nothing)."""
    sending_since_unix: float | None
    """Set just before a message is created and cleared when its id is stored: set on a
    fresh claim means a crash or an ambiguous failure happened mid-send (reconcile first)."""
    attempts: int
    next_attempt_unix: float
    last_error: str | None
    created_unix: int
    updated_unix: int

    @property
    def ids(self) -> list[str]:
        import json

        return [str(x) for x in json.loads(self.message_ids or "[]")]

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> OutboxEntry:
        return cls(*row)
