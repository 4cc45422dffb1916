"""Post a stored round to a Discord webhook (standard library HTTP, no discord.py needed)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from etstats.errors import ConfigError, EtStatsError
from etstats.queries.types import PlayerLine
from etstats.storage.base import Storage, StoredRound
from etstats_discord.queries import get_round

WEBHOOK_ENV = "ETSTATS_DISCORD_WEBHOOK_URL"
"""Environment variable holding the webhook URL (a secret: never commit it)."""
MAX_FIELDS = 25
"""Discord's limit of fields per embed."""


def round_message(rnd: StoredRound, players: Sequence[PlayerLine]) -> dict[str, Any]:
    """The webhook body for one round: an embed with the top players by kills."""
    top = sorted(players, key=lambda p: (-p.kills, p.name))[: MAX_FIELDS - 1]
    fields = [
        {"name": p.name[:256] or "?", "value": f"{p.kills} kills / {p.deaths} deaths",
         "inline": True}
        for p in top
    ]  # fmt: skip
    sources = ", ".join(rnd.linked)
    return {
        "username": "etstats",
        "embeds": [{
            "title": f"{rnd.map_name} round {rnd.round_number}"[:256],
            "description": f"sources: {sources}; start <t:{rnd.round_start_unix}:f> "
            f"({rnd.start_source})",
            "fields": fields,
        }],
    }  # fmt: skip


def deliver_round(round_id: int, storage: Storage, *, url: str | None = None,
                  timeout: float = 10.0) -> None:  # fmt: skip
    """Post round ``round_id`` to the webhook (``url`` or ``$ETSTATS_DISCORD_WEBHOOK_URL``).

    :raises ConfigError: no webhook URL is configured.
    :raises EtStatsError: the round is unknown or the post failed.
    """
    url = url or os.environ.get(WEBHOOK_ENV, "")
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"set {WEBHOOK_ENV} to the Discord webhook URL")
    rnd = get_round(storage, round_id)  # QueryError (an EtStatsError) if unknown
    detail = storage.round_detail(round_id)
    players = detail.players if detail is not None else ()
    body = json.dumps(round_message(rnd, players)).encode("utf-8")
    req = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            resp.read()
    except (urllib.error.URLError, OSError) as exc:
        raise EtStatsError(f"discord webhook post failed: {exc}") from exc
