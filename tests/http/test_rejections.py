"""``serve`` answers a bad artifact with a 422 problem and a short reason, never SQL (issue 11).

A real uvicorn server on 127.0.0.1 in front of a real SQLite store; uploads signed (v2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.http.live import live_server

from etstats.ingest.signing import sign_upload
from etstats.testing.synthetic import season
from etstats_fastapi.app import create_app

SECRET = "issue eleven secret"  # noqa: S105 - a test-only secret
SQL_WORDS = (
    "INSERT",
    "UPDATE",
    "SELECT",
    "rounds",
    "artifacts",
    "playtime_ms",
    "sqlite",
    "psycopg",
    "Traceback",
)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[str]:
    app = create_app(db_url=str(tmp_path / "api.db"), secrets={"eu1": (SECRET,)})
    with live_server(app) as base:
        yield base


def _post(base: str, body: bytes, name: str) -> httpx.Response:
    headers = sign_upload(SECRET, "eu1", name, body)
    return httpx.post(f"{base}/v1/ingest", content=body, headers=headers, timeout=30)


def _reason(r: httpx.Response) -> str:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    detail = str(r.json()["detail"])
    assert 0 < len(detail) <= 400
    for word in SQL_WORDS:
        assert word not in detail, detail
    return detail


def test_truncated_and_out_of_range_uploads_get_422(api: str) -> None:
    stats, lua, _end = season(1, players=2)
    assert "truncated" in _reason(_post(api, stats.data[:-7], stats.name))
    doc = json.loads(lua.data)
    doc["meta"]["round_end_unix"] = 2**64
    assert "$.meta.round_end_unix" in _reason(_post(api, json.dumps(doc).encode(), lua.name))
    assert _post(api, stats.data, stats.name).status_code == 201  # the rest still works
    assert _post(api, lua.data, lua.name).status_code == 201


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
    assert "64-bit" in _reason(_post(api, stats.data, stats.name))
    monkeypatch.undo()
    assert _post(api, lua.data, lua.name).status_code == 201
