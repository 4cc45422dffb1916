"""The storage commands end to end: ingest, watch, rebuild, audit, db."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from etstats.cli import main
from etstats.storage.sqlite import SQLiteStorage
from etstats.storage.testing import snapshot
from etstats.testing.synthetic import season


@pytest.mark.corpus
def test_ingest_real_corpus(
    real_stats_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "etstats.db")
    n_stats = len(list((real_stats_dir / "c0rnp0rn").glob("*.txt")))
    n_end = len(list((real_stats_dir / "endstats").glob("*.txt")))
    assert main(["ingest", str(real_stats_dir), "--db", db, "--timezone", "Europe/Berlin"]) == 0
    out = capsys.readouterr().out
    assert f"{n_stats + n_end} stored, 0 already known, 0 rejected" in out
    assert f"{n_stats} with a stats file" in out
    assert "round 2: 97 differenced against their round 1, 9 orphan(s)" in out
    store = SQLiteStorage(db)
    before = snapshot(store)
    rounds = store.rounds()
    assert sum(1 for r in rounds if r.stats_sha256) == n_stats
    assert all(r.start_source == "stats-file-name" for r in rounds if r.stats_sha256)
    assert len(store.table_rows("player_round_stats")) > 1000
    store.close()
    assert main(["ingest", str(real_stats_dir), "--db", db]) == 0
    assert f"0 stored, {n_stats + n_end} already known" in capsys.readouterr().out
    assert main(["rebuild", "--db", db]) == 0
    capsys.readouterr()
    store = SQLiteStorage(db)
    assert snapshot(store) == before
    store.close()
    code = main(["audit", "--db", db, "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == (1 if report["conflicts"] else 0)  # exit 1 flags reconciliation conflicts
    assert sum(report["verdicts"].values()) == n_stats  # every stats round was reconciled
    assert report["rounds"]["with_stats"] == n_stats
    assert report["round2"]["differenced"] == 97
    assert len(report["round2"]["orphans"]) == 9
    assert report["rejected"] == []


def _write(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for a in season(n):
        p = folder / a.name
        p.write_bytes(a.data)
        paths.append(p)
    return paths


def test_ingest_default_db_is_etstats_db_in_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ETSTATS_DB", raising=False)
    _write(tmp_path / "files", 2)
    monkeypatch.chdir(tmp_path)
    assert main(["ingest", "files"]) == 0
    assert (tmp_path / "etstats.db").is_file()
    assert "2 round(s) (2 with a stats file, 2 with Lua timing" in capsys.readouterr().out


def test_rejected_file_gives_exit_code_1_and_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path / "f", 1)
    (tmp_path / "f" / "2026-01-01-000003-supply-round-2.txt").write_bytes(b"garbage\n")
    assert main(["ingest", str(tmp_path / "f"), "--db", str(tmp_path / "x.db")]) == 1
    out = capsys.readouterr().out
    assert "1 rejected" in out
    assert "rejected: 2026-01-01-000003-supply-round-2.txt" in out


def test_unreadable_file_does_not_stop_the_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "f"
    _write(folder, 1)
    from etstats.ingest.artifacts import MAX_ARTIFACT_BYTES

    with (folder / "2026-01-01-000000-supply-round-2.txt").open("wb") as huge:
        huge.truncate(MAX_ARTIFACT_BYTES + 1)  # sparse: no disk used
    assert main(["ingest", str(folder), "--db", str(tmp_path / "x.db")]) == 3
    captured = capsys.readouterr()
    assert "larger than" in captured.err
    assert "3 stored" in captured.out


def test_missing_path_and_unknown_backend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(tmp_path / "nope"), "--db", str(tmp_path / "x.db")]) == 3
    _write(tmp_path / "f", 1)
    assert main(["ingest", str(tmp_path / "f"), "--db", "mysql://localhost/x"]) == 4
    assert "no storage backend for 'mysql'" in capsys.readouterr().err


def test_watch_once_picks_up_new_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stats, times = tmp_path / "gamestats", tmp_path / "gametimes"
    stats.mkdir()
    times.mkdir()
    for p in _write(tmp_path / "src", 2):
        target = times if p.suffix == ".json" else stats
        shutil.move(p, target / p.name)
    db = str(tmp_path / "w.db")
    assert main(["watch", str(stats), str(times), "--once", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.count("stored ") == 6
    store = SQLiteStorage(db)
    assert len(store.rounds()) == 2
    store.close()


def test_watcher_waits_until_a_file_settles(tmp_path: Path) -> None:
    from etstats.ingest.pipeline import Pipeline
    from etstats.ingest.watch import Watcher

    store = SQLiteStorage(str(tmp_path / "w.db"))
    folder = tmp_path / "gametimes"
    folder.mkdir()
    now = [0.0]
    watcher = Watcher(Pipeline(store), [folder], settle_seconds=5.0, clock=lambda: now[0])
    lua = season(1)[1]
    path = folder / lua.name
    path.write_bytes(lua.data[:50])  # the Lua script is still writing
    assert watcher.scan() == []
    now[0] += 4.0
    path.write_bytes(lua.data)
    assert watcher.scan() == []  # changed since the last scan: the settle time starts again
    now[0] += 4.0
    assert watcher.scan() == []  # unchanged, but only for 4 of the 5 seconds
    now[0] += 1.0
    [result] = watcher.scan()
    assert result.status == "stored"
    assert watcher.scan() == []
    store.close()


def test_db_upgrade_and_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from etstats.storage.migrate import load_migrations

    versions = [m.version for m in load_migrations("sqlite")]
    db = str(tmp_path / "u.db")
    assert main(["db", "upgrade", "--db", db]) == 0
    assert f"applied migration(s) {', '.join(map(str, versions))}" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", db]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["db", "status", "--db", db]) == 0
    from etstats.storage.migrate import load_migrations

    n = load_migrations("sqlite")[-1].version  # every issue's migration counts
    assert f"schema version {n} of {n} (up to date)" in capsys.readouterr().out


@pytest.mark.pg
def test_ingest_into_postgresql(
    pg_dsn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from etstats.storage.testing import pg_database

    _write(tmp_path / "f", 3)
    with pg_database(pg_dsn) as url:
        assert main(["db", "upgrade", "--db", url]) == 0
        assert main(["ingest", str(tmp_path / "f"), "--db", url]) == 0
        assert "3 round(s) (3 with a stats file, 3 with Lua timing" in capsys.readouterr().out
        code = main(["audit", "--db", url])
        out = capsys.readouterr().out
        assert "3 stats+Lua" in out
        assert code == (1 if "  conflict: " in out else 0)


def test_window_minutes_flag_pairs_a_late_round_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An R2 written 50 minutes after its R1 is an orphan with the default 45-minute window;
    ``--window-minutes 60`` pairs it on ingest, and rebuild/watch take the same flag."""
    import random

    from etstats.testing.synthetic import round_pair_artifacts

    arts, _ = round_pair_artifacts(
        map_name="supply", r1_end_unix=1_767_225_600, gap_seconds=50 * 60, rng=random.Random(7)
    )
    folder = tmp_path / "in"
    folder.mkdir()
    for a in arts:
        (folder / a.name).write_bytes(a.data)

    def r2_scope(db: str) -> str | None:
        store = SQLiteStorage(db)
        try:
            [r2] = [r for r in store.rounds() if r.round_number == 2]
            return r2.values_scope
        finally:
            store.close()

    default_db, wide_db = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    assert main(["ingest", str(folder), "--db", default_db]) == 0
    assert "1 orphan(s)" in capsys.readouterr().out
    assert r2_scope(default_db) == "cumulative_r1_r2"
    assert main(["ingest", str(folder), "--db", wide_db, "--window-minutes", "60"]) == 0
    assert "1 differenced against their round 1, 0 orphan(s)" in capsys.readouterr().out
    assert r2_scope(wide_db) == "round"
    # rebuild re-derives with the window it is given
    assert main(["rebuild", "--db", wide_db]) == 0
    capsys.readouterr()
    assert r2_scope(wide_db) == "cumulative_r1_r2"
    assert main(["rebuild", "--db", wide_db, "--window-minutes", "60"]) == 0
    capsys.readouterr()
    assert r2_scope(wide_db) == "round"
    watch_db = str(tmp_path / "c.db")
    assert main(["watch", str(folder), "--once", "--db", watch_db, "--window-minutes", "60"]) == 0
    capsys.readouterr()
    assert r2_scope(watch_db) == "round"
    with pytest.raises(SystemExit) as exc:
        main(["ingest", str(folder), "--db", default_db, "--window-minutes", "0"])
    assert exc.value.code == 2
    assert "must be > 0" in capsys.readouterr().err


def test_one_plugin_manager_per_command_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Entry points are discovered once per ``etstats`` run: the storage commands reuse the
    plugin manager that registered the commands."""
    import etstats.plugins

    real = etstats.plugins.get_plugin_manager
    built: list[object] = []

    def counting(*args: object, **kwargs: object) -> etstats.plugins.EtstatsPluginManager:
        pm = real(*args, **kwargs)  # type: ignore[arg-type]
        built.append(pm)
        return pm

    monkeypatch.setattr(etstats.plugins, "get_plugin_manager", counting)
    paths = _write(tmp_path / "in", 2)
    db = str(tmp_path / "x.db")
    for argv in (
        ["ingest", str(paths[0].parent), "--db", db],
        ["rebuild", "--db", db],
        ["watch", str(paths[0].parent), "--once", "--db", db],
    ):
        built.clear()
        assert main(argv) == 0
        assert len(built) == 1, argv
    capsys.readouterr()
