"""Which outbox targets a command drains: the registered ones, opened into sinks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from etstats.outbox.enqueue import OutboxTarget
from etstats.outbox.sinks import Sink


def outbox_targets(pm: Any) -> dict[str, OutboxTarget]:
    """Every registered delivery target served through the outbox, by name."""
    from etstats.plugins import registered

    found = registered(pm, "etstats_register_deliveries")
    return {n: t for n, t in found.items() if isinstance(t, OutboxTarget)}


def worker_sinks(targets: Iterable[object], pm: Any) -> dict[str, Sink]:
    """Sinks for the outbox targets among ``targets`` (what ``--deliver`` named) plus every
    registered alert target; empty when none is an outbox target.

    :raises ConfigError: a named target is not configured (e.g. no webhook URL).
    """
    named = [t for t in targets if isinstance(t, OutboxTarget)]
    if not named:
        return {}
    chosen = {t.name: t for t in named}
    for name, t in outbox_targets(pm).items():
        if t.alerts:
            chosen.setdefault(name, t)
    return {name: t.open_sink() for name, t in chosen.items()}
