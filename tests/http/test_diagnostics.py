"""Diagnostics routes over a store filled by the real pipeline, served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.http.live import live_server

from etstats.ingest.pipeline import Pipeline
from etstats.storage.registry import open_storage
from etstats.testing.synthetic import season
from etstats_fastapi.app import create_app

ADMIN = {"X-API-Key": "k-admin"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    db = tmp_path_factory.mktemp("diag") / "d.db"
    storage = open_storage(str(db))
    pipeline = Pipeline(storage)
    for a in season(4, seed=3):
        pipeline.ingest(a)
    storage.close()
    app = create_app(db_url=str(db), secrets={}, api_keys=("k-admin",))
    with live_server(app) as base, httpx.Client(base_url=base, timeout=30) as c:
        yield c


@pytest.mark.parametrize(
    "path",
    [
        "/v1/diagnostics",
        "/v1/diagnostics/pipeline",
        "/v1/diagnostics/lua-webhook",
        "/v1/diagnostics/linkage",
        "/v1/diagnostics/spawn-audit",
    ],
)
def test_every_diagnostic_needs_the_key(client: httpx.Client, path: str) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"X-API-Key": "wrong"}).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer k-admin"}).status_code == 200


def test_pipeline_health_names_servers_and_sources(client: httpx.Client) -> None:
    body = client.get("/v1/diagnostics/pipeline", headers=ADMIN).json()
    assert [s["server"] for s in body["servers"]] == ["default"]
    assert body["servers"][0]["rounds"] == 4
    assert body["servers"][0]["stale"] is True  # synthetic rounds are from 2026-01-01
    assert {s["source"] for s in body["sources"]} == {"stats", "endstats", "gametimes-legacy"}


def test_lua_webhook_health(client: httpx.Client) -> None:
    body = client.get("/v1/diagnostics/lua-webhook", headers=ADMIN).json()
    assert body["rounds_with_lua"] == 4
    assert body["linkage_rate"] == 1.0
    assert body["coverage"]["r1"]["with_lua"] == 2
    assert body["lag_seconds"]["count"] == 4


def test_spawn_audit_is_sorted_by_severity_and_paged(client: httpx.Client) -> None:
    full = client.get("/v1/diagnostics/spawn-audit?limit=500", headers=ADMIN).json()
    items = full["items"]
    assert full["total"] == len(items) > 0
    rank = {"conflict": 3, "explained": 2, "tolerated": 1, "agree": 0}
    ranks = [rank[i["verdict"]] for i in items]
    assert ranks == sorted(ranks, reverse=True)
    for a, b in itertools.pairwise(items):
        if a["verdict"] == b["verdict"] and b["magnitude_seconds"] is not None:
            assert a["magnitude_seconds"] is not None
            assert a["magnitude_seconds"] >= b["magnitude_seconds"]
    page = client.get("/v1/diagnostics/spawn-audit?limit=5&offset=5", headers=ADMIN).json()
    assert page["items"] == items[5:10]
    one = client.get(
        f"/v1/diagnostics/spawn-audit?round_id={items[0]['round_id']}", headers=ADMIN
    ).json()
    assert {i["round_id"] for i in one["items"]} == {items[0]["round_id"]}


def test_bad_query_parameters_are_problems(client: httpx.Client) -> None:
    r = client.get("/v1/diagnostics/spawn-audit?limit=0", headers=ADMIN)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    r = client.get("/v1/diagnostics/spawn-audit?round_id=" + "9" * 400, headers=ADMIN)
    assert r.status_code == 422
    assert "9999" not in r.text


def test_null_is_kept_apart_from_zero(tmp_path: Path) -> None:
    from etstats_fastapi.audit_view import AuditRow, _severity_key

    def row(mag: float | None) -> AuditRow:
        return AuditRow(
            1,
            "m",
            1,
            0,
            "k",
            None,
            None if mag is None else 1.0,
            1.0,
            mag,
            mag,
            None,
            "conflict",
            (),
            "",
        )

    ordered = sorted([row(None), row(0.0), row(5.0)], key=_severity_key)
    assert [r.magnitude_seconds for r in ordered] == [5.0, 0.0, None]
