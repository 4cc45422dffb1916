"""The HTTP ingestion API, served by a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from etstats.ingest.synthetic import season
from etstats.storage.migrate import load_migrations
from etstats_fastapi.auth import secrets_from_env, sign

httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

SECRET = "correct horse battery staple"  # noqa: S105 - a test-only secret


@pytest.fixture
def api(tmp_path: Path) -> Iterator[str]:
    from etstats_fastapi.app import create_app

    app = create_app(str(tmp_path / "api.db"), secrets={"eu1": SECRET}, max_body_bytes=64_000)
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


def _post(base: str, body: bytes, name: str, *, server: str = "eu1", secret: str = SECRET,
          ts: int | None = None) -> httpx.Response:  # fmt: skip
    stamp = str(int(time.time()) if ts is None else ts)
    headers = {"X-Etstats-Server": server, "X-Etstats-Timestamp": stamp,
               "X-Etstats-Signature": sign(secret, stamp, body), "X-Etstats-Filename": name}
    return httpx.post(f"{base}/v1/ingest", content=body, headers=headers, timeout=30)


def test_signed_uploads_are_ingested_once(api: str) -> None:
    arts = season(2)
    for a in arts:
        r = _post(api, a.data, a.name)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "stored"
        assert r.json()["sha256"] == a.sha256
    again = _post(api, arts[0].data, arts[0].name)
    assert again.json()["status"] == "duplicate"
    diag = httpx.get(f"{api}/v1/diagnostics", timeout=30).json()
    assert diag["schema_version"] == max(m.version for m in load_migrations("sqlite"))
    assert diag["rounds"]["stats_and_lua"] == 2


def test_unsigned_or_forged_requests_are_refused(api: str) -> None:
    a = season(1)[0]
    assert _post(api, a.data, a.name, secret="guess").status_code  # noqa: S106 == 401
    assert _post(api, a.data, a.name, server="us9").status_code == 401
    assert _post(api, a.data, a.name, ts=int(time.time()) - 3600).status_code == 401
    r = httpx.post(f"{api}/v1/ingest", content=a.data, timeout=30)
    assert r.status_code == 401
    assert "missing" in r.json()["error"]
    diag = httpx.get(f"{api}/v1/diagnostics", timeout=30).json()
    assert diag["rounds"]["total"] == 0


def test_tampered_body_is_refused(api: str) -> None:
    a = season(1)[0]
    stamp = str(int(time.time()))
    headers = {"X-Etstats-Server": "eu1", "X-Etstats-Timestamp": stamp,
               "X-Etstats-Signature": sign(SECRET, stamp, a.data), "X-Etstats-Filename": a.name}
    r = httpx.post(f"{api}/v1/ingest", content=a.data + b"x", headers=headers, timeout=30)
    assert r.status_code == 401


def test_oversized_body_is_refused(api: str) -> None:
    r = _post(api, b"x" * 70_000, "big.txt")
    assert r.status_code == 413


def test_malformed_artifact_is_archived_as_rejected(api: str) -> None:
    r = _post(api, b"not a stats file", "2026-01-01-000003-supply-round-1.txt")
    assert r.status_code == 422
    assert r.json()["status"] == "rejected"
    assert r.json()["error"]
    assert httpx.get(f"{api}/v1/diagnostics", timeout=30).json()["rejected"] == 1


def test_secrets_from_environment_format() -> None:
    from etstats.errors import ConfigError

    assert secrets_from_env("eu1=a=b, us1=c") == {"eu1": "a=b", "us1": "c"}
    with pytest.raises(ConfigError):
        secrets_from_env("no-equals-sign")
