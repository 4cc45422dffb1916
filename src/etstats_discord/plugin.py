"""etstats plugin entry point of the discord adapter.

Registers the delivery target ``discord``: each stored round is posted to a Discord webhook
whose URL comes from ``ETSTATS_DISCORD_WEBHOOK_URL`` (never from the repository). The post
itself uses the standard library; ``discord.py`` (the ``discord`` extra) is only needed by the
bot side of the adapter and is declared in :data:`ETSTATS_REQUIRES` so a missing extra is
reported when the plugin loads. Third-party imports happen inside functions only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from etstats.hookspecs import hookimpl

ETSTATS_EXTRA = "discord"
ETSTATS_REQUIRES: tuple[str, ...] = ("discord",)


@hookimpl
def etstats_register_deliveries(register: Callable[[str, Any], None]) -> None:
    """``discord``: post a round summary to ``$ETSTATS_DISCORD_WEBHOOK_URL``."""
    from etstats_discord.webhook import deliver_round

    register("discord", deliver_round)
