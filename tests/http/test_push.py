"""``etstats push`` against a real ``etstats serve`` app on 127.0.0.1, and its retry policy
against a real server that fails first."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tests.http.live import live_server

from etstats.ingest.push import RetryPolicy, push_file
from etstats.testing.synthetic import season
from etstats_fastapi.app import create_app

KEY = "push-test-key"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("push") / "api.db"
    with live_server(create_app(db_url=str(db), secrets={"eu1": (KEY,)})) as base:
        yield base


def run_push(*args: str, secret: str = KEY) -> subprocess.CompletedProcess[str]:
    env = {"ETSTATS_PUSH_SECRET": secret, "PATH": "/usr/bin:/bin"}
    etstats = str(Path(sys.executable).parent / "etstats")
    return subprocess.run(
        [etstats, "push", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_push_prints_one_line_per_file_and_exits_zero(api: str, tmp_path: Path) -> None:
    for a in season(1, seed=21):
        (tmp_path / a.name).write_bytes(a.data)
    done = run_push(str(tmp_path), "--url", api, "--server", "eu1")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("ok\t") and "stored" in line for line in lines)
    again = run_push(str(tmp_path), "--url", api, "--server", "eu1")
    assert again.returncode == 0
    assert all("duplicate" in line for line in again.stdout.splitlines())


def test_push_with_a_wrong_key_fails_without_retrying(api: str, tmp_path: Path) -> None:
    a = season(1, seed=22)[0]
    (tmp_path / a.name).write_bytes(a.data)
    done = run_push(str(tmp_path), "--url", api, "--server", "eu1", secret="Zq9-not-the-key")  # noqa: S106
    assert done.returncode == 1
    assert done.stdout.startswith("failed\t")
    assert "Signature not valid" in done.stdout
    assert "Zq9-not-the-key" not in done.stdout + done.stderr


def test_a_fifo_and_an_oversized_file_are_reported_and_the_rest_is_pushed(
    api: str, tmp_path: Path
) -> None:
    """A FIFO named on the command line is refused at once (it has no writer: a plain read
    would wait for ever), a sparse 1 GiB file is refused after 16 MiB (no receiver stores
    it), and the round's files named after them are still uploaded: exit 3."""
    import os

    from etstats.ingest.artifacts import MAX_ARTIFACT_BYTES

    fifo = tmp_path / "2026-01-01-000000-goldrush-round-1.txt"
    os.mkfifo(fifo)
    huge = tmp_path / "2026-01-01-000100-goldrush-round-2.txt"
    with huge.open("wb") as handle:
        handle.truncate(1 << 30)
    good = tmp_path / "good"
    good.mkdir()
    for a in season(1, seed=23):
        (good / a.name).write_bytes(a.data)
    done = run_push(str(fifo), str(huge), str(good), "--url", api, "--server", "eu1")
    assert done.returncode == 3, done.stderr
    lines = [line.split("\t") for line in done.stdout.splitlines()]
    assert lines[0][:2] == ["unreadable", str(fifo)]
    assert "not a regular file" in lines[0][2]
    assert lines[1] == ["unreadable", str(huge), f"larger than {MAX_ARTIFACT_BYTES} bytes"]
    assert [line[0] for line in lines[2:]] == ["ok", "ok", "ok"]
    assert all("stored" in line[2] for line in lines[2:])


def test_push_needs_the_secret_variable(tmp_path: Path) -> None:
    done = run_push(str(tmp_path), "--url", "http://127.0.0.1:9", "--server", "eu1", secret="")
    assert done.returncode == 2
    assert "ETSTATS_PUSH_SECRET" in done.stderr


class _Flaky(BaseHTTPRequestHandler):
    """Answers 503 to the first two requests, then 201; records the signed timestamps."""

    calls: list[str] = []  # noqa: RUF012 - per-test reset below

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).calls.append(self.headers["X-Etstats-Signature"])
        code = 503 if len(self.calls) <= 2 else 201
        body = b'{"status": "stored", "round_ids": [1]}'
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_retries_back_off_on_5xx_then_succeed() -> None:
    _Flaky.calls = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    waits: list[float] = []
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        out = push_file(
            url, "eu1", KEY, "a.txt", b"data", policy=RetryPolicy(attempts=4), sleep=waits.append
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert out.ok
    assert out.attempts == 3
    assert waits == [1.0, 2.0]
    assert out.summary == "stored (rounds 1)"


def test_connection_refused_is_retried_then_reported() -> None:
    waits: list[float] = []
    out = push_file(
        "http://127.0.0.1:9",
        "eu1",
        KEY,
        "a.txt",
        b"x",
        policy=RetryPolicy(attempts=3, base_s=0.5),
        sleep=waits.append,
    )
    assert not out.ok
    assert out.status is None
    assert waits == [0.5, 1.0]
    assert out.summary.startswith("connection failed")
