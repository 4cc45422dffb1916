"""A Discord webhook client on httpx that follows Discord's rules (docs/discord.md, "Sender").

* Per-webhook pacing from ``X-RateLimit-Remaining``/``Reset-After``; ``Retry-After`` or the
  body's ``retry_after`` on 429, with its scope (a ``global`` 429 pauses every webhook of the
  process). A 429 without a ``Via`` header is a Cloudflare block: no retry.
* Backoff with jitter on 5xx, timeouts and connection errors, within ``budget_seconds``.
* A create (POST) that may have reached Discord without an answer raises
  :class:`AmbiguousSend` instead of being re-sent (the caller reconciles).
* 401/403/404/10015/50027 raise :class:`TargetGone`; 400 raises :class:`PayloadRejected`.

Every time and sleep goes through ``clock``/``sleep`` (seconds), so tests drive it with a fake
clock. The webhook token is a secret: it never appears in errors or logs.
"""

from __future__ import annotations

import contextlib
import random
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from etstats.errors import ConfigError
from etstats_discord.errors import (
    AmbiguousSend,
    MessageGone,
    PayloadRejected,
    TargetGone,
    Unavailable,
)

USER_AGENT = "DiscordBot (https://github.com/etstats/etstats, 0.1)"
DEFAULT_API_BASE = "https://discord.com/api/v10"
_WEBHOOK_URL = re.compile(r"^(?P<base>https?://.+?)/webhooks/(?P<id>\d+)/(?P<token>[^/?#]+)")
_GONE_CODES = {10015, 50027}


def parse_webhook_url(url: str) -> tuple[str, str, str]:
    """``(api base, webhook id, token)`` of a webhook URL.

    :raises ConfigError: not a ``.../webhooks/<id>/<token>`` URL.
    """
    m = _WEBHOOK_URL.match(url.strip())
    if m is None:
        raise ConfigError(
            "a Discord webhook URL looks like https://discord.com/api/webhooks/<id>/<token>"
        )
    base = m["base"]
    if base.endswith("/api"):  # discord.com/api/webhooks/... (unversioned): use v10
        base += "/v10"
    return base, m["id"], m["token"]


class RateState:
    """Rate-limit knowledge shared by the senders of one process (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.global_until = 0.0
        """``clock()`` time before which no request may start (a global 429)."""
        self.buckets: dict[str, tuple[int, float]] = {}
        """webhook id -> (requests remaining, ``clock()`` time the bucket resets)."""


SHARED_RATE = RateState()


def snowflake_at(unix: float) -> int:
    """The smallest Discord snowflake id of a message created at ``unix`` seconds."""
    return max(0, int(unix * 1000) - 1420070400000) << 22


def _error_path(tree: Any, prefix: str = "") -> str:
    """First ``a.b.c`` path in Discord's ``errors`` tree (with ``_errors`` leaves)."""
    if not isinstance(tree, dict):
        return prefix
    for key, sub in tree.items():
        if key == "_errors":
            return prefix
        found = _error_path(sub, f"{prefix}.{key}" if prefix else str(key))
        if found:
            return found
    return prefix


