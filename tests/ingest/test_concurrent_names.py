"""The same bytes under two names, written by two ingesters at once: nobody fails, nobody
deadlocks, and the store ends as one serial ingester leaves it."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.render.stats_file import render_stats_bytes
from etstats.storage.base import Storage
from etstats.storage.sqlite import SQLiteStorage
from etstats.storage.testing import snapshot
from etstats.testing.synthetic import RECEIVED, stats_round


def _stats_bytes(seed: int, map_name: str) -> bytes:
    rng = random.Random(seed)
    guids = ["".join(rng.choice("0123456789ABCDEF") for _ in range(32)) for _ in range(3)]
    return render_stats_bytes(stats_round(map_name, 1, guids, rng))


def _art(data: bytes, name: str) -> Artifact:
    return Artifact.from_bytes(data, name, received_at=RECEIVED)


def _serial(tmp_path: Path, steps: list[list[Artifact]]) -> dict[str, object]:
    ref = SQLiteStorage(str(tmp_path / "serial.db"))
    pipeline = Pipeline(ref)
    for step in steps:
        for a in step:
            pipeline.ingest(a)
    state = snapshot(ref)
    ref.close()
    return state


def _run_parallel(
    make_store: Callable[[], Storage],
    parts: list[list[Artifact]],
    started: threading.Barrier | None = None,
) -> list[BaseException]:
    """Each part in its own thread, store and pipeline; returns what the threads raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(parts))

    def work(part: list[Artifact]) -> None:
        store = make_store()
        try:
            pipeline = Pipeline(store)
            for a in part:
                barrier.wait(timeout=60)
                pipeline.ingest(a)
        except BaseException as exc:
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=work, args=(p,)) for p in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def _same_bytes_two_names() -> list[list[Artifact]]:
    """Six stats files, each arriving at the same moment under two names (two times)."""
    late, early = [], []
    for i in range(6):
        data = _stats_bytes(i, "supply")
        late.append(_art(data, f"2026-01-01-0{i}1003-supply-round-1.txt"))
        early.append(_art(data, f"2026-01-01-0{i}0003-supply-round-1.txt"))
    return [late, early]


def test_same_bytes_under_two_names_at_once_sqlite(tmp_path: Path) -> None:
    parts = _same_bytes_two_names()
    path = str(tmp_path / "shared.db")
    SQLiteStorage(path).close()
    assert _run_parallel(lambda: SQLiteStorage(path), parts) == []
    store = SQLiteStorage(path)
    assert snapshot(store) == _serial(tmp_path, parts)
    assert {a.name for a in store.artifacts()} == {a.name for a in parts[1]}  # smallest wins
    store.close()


@pytest.mark.pg
def test_same_bytes_under_two_names_at_once_postgresql(pg_dsn: str, tmp_path: Path) -> None:
    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.testing import pg_database

    parts = _same_bytes_two_names()
    with pg_database(pg_dsn) as url:
        assert _run_parallel(lambda: PostgresStorage(url, max_size=1), parts) == []
        store = PostgresStorage(url, max_size=1)
        assert snapshot(store) == _serial(tmp_path, parts)
        store.close()


def _waiting_advisory_locks(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.pg
def test_crossing_renames_do_not_deadlock(pg_dsn: str, tmp_path: Path) -> None:
    """X (known on map supply) re-arrives under a smaller te_escape2 name while Y (known on
    te_escape2) re-arrives under a smaller supply name: each writer needs both maps. Both
    are held back until both wait, then released at once; locking in one global order lets
    both finish (locking new-map-first would deadlock and PostgreSQL would abort one)."""
    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.testing import pg_database

    x, y = _stats_bytes(1, "supply"), _stats_bytes(2, "te_escape2")
    known = [
        _art(x, "2026-01-01-010003-supply-round-1.txt"),
        _art(y, "2026-01-01-010003-te_escape2-round-1.txt"),
    ]
    renames = [
        [_art(x, "2026-01-01-000003-te_escape2-round-1.txt")],
        [_art(y, "2026-01-01-000003-supply-round-1.txt")],
    ]
    with pg_database(pg_dsn) as url:
        store = PostgresStorage(url, max_size=2)
        pipeline = Pipeline(store)
        for a in known:
            pipeline.ingest(a)
        errors: list[BaseException] = []
        with store.transaction() as tx:  # hold both maps
            sid = tx.ensure_server("default")
            tx.lock_group(sid, "supply", 1)
            tx.lock_group(sid, "te_escape2", 1)
            runner = threading.Thread(
                target=lambda: errors.extend(
                    _run_parallel(lambda: PostgresStorage(url, max_size=1), renames)
                )
            )
            runner.start()
            for _ in range(600):  # until both writers wait on a map lock (at most 60 s)
                if _waiting_advisory_locks(url) >= 2:
                    break
                time.sleep(0.1)
            assert _waiting_advisory_locks(url) >= 2
        runner.join()
        assert errors == []
        assert snapshot(store) == _serial(tmp_path, [known, *renames])
        assert sorted(a.name for a in store.artifacts()) == sorted(r[0].name for r in renames)
        store.close()
