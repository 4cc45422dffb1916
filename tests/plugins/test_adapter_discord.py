"""The discord adapter's delivery target posts to a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from etstats.cli import main
from etstats.ingest.synthetic import season


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, object]]]]:
    received: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/webhooks/1/token", received
    server.shutdown()
    server.server_close()


def _files(folder: Path) -> Path:
    folder.mkdir()
    for a in season(1):
        (folder / a.name).write_bytes(a.data)
    return folder


def test_ingest_delivers_rounds_to_the_discord_webhook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    webhook: tuple[str, list[dict[str, object]]],
) -> None:  # fmt: skip
    url, received = webhook
    monkeypatch.setenv("ETSTATS_DISCORD_WEBHOOK_URL", url)
    monkeypatch.delenv("ETSTATS_LOAD_PLUGINS", raising=False)
    folder = _files(tmp_path / "f")
    assert main(["ingest", str(folder), "--db", str(tmp_path / "d.db"),
                 "--deliver", "discord"]) == 0  # fmt: skip
    assert len(received) == 1  # one batch: the round is posted once, with all its sources
    embed = received[-1]["embeds"][0]  # type: ignore[index]
    assert embed["title"] == "supply round 1"
    assert "sources: stats, lua, endstats" in embed["description"]
    assert len(embed["fields"]) == 12


def test_missing_webhook_url_does_not_stop_ingestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("ETSTATS_DISCORD_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("ETSTATS_LOAD_PLUGINS", raising=False)
    folder = _files(tmp_path / "f")
    with caplog.at_level(logging.WARNING):
        assert main(["ingest", str(folder), "--db", str(tmp_path / "d.db"),
                     "--deliver", "discord"]) == 0  # fmt: skip
    assert "ETSTATS_DISCORD_WEBHOOK_URL" in caplog.text


def test_unknown_delivery_target_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _files(tmp_path / "f")
    assert main(["ingest", str(folder), "--db", str(tmp_path / "d.db"),
                 "--deliver", "carrier-pigeon"]) == 4  # fmt: skip
    assert "unknown delivery target(s) carrier-pigeon" in capsys.readouterr().err
