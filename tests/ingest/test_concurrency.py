"""Two ingesters writing the same rounds at the same time (``watch`` beside ``serve``)
converge to the state of one serial ingester."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from etstats.ingest.pipeline import Pipeline
from etstats.storage.base import Storage
from etstats.storage.sqlite import SQLiteStorage
from etstats.storage.testing import snapshot
from etstats.testing.synthetic import season


def _serial(tmp_path: Path, arts: Sequence[object]) -> dict[str, object]:
    ref = SQLiteStorage(str(tmp_path / "serial.db"))
    pipeline = Pipeline(ref)
    for a in arts:
        pipeline.ingest(a)  # type: ignore[arg-type]
    state = snapshot(ref)
    ref.close()
    return state


def _race(make_store: object, arts: Sequence[object]) -> None:
    """Stats files in one thread, Lua and endstats files in another, each with its own
    connection and pipeline."""
    # season() yields stats, Lua, endstats per round: one thread takes the stats file, the
    # other the Lua file of the same round at the same moment (then the endstats file).
    rounds = [arts[i : i + 3] for i in range(0, len(arts), 3)]
    halves = [[[r[0]] for r in rounds], [[r[1], r[2]] for r in rounds]]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(part: list[list[object]]) -> None:
        store: Storage = make_store()  # type: ignore[operator]
        try:
            pipeline = Pipeline(store)
            for step in part:
                barrier.wait(timeout=60)
                for a in step:
                    pipeline.ingest(a)  # type: ignore[arg-type]
        except BaseException as exc:
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=work, args=(h,)) for h in halves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_two_sqlite_writers(tmp_path: Path) -> None:
    arts = season(12)
    path = str(tmp_path / "shared.db")
    SQLiteStorage(path).close()
    _race(lambda: SQLiteStorage(path), arts)
    store = SQLiteStorage(path)
    assert snapshot(store) == _serial(tmp_path, arts)
    store.close()


@pytest.mark.pg
def test_two_postgresql_writers(pg_dsn: str, tmp_path: Path) -> None:
    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.testing import pg_database

    arts = season(12)
    with pg_database(pg_dsn) as url:
        _race(lambda: PostgresStorage(url, max_size=1), arts)
        store = PostgresStorage(url, max_size=1)
        assert snapshot(store) == _serial(tmp_path, arts)
        store.close()
