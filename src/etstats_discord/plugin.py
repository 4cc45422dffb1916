"""etstats plugin entry point of the discord adapter.

Registers one outbox delivery target per configured Discord webhook
(:mod:`etstats_discord.config`): ``--deliver NAME`` enqueues posts for it and the drain
worker (``watch``, ``serve``, ``etstats deliver``) sends them. Without any configuration the
name ``discord`` is still registered, so ``--deliver discord`` enqueues and the worker reports
the missing ``ETSTATS_DISCORD_WEBHOOK_URL``. Secrets come only from the environment.
Third-party imports (httpx, discord.py) happen inside functions only.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from etstats.hookspecs import hookimpl

ETSTATS_EXTRA = "discord"
ETSTATS_REQUIRES: tuple[str, ...] = ("discord", "httpx")

log = logging.getLogger(__name__)


def _unconfigured() -> Any:
    from etstats.errors import ConfigError
    from etstats_discord.config import WEBHOOK_ENV

    raise ConfigError(f"set {WEBHOOK_ENV} (or ETSTATS_DISCORD_CONFIG) to deliver to Discord")


def _open_sink(cfg: Any) -> Any:
    # Imported when a delivery is made, not at registration: the sink pulls in httpx, about
    # 0.1 s of start-up that every CLI command (e.g. `etstats ingest`) would otherwise pay.
    from etstats_discord.sink import open_sink

    return open_sink(cfg)


@hookimpl
def etstats_register_deliveries(register: Callable[[str, Any], None]) -> None:
    """One :class:`etstats.outbox.OutboxTarget` per configured Discord target."""
    from etstats.errors import ConfigError
    from etstats.outbox import OutboxTarget
    from etstats_discord.config import load_targets
    from etstats_discord.posts import RENDERER_VERSION

    try:
        targets = load_targets()
    except ConfigError as exc:  # reported when the target is used, not at every CLI start
        log.warning("Discord delivery is not configured: %s", exc)
        targets = {}
    for name, cfg in targets.items():
        register(
            name,
            OutboxTarget(
                name,
                functools.partial(_open_sink, cfg),
                kinds=cfg.kinds,
                renderer_version=RENDERER_VERSION,
                alerts=cfg.alerts,
            ),
        )
    if "discord" not in targets:
        register(
            "discord", OutboxTarget("discord", _unconfigured, renderer_version=RENDERER_VERSION)
        )
