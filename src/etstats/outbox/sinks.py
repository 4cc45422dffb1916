"""The contract between the outbox worker and a delivery target (a :class:`Sink`)."""

from __future__ import annotations

from typing import Protocol

from attrs import frozen

from etstats.outbox.model import OutboxEntry
from etstats.storage.base import Storage


@frozen
class Outcome:
    """What a sink did with one row.

    ``status`` is one of:

    * ``shown``: the target shows this generation (``message_ids``, ``fingerprint`` stored);
    * ``retry``: try again after ``retry_after`` seconds (target down, rate limit, data not
      ready); the worker backs off;
    * ``failed``: permanently rejected (the row stays ``failed`` until new data comes);
    * ``disable``: the target is gone (401/403/404): every row of it stops and an alert goes
      out; ``etstats deliver --enable NAME`` brings it back;
    * ``skipped``: the target does not show this kind.
    """

    status: str
    message_ids: tuple[str, ...] = ()
    fingerprint: str | None = None
    retry_after: float | None = None
    """Seconds to wait (``None``: the worker's backoff)."""
    error: str | None = None
    alert: str | None = None
    """Text for the admin target (e.g. a possible duplicate, a rejected payload)."""


class Journal(Protocol):
    """Lets a sink record progress inside one delivery, so a crash mid-way loses nothing."""

    def sending(self) -> None:
        """A message is about to be created (marks the row until :meth:`created`)."""

    def created(self, message_ids: list[str]) -> None:
        """The target confirmed messages: store their ids now (before anything else)."""


class Sink(Protocol):
    """A delivery target the worker drains into (e.g. a Discord webhook)."""

    name: str
    alerts: bool
    """This target also receives the admin alerts."""
    kinds: frozenset[str]
    """Post kinds it shows (``round``, ``map``, ``session``)."""
    renderer_version: int
    """Part of the idempotency key of the rows the worker enqueues for it (sessions)."""

    def deliver(self, storage: Storage, entry: OutboxEntry, journal: Journal) -> Outcome:
        """Show ``entry`` (render it from ``storage``) on the target; never raises for a
        target problem (returns an :class:`Outcome`)."""

    def close(self) -> None:
        """Release connections."""
