"""Discord delivery targets from the environment or a TOML file (docs/discord.md, "Config").

Secrets (webhook URLs, the bot token) come from the environment; a TOML file names the
environment variables that hold them, so it can be committed:

.. code-block:: toml

    [targets.public]                       # round, map and session posts
    webhook_url_env = "ETSTATS_WEBHOOK_PUBLIC"
    kinds = ["round", "map", "session"]

    [targets.admin]                        # mention-free alerts only
    webhook_url_env = "ETSTATS_WEBHOOK_ADMIN"
    kinds = []
    alerts = true

Without a file, ``ETSTATS_DISCORD_WEBHOOK_URL`` defines the target ``discord`` (every kind) and
``ETSTATS_DISCORD_ADMIN_WEBHOOK_URL`` the alert target ``discord-admin``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from attrs import field, frozen

from etstats.errors import ConfigError

CONFIG_ENV = "ETSTATS_DISCORD_CONFIG"
WEBHOOK_ENV = "ETSTATS_DISCORD_WEBHOOK_URL"
ADMIN_WEBHOOK_ENV = "ETSTATS_DISCORD_ADMIN_WEBHOOK_URL"
API_BASE_ENV = "ETSTATS_DISCORD_API_BASE"
BOT_TOKEN_ENV = "ETSTATS_DISCORD_BOT_TOKEN"  # noqa: S105 - a variable name, not a secret
KINDS = frozenset({"round", "map", "session"})


@frozen
class TargetConfig:
    """One webhook and what it shows. Secrets are left out of ``repr``."""

    name: str
    webhook_url: str = field(repr=False)
    kinds: frozenset[str] = KINDS
    """Post kinds this target shows (``round``, ``map``, ``session``)."""
    alerts: bool = False
    """Also (or only) the mention-free admin alerts."""
    api_base: str | None = None
    """Discord API base (``https://discord.com/api/v10``); tests point it at 127.0.0.1."""
    bot_token: str | None = field(default=None, repr=False)
    """Optional bot token that can read the channel: an ambiguous send is then reconciled
    exactly (without one, a possible duplicate raises an alert instead)."""
    budget_seconds: float = 60.0
    """Longest time one request may spend retrying (seconds)."""
    timeout_seconds: float = 10.0
    graphs: bool = True
    """Attach a PNG graph to session summaries when matplotlib (the ``plot`` extra) is there."""


def _target(name: str, spec: Mapping[str, Any], env: Mapping[str, str]) -> TargetConfig:
    url = spec.get("webhook_url") or env.get(str(spec.get("webhook_url_env", "")), "")
    if not url:
        raise ConfigError(
            f"Discord target {name}: set webhook_url_env to a variable holding the webhook URL"
        )
    kinds = frozenset(spec.get("kinds", sorted(KINDS)))
    unknown = kinds - KINDS
    if unknown:
        raise ConfigError(
            f"Discord target {name}: unknown kinds {sorted(unknown)} (known: {sorted(KINDS)})"
        )
    token_env = str(spec.get("bot_token_env", BOT_TOKEN_ENV))
    return TargetConfig(
        name=name,
        webhook_url=str(url),
        kinds=kinds,
        alerts=bool(spec.get("alerts", False)),
        api_base=spec.get("api_base") or env.get(API_BASE_ENV) or None,
        bot_token=env.get(token_env) or None,
        budget_seconds=float(spec.get("budget_seconds", 60.0)),
        timeout_seconds=float(spec.get("timeout_seconds", 10.0)),
        graphs=bool(spec.get("graphs", True)),
    )


def load_targets(env: Mapping[str, str] | None = None) -> dict[str, TargetConfig]:
    """The configured targets by name (empty when nothing is configured).

    :raises ConfigError: the file is missing or malformed, or a target lacks its URL.
    """
    env = os.environ if env is None else env
    path = env.get(CONFIG_ENV)
    if path:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the Discord config: {exc}") from None
        targets = data.get("targets", {})
        if not isinstance(targets, dict):
            raise ConfigError(f"{path}: [targets.NAME] tables expected")
        return {str(k): _target(str(k), v, env) for k, v in targets.items()}
    out: dict[str, TargetConfig] = {}
    if env.get(WEBHOOK_ENV):
        out["discord"] = _target("discord", {"webhook_url": env[WEBHOOK_ENV]}, env)
    if env.get(ADMIN_WEBHOOK_ENV):
        out["discord-admin"] = _target(
            "discord-admin",
            {"webhook_url": env[ADMIN_WEBHOOK_ENV], "kinds": [], "alerts": True},
            env,
        )
    return out
