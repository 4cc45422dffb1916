"""Per-game-server request signing for the ingestion endpoint (standard library only).

A game server signs each upload with its own secret::

    X-Etstats-Server: <server name>
    X-Etstats-Timestamp: <Unix seconds>
    X-Etstats-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>

The timestamp is inside the MAC so a captured request cannot be replayed later with a new
timestamp; requests older or newer than :data:`MAX_SKEW_SECONDS` are refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from etstats.errors import ConfigError

MAX_SKEW_SECONDS = 300
"""Largest accepted difference between the request timestamp and the receiver's clock."""

SECRETS_ENV = "ETSTATS_INGEST_SECRETS"
"""``name=secret,name2=secret2``: per-server secrets (never committed to a repository)."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Etstats-Signature`` value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secrets: dict[str, str], server: str | None, timestamp: str | None, signature: str | None,
    body: bytes, now: float,
) -> str | None:
    """``None`` when the request is authentic, else the reason it is refused."""
    if not server or not timestamp or not signature:
        return "missing X-Etstats-Server, X-Etstats-Timestamp or X-Etstats-Signature"
    secret = secrets.get(server)
    if secret is None:
        return f"unknown server {server!r}"
    if not timestamp.isascii() or not timestamp.isdigit():
        return "X-Etstats-Timestamp must be Unix seconds"
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        return "request timestamp too far from the receiver's clock"
    if not hmac.compare_digest(sign(secret, timestamp, body), signature):
        return "bad signature"
    return None


def secrets_from_env(value: str | None = None) -> dict[str, str]:
    """Parse ``$ETSTATS_INGEST_SECRETS`` (``name=secret,...``)."""
    text = os.environ.get(SECRETS_ENV, "") if value is None else value
    out: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        name, sep, secret = item.partition("=")
        if not sep or not name.strip() or not secret:
            raise ConfigError(f"{SECRETS_ENV}: expected name=secret pairs, got {item!r}")
        out[name.strip()] = secret
    return out
