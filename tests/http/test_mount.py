"""The router mounted into a host FastAPI app under a prefix, with the host's own auth: its
lifespan opens the store, its routes and pages live under the prefix, the host's dependency
replaces the API key, and problem details work without app-level handlers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from tests.http.live import live_server

from etstats_fastapi.router import create_router
from etstats_fastapi.runtime import HttpSettings


async def host_admins_only(request: Request) -> None:
    if request.headers.get("x-host-role") != "admin":
        raise HTTPException(403, "host admins only")


@pytest.fixture(scope="module")
def host(season_db: str) -> Iterator[str]:
    app = FastAPI(title="a clan site")

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    settings = HttpSettings(db_url=season_db, secrets={})
    app.include_router(create_router(settings, auth=host_admins_only), prefix="/etstats")
    with live_server(app) as base:
        yield base


def test_host_routes_and_etstats_routes_side_by_side(host: str) -> None:
    assert httpx.get(f"{host}/hello", timeout=30).json() == {"hello": "world"}
    rounds = httpx.get(f"{host}/etstats/v1/rounds", timeout=30).json()["items"]
    assert len(rounds) == 6  # the router's own lifespan opened the store


def test_host_auth_replaces_api_keys(host: str) -> None:
    url = f"{host}/etstats/v1/diagnostics/pipeline"
    denied = httpx.get(url, headers={"X-API-Key": "anything"}, timeout=30)
    assert denied.status_code == 403
    assert denied.headers["content-type"] == "application/problem+json"
    assert httpx.get(url, headers={"X-Host-Role": "admin"}, timeout=30).status_code == 200


def test_pages_link_under_the_prefix(host: str) -> None:
    page = httpx.get(f"{host}/etstats/", timeout=30).text
    assert 'href="/etstats/static/etstats.css"' in page
    assert 'href="/etstats/sessions/' in page
    assert httpx.get(f"{host}/etstats/static/etstats.css", timeout=30).status_code == 200
    assert 'href="/etstats/audit?round_id=' in httpx.get(f"{host}/etstats/audit", timeout=30).text


def test_openapi_has_stable_operation_ids_and_tags(host: str) -> None:
    doc = httpx.get(f"{host}/openapi.json", timeout=30).json()
    ops = {op["operationId"]: op for path in doc["paths"].values() for op in path.values()}
    assert {
        "etstats_ingest",
        "etstats_list_rounds",
        "etstats_get_round",
        "etstats_diagnostics_spawn_audit",
        "etstats_page_audit",
    } <= set(ops)
    assert ops["etstats_ingest"]["tags"] == ["ingest"]
    assert "application/problem+json" in ops["etstats_ingest"]["responses"]["401"]["content"]
