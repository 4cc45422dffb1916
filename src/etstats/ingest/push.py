"""The signed-upload sender behind ``etstats push`` (standard library only).

:func:`push_file` signs one artifact with :func:`etstats.ingest.signing.sign_upload` and POSTs
it to ``<base_url>/v1/ingest``. Each attempt is signed anew (the timestamp is the send time).
Retries with exponential backoff happen on connection errors, timeouts, 408, 429 and 5xx;
every other answer is final. The sleeper is injectable so tests do not wait.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from etstats.ingest.signing import sign_upload

RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class PushOutcome:
    """The final answer for one file."""

    ok: bool
    status: int | None
    """HTTP status of the last attempt (``None``: no answer, e.g. connection refused)."""
    summary: str
    """One line for humans: ``stored``, ``duplicate``, or the problem's title and detail."""
    attempts: int


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all; waits ``base_s``, ``2*base_s``, ... capped at ``cap_s``."""

    attempts: int = 5
    base_s: float = 1.0
    cap_s: float = 30.0

    def delay_s(self, attempt: int) -> float:
        return float(min(self.cap_s, self.base_s * 2 ** (attempt - 1)))


def _summary(status: int, raw: bytes) -> str:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return f"HTTP {status}"
    if not isinstance(body, dict):
        return f"HTTP {status}"
    if "detail" in body:  # a problem
        return f"{body.get('title', 'error')}: {body.get('detail', '')}"[:300]
    rounds = body.get("round_ids") or []
    listed = f" (rounds {', '.join(map(str, rounds))})" if rounds else ""
    return f"{body.get('status', 'ok')}{listed}"


def _send(url: str, headers: dict[str, str], body: bytes, timeout_s: float) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            return int(response.status), response.read(65536)
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read(65536)


def push_file(
    base_url: str,
    server: str,
    secret: str,
    name: str,
    body: bytes,
    *,
    policy: RetryPolicy | None = None,
    timeout_s: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> PushOutcome:
    """Upload one artifact; retries per ``policy``. Never raises for network errors."""
    policy = policy or RetryPolicy()
    url = base_url.rstrip("/") + "/v1/ingest"
    status: int | None = None
    summary = ""
    for attempt in range(1, policy.attempts + 1):
        headers = sign_upload(secret, server, name, body)  # a fresh timestamp per attempt
        try:
            status, raw = _send(url, headers, body, timeout_s)
            summary = _summary(status, raw)
        except (urllib.error.URLError, OSError) as exc:
            status, summary = None, f"connection failed: {getattr(exc, 'reason', exc)}"
        if status is not None and status not in RETRYABLE:
            return PushOutcome(status in (200, 201), status, summary, attempt)
        if attempt < policy.attempts:
            sleep(policy.delay_s(attempt))
    return PushOutcome(False, status, summary, policy.attempts)
