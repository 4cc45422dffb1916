"""Hostile command-line inputs: special files, unreadable paths, bad store URLs (issue 11).

Special files are exercised through a real ``etstats`` process with a timeout, so a hang
(reading a FIFO) fails the test instead of stalling the suite."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from etstats.cli import main
from etstats.storage.registry import redact_url
from etstats.testing.synthetic import season


def _etstats(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from etstats.cli import main; sys.exit(main())", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ETSTATS_LOAD_PLUGINS": ""},
    )


def _folder_with_one_round(tmp_path: Path) -> Path:
    folder = tmp_path / "gamestats"
    folder.mkdir()
    for art in season(1, players=2):
        (folder / art.name).write_bytes(art.data)
    return folder


def test_fifo_socket_and_device_are_skipped_with_a_warning(tmp_path: Path) -> None:
    folder = _folder_with_one_round(tmp_path)
    os.mkfifo(folder / "2026-01-01-000000-supply-round-1.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "gametime-supply-R1-5.json"))
    try:
        run = _etstats("ingest", str(folder), "--db", str(tmp_path / "s.db"), cwd=tmp_path)
    finally:
        sock.close()
    assert run.returncode == 0, run.stderr
    assert "a FIFO, not a regular file" in run.stderr
    assert "a socket, not a regular file" in run.stderr
    assert "3 file(s): 3 stored" in run.stdout
    assert "Traceback" not in run.stderr


def test_explicit_fifo_or_device_is_reported_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    run = _etstats("ingest", str(fifo), "/dev/zero", "--db", str(tmp_path / "s.db"), cwd=tmp_path)
    assert run.returncode == 3
    assert "pipe.txt: not a regular file (a FIFO)" in run.stderr
    assert "/dev/zero: not a regular file (a device)" in run.stderr
    assert "Traceback" not in run.stderr


def test_unreadable_entries_are_reported_and_the_rest_ingested(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder_with_one_round(tmp_path)
    (folder / "2026-01-01-000000-supply-round-2.txt").symlink_to(tmp_path / "gone.txt")
    code = main(["ingest", str(folder), "--db", str(tmp_path / "s.db")])
    out, err = capsys.readouterr()
    assert code == 3
    assert "cannot read" in err
    assert "gone" not in out
    assert "3 stored" in out


def test_unreadable_folder_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every folder: permissions cannot make one unreadable")
    folder = _folder_with_one_round(tmp_path)
    locked = folder / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        code = main(["ingest", str(folder), "--db", str(tmp_path / "s.db")])
    finally:
        locked.chmod(0o755)
    assert code == 3
    assert "cannot read folder" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:"])
def test_sqlite_url_without_a_path_is_an_error(
    url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = _folder_with_one_round(tmp_path)
    assert main(["ingest", str(folder), "--db", url]) == 4
    assert "names no SQLite file" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.db"))


def test_bad_input_never_prints_a_traceback(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_bytes(b'{"meta": {"round_end_unix": 99999999999999999999999}}')
    (tmp_path / "empty").mkdir()
    for args in (
        ["ingest", str(junk)],
        ["audit", "--db", str(tmp_path / "none.db")],
        ["ingest", str(tmp_path / "missing.txt")],
        ["ingest", str(tmp_path / "empty")],
        ["rebuild", "--db", "sqlite://"],
    ):
        run = _etstats(*args, cwd=tmp_path)
        assert "Traceback" not in run.stderr, (args, run.stderr)
        assert run.returncode != 0, args


def test_redact_url_hides_every_password_form() -> None:
    assert redact_url("postgresql://bob:s3/cr@t@db:5432/x") == "postgresql://bob:***@db:5432/x"
    assert redact_url("host=db password=hunter2 user=bob") == "host=db password=*** user=bob"
    assert redact_url("postgresql://db/x?password=hunter2&a=1") == (
        "postgresql://db/x?password=***&a=1"
    )
    assert redact_url("postgresql://bob@db/x") == "postgresql://bob@db/x"
    assert redact_url("etstats.db") == "etstats.db"


def _pg_url(dsn: str, **changes: str) -> str:
    from urllib.parse import quote

    from psycopg.conninfo import conninfo_to_dict

    params = {k: str(v) for k, v in conninfo_to_dict(dsn).items() if v is not None}
    params.update(changes)
    host = params.get("host", "127.0.0.1")
    host = "127.0.0.1" if host.startswith("/") else host
    auth = quote(params.get("user", "postgres"), safe="")
    if "password" in params:
        auth += ":" + quote(params["password"], safe="")
    return f"postgresql://{auth}@{host}:{params.get('port', '5432')}/{params['dbname']}"


@pytest.mark.pg
def test_wrong_postgres_url_fails_with_the_servers_reason(
    pg_dsn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _pg_url(pg_dsn, dbname="no_such_db_issue11", password="hunter2")  # noqa: S106
    assert main(["audit", "--db", url]) == 4
    err = capsys.readouterr().err
    assert 'database "no_such_db_issue11" does not exist' in err
    assert "hunter2" not in err


@pytest.mark.pg
def test_store_url_is_printed_without_its_password(
    pg_dsn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from etstats.storage.testing import pg_database

    folder = _folder_with_one_round(tmp_path)
    with pg_database(pg_dsn) as url:
        from psycopg.conninfo import conninfo_to_dict

        dbname = str(conninfo_to_dict(url)["dbname"])
        secret = conninfo_to_dict(pg_dsn).get("password") or "hunter2"
        with_password = _pg_url(pg_dsn, dbname=dbname, password=str(secret))
        code = main(["ingest", str(folder), "--db", with_password])
        out, err = capsys.readouterr()
        assert main(["db", "status", "--db", with_password]) == 0
        status_out, status_err = capsys.readouterr()
    assert code == 0, err
    assert "store postgresql://" in out
    assert "schema version" in status_out
    assert str(secret) not in out + err + status_out + status_err
