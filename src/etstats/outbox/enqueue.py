"""What the pipeline (and the worker, for alerts) puts in the outbox."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from attrs import frozen

from etstats.storage.base import StorageTx, StoredRound


@frozen
class OutboxTarget:
    """A delivery target served through the outbox, as registered with
    ``etstats_register_deliveries`` (``register(name, OutboxTarget(name, open_sink))``).

    ``--deliver NAME`` then means "enqueue for NAME"; the worker of ``watch``/``serve``/
    ``etstats deliver`` calls ``open_sink()`` once to get the :class:`etstats.outbox.Sink`.
    """

    name: str
    open_sink: Callable[[], Any]
    kinds: frozenset[str] = frozenset({"round", "map", "session"})
    """Kinds enqueued for this target (others are never written for it)."""
    renderer_version: int = 1
    """Part of the idempotency key: a new renderer version posts anew instead of editing."""
    alerts: bool = False
    """The target receives admin alerts (the worker always drains such targets)."""


def round_keys(rnd: StoredRound) -> list[str]:
    """Subject keys of a round: its linked artifacts (``sha:<sha256>``), stats file first.

    Artifacts stay when a round is re-linked or rebuilt (its id may change), so any of them
    finds the round's outbox row again; a round first seen by its Lua file keeps the row when
    the stats file joins it."""
    return [f"sha:{sha}" for sha in rnd.linked.values()]


def enqueue_round(
    tx: StorageTx, target: OutboxTarget, rnd: StoredRound, now: int | None = None
) -> list[int]:
    """Enqueue (or touch) the posts of one stored round for ``target``: the round post and,
    for a round 2 paired with its round 1, the map result. Returns the outbox ids."""
    now = int(time.time()) if now is None else now
    keys = round_keys(rnd)
    if not keys:
        return []
    ids: list[int] = []
    if "round" in target.kinds:
        ids.append(
            tx.outbox_enqueue(
                target.name, "round", target.renderer_version, keys, f"round:{rnd.id}", now
            )
        )
    if "map" in target.kinds and rnd.round_number == 2 and rnd.r1_round_id is not None:
        ids.append(
            tx.outbox_enqueue(
                target.name, "map", target.renderer_version, keys, f"round:{rnd.id}", now
            )
        )
    return ids


def enqueue_alert(
    tx: StorageTx, target: str, text: str, *, dedupe: str | None = None, now: int | None = None
) -> int:
    """Enqueue an admin alert (plain text) for ``target``; ``dedupe`` names the condition, so
    the same condition alerts once (default: the text itself)."""
    now = int(time.time()) if now is None else now
    key = "alert:" + hashlib.sha256((dedupe or text).encode("utf-8")).hexdigest()[:32]
    return tx.outbox_enqueue(target, "alert", 1, [key], text, now)
