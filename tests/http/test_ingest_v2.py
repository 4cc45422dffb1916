"""Signed ingest v2 against a real uvicorn server on 127.0.0.1 (raw sockets where a client
library would refuse to send what an attacker can)."""

from __future__ import annotations

import hashlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.http.live import live_server

from etstats.ingest.signing import sign_upload, signature
from etstats.testing.synthetic import season
from etstats_fastapi.app import create_app

KEY = "correct horse battery staple"
OLD_KEY = "the previous key"
KEYS = {"eu1": (KEY, OLD_KEY)}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("ingest") / "api.db"
    app = create_app(
        db_url=str(db),
        secrets=KEYS,
        api_keys=("admin-key",),
        max_body_bytes=64_000,
        body_read_timeout_s=0.5,
        body_deadline_s=2.0,
    )
    with live_server(app) as base:
        yield base


def post(
    base: str,
    body: bytes,
    name: str,
    *,
    secret: str = KEY,
    server: str = "eu1",
    now: float | None = None,
    override: dict[str, str] | None = None,
) -> httpx.Response:
    headers = sign_upload(secret, server, name, body, now=now)
    headers.update(override or {})
    return httpx.post(f"{base}/v1/ingest", content=body, headers=headers, timeout=30)


def raw_request(base: str, head: str, body: bytes = b"", *, wait_s: float = 5.0) -> bytes:
    """Send a request head (and maybe part of a body) on a raw socket; return the answer."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait_s) as sock:
        sock.sendall(head.encode("latin-1") + body)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks) and b"}" in chunk:
                    break
        except TimeoutError:
            pass
    return b"".join(chunks)


def assert_problem(r: httpx.Response, status: int, kind: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"] == f"urn:etstats:problem:{kind}"
    assert r.json()["status"] == status


def test_new_then_duplicate(api: str) -> None:
    arts = season(1)
    for a in arts:
        r = post(api, a.data, a.name)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "stored"
        assert r.json()["sha256"] == a.sha256
    again = post(api, arts[0].data, arts[0].name)
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert again.json()["stored_status"] == "accepted"
    assert again.json()["round_ids"]


def test_the_previous_key_is_valid_during_rotation(api: str) -> None:
    a = season(1, seed=7)[0]
    assert post(api, a.data, a.name, secret=OLD_KEY).status_code == 201
    wrong = "a third key"
    assert_problem(post(api, a.data, a.name, secret=wrong), 401, "bad-signature")


def test_the_file_name_is_signed(api: str) -> None:
    a = season(1, seed=8)[0]
    headers = sign_upload(KEY, "eu1", a.name, a.data)
    headers["X-Etstats-Filename"] = "2020-01-01-000000-other-round-1.txt"
    r = httpx.post(f"{api}/v1/ingest", content=a.data, headers=headers, timeout=30)
    assert_problem(r, 401, "bad-signature")


def test_a_body_that_does_not_match_the_signed_digest_is_refused(api: str) -> None:
    a = season(1, seed=9)[0]
    headers = sign_upload(KEY, "eu1", a.name, a.data)
    tampered = a.data[:-1] + b"X"
    r = httpx.post(f"{api}/v1/ingest", content=tampered, headers=headers, timeout=30)
    assert_problem(r, 400, "digest-mismatch")
    # Re-computing the digest without the key breaks the signature instead.
    headers["X-Etstats-Content-SHA256"] = hashlib.sha256(tampered).hexdigest()
    r = httpx.post(f"{api}/v1/ingest", content=tampered, headers=headers, timeout=30)
    assert_problem(r, 401, "bad-signature")


def test_stale_timestamps_are_refused_and_a_fresh_signature_is_accepted(api: str) -> None:
    a = season(1, seed=10)[0]
    assert_problem(post(api, a.data, a.name, now=time.time() - 3600), 401, "stale-timestamp")
    assert_problem(post(api, a.data, a.name, now=time.time() + 3600), 401, "stale-timestamp")
    assert post(api, a.data, a.name).status_code == 201  # the retry is signed anew


def test_unknown_server_answers_like_a_bad_signature(api: str) -> None:
    a = season(1, seed=11)[0]
    assert_problem(post(api, a.data, a.name, server="us9"), 401, "bad-signature")


@pytest.mark.parametrize(
    ("header", "value", "status"),
    [
        ("X-Etstats-Timestamp", "9" * 5000, 400),
        ("X-Etstats-Timestamp", "-5", 400),
        ("X-Etstats-Signature", "sha256=" + "Z" * 64, 400),
        ("X-Etstats-Server", "../../etc", 400),
        ("X-Etstats-Filename", "../etc/passwd", 400),
        ("X-Etstats-Content-SHA256", "abc", 400),
    ],
)
def test_malformed_headers_are_400_not_500(api: str, header: str, value: str, status: int) -> None:
    a = season(1, seed=12)[0]
    r = post(api, a.data, a.name, override={header: value})
    assert_problem(r, status, "bad-header")
    assert value not in r.text  # client input is never echoed


def test_non_ascii_header_bytes_are_400(api: str) -> None:
    stamp = str(int(time.time()))
    head = (
        "POST /v1/ingest HTTP/1.1\r\nHost: x\r\nX-Etstats-Server: eu1\r\n"
        f"X-Etstats-Timestamp: {stamp}\r\nX-Etstats-Signature: sha256=\xe9\xff\r\n"
        "Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    answer = raw_request(api, head)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"application/problem+json" in answer


def test_missing_content_length_is_411(api: str) -> None:
    a = season(1, seed=13)[0]
    headers = sign_upload(KEY, "eu1", a.name, a.data)
    del headers["Content-Length"]

    def chunks() -> Iterator[bytes]:
        yield a.data

    r = httpx.post(f"{api}/v1/ingest", content=chunks(), headers=headers, timeout=30)
    assert_problem(r, 411, "length-required")


def test_oversized_and_unsigned_requests_are_answered_before_the_body(api: str) -> None:
    """The declared length and the signature are judged from the head alone: the server
    answers while the client has sent no body byte."""
    stamp = str(int(time.time()))
    sig = signature(KEY, "eu1", stamp, "a.txt", "0" * 64)
    base_head = (
        "POST /v1/ingest HTTP/1.1\r\nHost: x\r\nX-Etstats-Server: eu1\r\n"
        f"X-Etstats-Timestamp: {stamp}\r\nX-Etstats-Filename: a.txt\r\n"
        f"X-Etstats-Content-SHA256: {'0' * 64}\r\n"
    )
    big = base_head + f"X-Etstats-Signature: {sig}\r\nContent-Length: 900000000\r\n\r\n"
    assert raw_request(api, big).startswith(b"HTTP/1.1 413")
    forged = base_head + f"X-Etstats-Signature: sha256={'1' * 64}\r\nContent-Length: 60000\r\n\r\n"
    assert raw_request(api, forged).startswith(b"HTTP/1.1 401")


def test_a_stalled_body_times_out_with_408(api: str) -> None:
    body = b"x" * 1000
    headers = sign_upload(KEY, "eu1", "slow.txt", body)
    head = (
        "POST /v1/ingest HTTP/1.1\r\nHost: x\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + "\r\n"
    )
    answer = raw_request(api, head, body[:10])  # then nothing: the read times out
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]


def test_rejected_artifact_is_422_problem_then_200_duplicate(api: str) -> None:
    name = "2026-01-01-000003-supply-round-1.txt"
    r = post(api, b"not a stats file", name)
    assert_problem(r, 422, "rejected-artifact")
    assert r.json()["outcome"] == "rejected"
    again = post(api, b"not a stats file", name)
    assert again.status_code == 200
    assert again.json()["stored_status"] == "rejected"


def test_diagnostics_need_an_api_key(api: str) -> None:
    assert_problem(httpx.get(f"{api}/v1/diagnostics", timeout=30), 401, "http-401")
    r = httpx.get(f"{api}/v1/diagnostics", headers={"X-API-Key": "admin-key"}, timeout=30)
    assert r.status_code == 200
    assert r.json()["rounds"] >= 1


def test_unknown_route_is_a_problem(api: str, tmp_path: Path) -> None:
    assert_problem(httpx.get(f"{api}/nope", timeout=30), 404, "http-404")