class WebhookSender:
    """One webhook. ``api_base`` overrides the URL's host (tests aim it at 127.0.0.1).

    :param budget_seconds: longest time one call may spend retrying (seconds).
    :param timeout: per-request timeout in seconds.
    :param bot_token: optional bot token; with it, :meth:`recent_messages` can list the
        channel to reconcile an ambiguous send.
    """

    def __init__(
        self,
        url: str,
        *,
        api_base: str | None = None,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        budget_seconds: float = 60.0,
        timeout: float = 10.0,
        rng: Callable[[], float] = random.random,
        rate: RateState | None = None,
        bot_token: str | None = None,
    ) -> None:
        base, self.webhook_id, self._token = parse_webhook_url(url)
        self.api_base = (api_base or base).rstrip("/")
        self._own_client = client is None
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(timeout), headers={"User-Agent": USER_AGENT}
        )
        self.clock, self.sleep, self.rng = clock, sleep, rng
        self.budget_seconds = budget_seconds
        self.rate = rate or SHARED_RATE
        self._bot_token = bot_token
        self._lock = threading.Lock()  # one request at a time per webhook, as discord.py does
        self.requests = 0
        """Requests sent (for status and tests)."""

    def __repr__(self) -> str:  # never the token
        return f"WebhookSender(webhook {self.webhook_id} at {self.api_base})"

    # -- public calls -------------------------------------------------------------------
    def execute(
        self, payload: dict[str, Any], files: dict[str, bytes] | None = None
    ) -> dict[str, Any]:
        """Create a message (``wait=true``); returns Discord's message object."""
        return dict(
            self._call("POST", "", payload, files=files, params={"wait": "true"}, creates=True)
        )

    def edit(
        self, message_id: str, payload: dict[str, Any], files: dict[str, bytes] | None = None
    ) -> dict[str, Any]:
        """Edit a message this webhook sent (PATCH; safe to repeat)."""
        return dict(self._call("PATCH", f"/messages/{message_id}", payload, files=files))

    def delete(self, message_id: str) -> None:
        """Delete a message this webhook sent (a missing one counts as deleted)."""
        with contextlib.suppress(MessageGone):
            self._call("DELETE", f"/messages/{message_id}", None)

    def info(self) -> dict[str, Any]:
        """The webhook object (``channel_id``, ``guild_id``...)."""
        return dict(self._call("GET", "", None))

    def recent_messages(self, since_unix: float) -> list[dict[str, Any]] | None:
        """This webhook's messages in its channel created after ``since_unix`` (needs a bot
        token; ``None`` without one)."""
        if not self._bot_token:
            return None
        channel = self.info().get("channel_id")
        url = f"{self.api_base}/channels/{channel}/messages"
        params = {"after": str(snowflake_at(since_unix)), "limit": "100"}
        headers = {"Authorization": f"Bot {self._bot_token}"}
        body = self._request("GET", url, None, params=params, headers=headers, creates=False)
        return [m for m in body if str(m.get("webhook_id")) == self.webhook_id]

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    # -- machinery --------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        suffix: str,
        payload: dict[str, Any] | None,
        *,
        files: dict[str, bytes] | None = None,
        params: dict[str, str] | None = None,
        creates: bool = False,
    ) -> Any:
        url = f"{self.api_base}/webhooks/{self.webhook_id}/{self._token}{suffix}"
        return self._request(method, url, payload, files=files, params=params, creates=creates)

    def _pace(self) -> None:
        """Sleep until the global pause and this webhook's bucket allow a request."""
        while True:
            now = self.clock()
            with self.rate.lock:
                wait = self.rate.global_until - now
                remaining, reset_at = self.rate.buckets.get(self.webhook_id, (1, 0.0))
                if remaining <= 0 and reset_at > now:
                    wait = max(wait, reset_at - now)
                elif remaining <= 0:
                    self.rate.buckets.pop(self.webhook_id, None)
            if wait <= 0:
                return
            self.sleep(wait)

    def _learn(self, resp: httpx.Response) -> None:
        h = resp.headers
        if "x-ratelimit-remaining" not in h:
            return
        try:
            remaining = int(h["x-ratelimit-remaining"])
            after = float(h.get("x-ratelimit-reset-after", "0"))
        except ValueError:
            return
        with self.rate.lock:
            self.rate.buckets[self.webhook_id] = (remaining, self.clock() + after)

    def _send(
        self,
        method: str,
        url: str,
        payload: dict[str, Any] | None,
        files: dict[str, bytes] | None,
        params: dict[str, str] | None,
        headers: dict[str, str] | None,
    ) -> httpx.Response:
        self.requests += 1
        if files:
            import json

            data = {"payload_json": json.dumps(payload)}
            upload = {f"files[{i}]": (name, blob) for i, (name, blob) in enumerate(files.items())}
            return self.client.request(
                method, url, data=data, files=upload, params=params, headers=headers
            )
        return self.client.request(method, url, json=payload, params=params, headers=headers)

    def _request(
        self,
        method: str,
        url: str,
        payload: dict[str, Any] | None,
        *,
        files: dict[str, bytes] | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        creates: bool = False,
    ) -> Any:
        deadline = self.clock() + self.budget_seconds
        attempt = 0
        last = "no attempt"
        with self._lock:
            while True:
                attempt += 1
                self._pace()
                try:
                    resp = self._send(method, url, payload, files, params, headers)
                except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                    last = f"cannot connect ({type(exc).__name__})"  # nothing was sent
                except httpx.TransportError as exc:  # sent, but no (complete) answer
                    if creates:
                        raise AmbiguousSend(
                            f"no answer to a create ({type(exc).__name__}); the message may exist"
                        ) from None
                    last = f"no answer ({type(exc).__name__})"
                else:
                    self._learn(resp)
                    done, wait, last = self._judge(resp)
                    if done:
                        return None if resp.status_code == 204 else resp.json()
                    if wait is not None:
                        if self.clock() + wait > deadline:
                            raise Unavailable(
                                f"{last}; retry after {wait:.1f} s",
                                status=resp.status_code,
                                retry_after=wait,
                            )
                        self.sleep(wait)
                        continue
                delay = min(30.0, 0.5 * 2 ** min(attempt, 6)) * (0.5 + self.rng())
                if self.clock() + delay > deadline:
                    raise Unavailable(f"gave up after {attempt} attempt(s): {last}")
                self.sleep(delay)

    def _judge(self, resp: httpx.Response) -> tuple[bool, float | None, str]:
        """(success, seconds to wait before retrying or None for backoff, description);
        raises for permanent answers."""
        status = resp.status_code
        if 200 <= status < 300:
            return True, None, ""
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        code = body.get("code")
        message = str(body.get("message", ""))[:200]
        if status == 429:
            try:
                wait = float(body.get("retry_after") or resp.headers.get("retry-after", "1"))
            except ValueError:
                wait = 1.0
            scope = resp.headers.get("x-ratelimit-scope", "")
            if (
                body.get("global")
                or scope == "global"
                or resp.headers.get("x-ratelimit-global") == "true"
            ):
                with self.rate.lock:
                    self.rate.global_until = max(self.rate.global_until, self.clock() + wait)
            if "via" not in resp.headers:
                raise Unavailable(
                    "429 without Via (a Cloudflare block): not retrying",
                    status=429,
                    retry_after=wait,
                )
            return False, wait, f"rate limited ({scope or 'route'} scope)"
        if status in (401, 403) or code in _GONE_CODES:
            raise TargetGone(f"{status} {message or 'webhook refused'}", status=status, code=code)
        if status == 404:
            if code == 10008:
                raise MessageGone("the message was deleted", status=404, code=code)
            raise TargetGone(f"404 {message or 'unknown webhook'}", status=404, code=code)
        if status >= 500:
            return False, None, f"server error {status}"
        if 400 <= status < 500:
            path = _error_path(body.get("errors"))
            raise PayloadRejected(
                f"{status} {code} {message} at {path or '?'}", status=status, code=code, path=path
            )
        return False, None, f"unexpected status {status}"
