"""The loopback flood / slow-client run of bench/http_flood.py, bounded, as a behaviour test:
every signed upload made during the attack succeeds, every half-open connection is closed by
the server's header timeout, and the server's log stays small. Latency numbers are printed
and recorded in docs/performance.md, not asserted."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow


def test_signed_uploads_survive_a_flood() -> None:
    from bench.http_flood import run

    result = run(seconds=7.0, half_open=300, slow=50, flooders=4)
    print(json.dumps(result, indent=2))
    assert result["under_attack"]["ok"] == result["under_attack"]["uploads"] > 0
    assert result["attack"]["half_open_closed"] == 300  # header timeout 5 s < 7 s of attack
    assert result["attack"]["slow_answered"] == 50  # refused from the head, never read
    assert result["server_log_bytes"] < 10_000  # refusals are logged once a minute per reason
