"""``serve`` answers a bad artifact with 422 and a short reason, never SQL (issue 11).

A real uvicorn server on 127.0.0.1 in front of a real SQLite store."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from etstats.ingest.synthetic import season
from etstats_fastapi.auth import sign

httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

SECRET = "issue eleven secret"  # noqa: S105 - a test-only secret
SQL_WORDS = ("INSERT", "UPDATE", "SELECT", "rounds", "artifacts", "playtime_ms", "sqlite",
             "psycopg", "Traceback")  # fmt: skip


@pytest.fixture
def api(tmp_path: Path) -> Iterator[str]:
    from etstats_fastapi.app import create_app

    app = create_app(str(tmp_path / "api.db"), secrets={"eu1": SECRET})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                           lifespan="on"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def _post(base: str, body: bytes, name: str) -> Any:
    stamp = str(int(time.time()))
    headers = {"X-Etstats-Server": "eu1", "X-Etstats-Timestamp": stamp,
               "X-Etstats-Signature": sign(SECRET, stamp, body), "X-Etstats-Filename": name}
    return httpx.post(f"{base}/v1/ingest", content=body, headers=headers, timeout=30)


def _assert_short(reason: str) -> None:
    assert 0 < len(reason) <= 300
    for word in SQL_WORDS:
        assert word not in reason, reason


def test_truncated_and_out_of_range_uploads_get_422(api: str) -> None:
    stats, lua, _end = season(1, players=2)
    cut = _post(api, stats.data[:-7], stats.name)
    assert cut.status_code == 422
    _assert_short(cut.json()["error"])
    assert "truncated" in cut.json()["error"]
    doc = json.loads(lua.data)
    doc["meta"]["round_end_unix"] = 2**64
    huge = _post(api, json.dumps(doc).encode(), lua.name)
    assert huge.status_code == 422
    _assert_short(huge.json()["error"])
    assert "$.meta.round_end_unix" in huge.json()["error"]
    assert _post(api, stats.data, stats.name).status_code == 200  # the rest still works
    assert _post(api, lua.data, lua.name).status_code == 200


def test_an_artifact_the_store_refuses_gets_422_without_sql(
    api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import etstats.ingest.pipeline as pipeline_module
    from etstats.ingest.derive import round_values as original

    def huge(*args: Any) -> Any:
        values = original(*args)
        values["playtime_ms"] = 2**70
        return values

    stats, lua, _end = season(1, players=2)
    monkeypatch.setattr(pipeline_module, "round_values", huge)
    r = _post(api, stats.data, stats.name)
    assert r.status_code == 422
    _assert_short(r.json()["error"])
    assert "64-bit" in r.json()["error"]
    monkeypatch.undo()
    assert _post(api, lua.data, lua.name).status_code == 200
