"""The discord adapter's delivery target through the CLI: ``--deliver discord`` only
enqueues (ingest never talks to Discord), ``etstats deliver`` posts once to a fake Discord
on 127.0.0.1, and a missing configuration never stops ingestion."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from etstats.cli import main
from etstats.testing.synthetic import season
from etstats_discord.testing import FakeDiscord


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord() as server:
        yield server


def _files(folder: Path, rounds: int = 1) -> Path:
    folder.mkdir()
    for a in season(rounds):
        (folder / a.name).write_bytes(a.data)
    return folder


def test_ingest_enqueues_and_deliver_posts_each_round_once(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fake: FakeDiscord,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ETSTATS_DISCORD_WEBHOOK_URL", fake.add_webhook())
    monkeypatch.delenv("ETSTATS_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("ETSTATS_DISCORD_CONFIG", raising=False)
    folder, db = _files(tmp_path / "f"), str(tmp_path / "d.db")
    assert main(["ingest", str(folder), "--db", db, "--deliver", "discord"]) == 0
    assert fake.requests == []  # ingest only enqueued
    assert main(["deliver", "--db", db]) == 0
    assert main(["ingest", str(folder), "--db", db, "--deliver", "discord"]) == 0
    assert main(["deliver", "--db", db]) == 0
    [post] = [m for m in fake.live() if "round 1" in m["embeds"][0]["title"]]
    embed = post["embeds"][0]
    assert embed["title"] == "supply · round 1"
    assert "Lua timing" in embed["description"]
    assert {f["name"].split(":")[0] for f in embed["fields"]} >= {"Axis (6)", "Allies (6)"}
    assert post["edits"] == 0
    assert main(["deliver", "--db", db, "--status"]) == 0
    assert "discord: " in capsys.readouterr().out


def test_missing_webhook_url_does_not_stop_ingestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ETSTATS_DISCORD_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("ETSTATS_DISCORD_CONFIG", raising=False)
    monkeypatch.delenv("ETSTATS_LOAD_PLUGINS", raising=False)
    folder, db = _files(tmp_path / "f"), str(tmp_path / "d.db")
    assert main(["ingest", str(folder), "--db", db, "--deliver", "discord"]) == 0
    assert main(["deliver", "--db", db]) == 4
    assert "ETSTATS_DISCORD_WEBHOOK_URL" in capsys.readouterr().err


def test_unknown_delivery_target_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _files(tmp_path / "f")
    assert (
        main(["ingest", str(folder), "--db", str(tmp_path / "d.db"), "--deliver", "carrier-pigeon"])
        == 4
    )
    assert "unknown delivery target(s) carrier-pigeon" in capsys.readouterr().err
