"""``POST /v1/heartbeat`` against a real uvicorn server on 127.0.0.1: signed like ingest v2,
judged from the head before any body byte, bad bodies answered with problem details, and the
newest heartbeat per server kept (shown by the pipeline diagnostics)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.http.live import live_server
from tests.http.test_ingest_v2 import raw_request

from etstats.ingest.signing import sign_upload, signature
from etstats.storage.sqlite import SQLiteStorage
from etstats_fastapi.app import create_app

KEY = "heartbeat key of sixteen+"
ADMIN = {"X-API-Key": "admin-key"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = tmp_path_factory.mktemp("heartbeat") / "api.db"
    app = create_app(
        db_url=str(db),
        secrets={"eu1": (KEY,), "eu2": (KEY,)},
        api_keys=("admin-key",),
        body_read_timeout_s=0.5,
        body_deadline_s=2.0,
    )
    with live_server(app) as base:
        yield base, db


def beat(
    base: str,
    doc: object,
    *,
    server: str = "eu1",
    name: str = "heartbeat.json",
    route: str = "/v1/heartbeat",
    secret: str = KEY,
) -> httpx.Response:
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    headers = sign_upload(secret, server, name, body)
    return httpx.post(f"{base}{route}", content=body, headers=headers, timeout=30)


def heartbeat_doc(sent: int, players: int, map_name: str = "supply") -> dict[str, object]:
    return {
        "type": "heartbeat",
        "version": 1,
        "sent_unix": sent,
        "players": players,
        "map": map_name,
    }


def stored(db: Path) -> dict[str, tuple[int, int, str | None, int | None]]:
    store = SQLiteStorage(str(db))
    try:
        return {
            b.server: (b.sent_unix, b.players, b.map_name, b.players_seen_unix)
            for b in store.heartbeats()
        }
    finally:
        store.close()


def test_the_newest_heartbeat_is_kept_and_shown_in_diagnostics(
    served: tuple[str, Path],
) -> None:
    base, db = served
    now = int(time.time())
    assert beat(base, heartbeat_doc(now - 100, 6)).status_code == 204
    assert beat(base, heartbeat_doc(now, 0, "adlernest")).status_code == 204
    # a late retry of an older heartbeat is accepted and changes nothing
    assert beat(base, heartbeat_doc(now - 50, 3)).status_code == 204
    assert stored(db)["eu1"] == (now, 0, "adlernest", now - 100)
    health = httpx.get(f"{base}/v1/diagnostics/pipeline", headers=ADMIN, timeout=30).json()
    (hb,) = [h for h in health["heartbeats"] if h["server"] == "eu1"]
    assert hb["players"] == 0
    assert hb["players_seen_unix"] == now - 100
    assert hb["players_recently"] is True
    assert hb["no_round_while_players"] is False  # the first heartbeat was just now
    assert health["no_round_hours"] == 2.0


def test_the_signature_is_judged_before_the_body(served: tuple[str, Path]) -> None:
    base, _ = served
    stamp = str(int(time.time()))
    head = (
        "POST /v1/heartbeat HTTP/1.1\r\nHost: x\r\nX-Etstats-Server: eu1\r\n"
        f"X-Etstats-Timestamp: {stamp}\r\nX-Etstats-Filename: heartbeat.json\r\n"
        f"X-Etstats-Content-SHA256: {'0' * 64}\r\n"
    )
    forged = head + f"X-Etstats-Signature: sha256={'1' * 64}\r\nContent-Length: 100\r\n\r\n"
    assert raw_request(base, forged).startswith(b"HTTP/1.1 401")  # no body byte was sent
    sig = signature(KEY, "eu1", stamp, "heartbeat.json", "0" * 64)
    big = head + f"X-Etstats-Signature: {sig}\r\nContent-Length: 100000\r\n\r\n"
    assert raw_request(base, big).startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize(
    ("doc", "name", "kind"),
    [
        (b"\xff not json", "heartbeat.json", "bad-heartbeat"),
        ({"type": "round"}, "heartbeat.json", "bad-heartbeat"),
        (
            {"type": "heartbeat", "sent_unix": "soon", "players": 1},
            "heartbeat.json",
            "bad-heartbeat",
        ),
        (
            {"type": "heartbeat", "sent_unix": 1_767_000_000, "players": -1},
            "heartbeat.json",
            "bad-heartbeat",
        ),
        (
            {"type": "heartbeat", "sent_unix": 1_767_000_000, "players": 2, "map": "x" * 65},
            "heartbeat.json",
            "bad-heartbeat",
        ),
        (heartbeat_doc(1_767_000_000, 2), "etstats-supply-R1.json", "bad-heartbeat"),
        (heartbeat_doc(1_767_000_000, 2, "**x** @everyone"), "heartbeat.json", "bad-heartbeat"),
    ],
)
def test_bad_heartbeats_get_problem_details(
    served: tuple[str, Path], doc: object, name: str, kind: str
) -> None:
    base, db = served
    answer = beat(base, doc, server="eu2", name=name)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["type"] == f"urn:etstats:problem:{kind}"
    assert "soon" not in problem["detail"]  # nothing of the input is echoed
    assert "eu2" not in stored(db)


def test_a_heartbeat_is_never_ingested_as_an_artifact(served: tuple[str, Path]) -> None:
    base, _ = served
    answer = beat(base, heartbeat_doc(int(time.time()), 1), route="/v1/ingest")
    assert answer.status_code == 400
    assert answer.json()["type"] == "urn:etstats:problem:wrong-route"


def test_an_unknown_server_is_refused(served: tuple[str, Path]) -> None:
    base, _ = served
    answer = beat(base, heartbeat_doc(int(time.time()), 1), server="nobody")
    assert answer.status_code == 401
