"""The read API over a store filled by the real pipeline, served by uvicorn on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tests.http.live import live_server

from etstats.storage.registry import open_storage
from etstats_fastapi.app import create_app


@pytest.fixture(scope="module")
def client(season_db: str) -> Iterator[httpx.Client]:
    app = create_app(db_url=season_db, secrets={}, api_keys=("k",))
    with live_server(app) as base, httpx.Client(base_url=base, timeout=30) as c:
        yield c


def test_rounds_cursor_paging_walks_every_round_once(client: httpx.Client) -> None:
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        params: dict[str, str | int] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/v1/rounds", params=params).json()
        seen += [r["id"] for r in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == list(range(1, 7))
    assert len(seen) == len(set(seen))


def test_round_filters(client: httpx.Client) -> None:
    maps = {r["map_name"] for r in client.get("/v1/rounds").json()["items"]}
    one = sorted(maps)[0]
    items = client.get("/v1/rounds", params={"map_name": one}).json()["items"]
    assert items
    assert {r["map_name"] for r in items} == {one}
    assert client.get("/v1/rounds", params={"since_unix": 2**36}).json()["items"] == []


def test_one_round_has_players_lua_timing_and_checks(client: httpx.Client, season_db: str) -> None:
    body = client.get("/v1/rounds/1").json()
    storage = open_storage(season_db)
    try:
        detail = storage.round_detail(1)
    finally:
        storage.close()
    assert detail is not None
    assert [p["guid"] for p in body["round"]["players"]] == [p.guid for p in detail.players]
    assert body["lua_timing"]["round_end_unix"] > 0
    assert body["verdict"] in {"agree", "tolerated", "explained", "conflict"}
    assert all(c["verdict"] != "agree" for c in body["checks"])


def test_etag_and_cache_control(client: httpx.Client) -> None:
    first = client.get("/v1/rounds/1")
    assert first.headers["cache-control"].startswith("public")
    again = client.get("/v1/rounds/1", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_sessions_players_leaderboards_records(client: httpx.Client) -> None:
    latest = client.get("/v1/sessions/latest").json()
    assert latest["round_ids"]
    assert client.get(f"/v1/sessions/{latest['id']}").json() == latest
    assert client.get("/v1/sessions").json()["items"][0]["id"] == latest["id"]
    guid = latest["players"][0]["player"]["guid"]
    career = client.get(f"/v1/players/{guid}").json()
    assert career["player"]["guid"] == guid
    assert career["by_map"]
    assert career["by_weapon"]
    found = client.get("/v1/players", params={"q": guid[:8]}).json()
    assert guid in [p["guid"] for p in found["players"]]
    board = client.get("/v1/leaderboards/kills", params={"min_rounds": 0}).json()
    assert board["entries"]
    assert client.get("/v1/records", params={"stat": "kills"}).json()
    assert client.get("/v1/rounds/1/map-result").json()["map_name"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/rounds/999", 404),
        ("/v1/players/ZZZZ", 422),
        ("/v1/leaderboards/nope", 422),
        ("/v1/rounds?cursor=bm9wZQ", 422),
        ("/v1/sessions/5", 404),
        ("/v1/rounds/0", 422),
    ],
)
def test_errors_are_problems(client: httpx.Client, path: str, status: int) -> None:
    r = client.get(path)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
