"""``etstats sessions/session/player/leaderboard/records/link``: tables and the --json shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.sessions.builders import write_rounds
from tests.sessions.test_read_api import A1, B1, B3, T0, evening

from etstats.cli import main
from etstats.storage.sqlite import SQLiteStorage


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = SQLiteStorage(url)
    write_rounds(store, evening())
    store.close()
    return url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_sessions_json_shape(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "sessions", "--db", db, "--json")
    assert code == 0
    data = json.loads(out)
    assert [s["id"] for s in data] == [T0 + 3960 + 3660, T0]
    for s in data:
        assert {"id", "server", "start_unix", "end_unix", "round_ids", "maps", "players"} <= set(s)
    assert data[1]["maps"] == ["supply", "radar", "goldrush"]
    assert data[1]["players"][0] == {"guid": A1, "name": "alpha"}
    code, out = run(capsys, "sessions", "--db", db)
    assert "supply, radar, goldrush" in out
    assert out.splitlines()[0].split()[:3] == ["id", "server", "start"]


def test_session_last_and_by_id(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "session", "--db", db, str(T0))
    assert code == 0
    assert "score: side A 1 - 1 side B, 1 draw(s)" in out
    assert "double_full_hold" in out
    assert "MVP: charlie" in out
    code, out = run(capsys, "session", "--db", db, "last", "--json")
    assert json.loads(out)["id"] == T0 + 3960 + 3660
    assert run(capsys, "session", "--db", db, "12345")[0] == 1
    assert run(capsys, "session", "--db", db, "yesterday")[0] == 2


def test_leaderboard_json_and_gate(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "leaderboard", "kills", "--db", db, "--json", "--min-rounds", "0")
    assert code == 0
    entries = json.loads(out)
    assert [(e["rank"], e["guid"], e["value"]) for e in entries][:2] == [
        (1, A1, 70.0),
        (2, B1, 49.0),
    ]
    assert {"guid", "name", "value", "rounds"} <= set(entries[0])
    code, out = run(capsys, "leaderboard", "dpm", "--db", db, "--json")
    assert json.loads(out) == []  # the default gate: 10 rounds
    code, out = run(capsys, "leaderboard", "dpm", "--db", db, "--min-rounds", "0")
    assert "dpm (gate: 0 rounds)" in out
    with pytest.raises(SystemExit) as exc:
        main(["leaderboard", "luck", "--db", db])
    assert exc.value.code == 2
    code, out = run(
        capsys,
        "leaderboard",
        "kills",
        "--db",
        db,
        "--min-rounds",
        "0",
        "--limit",
        "2",
        "--page",
        "2",
        "--json",
    )
    assert [e["rank"] for e in json.loads(out)] == [3, 4]


def test_player_records_and_links(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "player", "alpha", "--db", db, "--json")
    assert code == 0
    career = json.loads(out)
    assert career["player"]["guid"] == A1
    assert career["totals"]["kills"] == 70
    assert career["totals"]["kd"] == 2.0
    code, out = run(capsys, "player", "aaaa", "--db", db)
    assert code == 1  # two players match: listed, nothing guessed
    assert "AAAA0002" in out
    code, out = run(capsys, "records", "--db", db, "kills")
    assert code == 0
    assert "kills  round" in out
    assert run(capsys, "link", "guid", B3, "BBBB0002", "--db", db)[0] == 0
    assert run(capsys, "link", "account", "discord", "42", A1, "--db", db)[0] == 0
    code, out = run(capsys, "link", "list", "--db", db, "--json")
    assert [(x["kind"], x["value"]) for x in json.loads(out)] == [("discord", "42"), ("guid", B3)]
    code, out = run(capsys, "player", "discord:42", "--db", db)
    assert code == 0
    assert out.startswith("alpha (AAAA0001)")
    assert run(capsys, "link", "remove", "discord", "42", "--db", db)[0] == 0
    assert run(capsys, "link", "remove", "discord", "42", "--db", db)[0] == 1
