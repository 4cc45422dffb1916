"""The HTTP adapter on both stores (SQLite and the real PostgreSQL): signed uploads, reads,
every diagnostic (their SQL aggregates) and the audit page, served by uvicorn on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.http.live import live_server

from etstats.ingest.signing import sign_upload
from etstats.testing.synthetic import season
from etstats_fastapi.app import create_app

KEY = "backend-key"
ADMIN = {"X-API-Key": "backend-admin"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.pg)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "b.db")
        return
    from etstats.storage.testing import pg_database

    with pg_database(request.getfixturevalue("pg_dsn")) as url:
        yield url


def test_upload_read_and_diagnose(store_url: str) -> None:
    app = create_app(db_url=store_url, secrets={"eu1": (KEY,)}, api_keys=("backend-admin",))
    with live_server(app) as base, httpx.Client(base_url=base, timeout=60) as c:
        for a in season(2, seed=41):
            r = c.post(
                "/v1/ingest", content=a.data, headers=sign_upload(KEY, "eu1", a.name, a.data)
            )
            assert r.status_code == 201, r.text
        rounds = c.get("/v1/rounds").json()["items"]
        assert len(rounds) == 2
        health = c.get("/v1/diagnostics/pipeline", headers=ADMIN).json()
        assert [s["server"] for s in health["servers"]] == ["eu1"]
        assert health["servers"][0]["rounds"] == 2
        assert sum(s["artifacts"] for s in health["sources"]) == 6
        lua = c.get("/v1/diagnostics/lua-webhook", headers=ADMIN).json()
        assert lua["rounds_with_lua"] == 2
        assert lua["linkage_rate"] == 1.0
        assert lua["lag_seconds"]["count"] == 2
        linkage = c.get("/v1/diagnostics/linkage", headers=ADMIN).json()
        assert linkage["by_sources"] == {"stats+lua+endstats": 2}
        audit = c.get("/v1/diagnostics/spawn-audit", headers=ADMIN).json()
        assert audit["total"] > 0
        page = c.get(f"/audit?round_id={rounds[0]['id']}")
        assert page.status_code == 200
        assert page.text.count('class="mark ') == sum(
            1
            for i in audit["items"]
            if i["round_id"] == rounds[0]["id"]
            and i["lua_dead_seconds"] is not None
            and i["stats_dead_seconds"] is not None
        )
        summary = c.get("/v1/diagnostics", headers=ADMIN).json()
        assert summary["rounds"] == 2
        assert summary["artifacts"] == {"accepted": 6}
