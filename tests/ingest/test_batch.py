"""Bulk ingestion (``ingest_many``, ``rebuild``): batches of any size, in any order, with
duplicates and renamed copies, converge to the state of one-by-one ingestion; a process
killed with SIGKILL in the middle of a batch loses nothing it acknowledged, and running the
batch again completes the store."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.ingest.test_convergence import EXAMPLES, check_round2_values, rounds_artifacts

from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.storage.base import Storage
from etstats.storage.sqlite import SQLiteStorage
from etstats.storage.testing import snapshot, wipe
from etstats.testing.synthetic import season


def _renamed(a: Artifact) -> Artifact:
    """The same bytes under a smaller name (the file-name time is kept)."""
    return Artifact.from_bytes(a.data, "0_" + a.name, server=a.server, received_at=a.received_at)


def _reconciled(store: Storage) -> list[tuple[object, ...]]:
    return sorted(row[1:] for row in store.table_rows("reconciliations"))


@settings(
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(arts=rounds_artifacts(), data=st.data())
def test_batches_converge_to_one_by_one(
    store: Storage, arts: list[Artifact], data: st.DataObject
) -> None:
    extra = data.draw(st.lists(st.sampled_from(arts), max_size=4)) if arts else []
    renamed = (
        [_renamed(a) for a in data.draw(st.lists(st.sampled_from(arts), max_size=2))]
        if arts
        else []
    )
    everything = [*arts, *extra, *renamed]
    wipe(store)
    one = Pipeline(store)
    for a in everything:
        one.ingest(a)
    expected = snapshot(store)
    wipe(store)
    shuffled = data.draw(st.permutations(everything))
    size = data.draw(st.integers(1, 8))
    summary = Pipeline(store, batch_size=size).ingest_many(shuffled)
    assert snapshot(store) == expected
    assert len(summary.results) == len(shuffled)
    assert summary.count("duplicate") >= len(extra)
    check_round2_values(store)
    # rebuild, batched, re-derives the same store
    Pipeline(store, batch_size=data.draw(st.integers(1, 8))).rebuild()
    assert snapshot(store) == expected


def test_batch_reconciles_like_single_arrivals(tmp_path: Path) -> None:
    arts = season(12)
    one = SQLiteStorage(str(tmp_path / "one.db"))
    for a in arts:
        Pipeline(one).ingest(a)
    many = SQLiteStorage(str(tmp_path / "many.db"))
    summary = Pipeline(many, batch_size=7).ingest_many(reversed(arts))
    assert summary.count("stored") == len(arts)
    assert _reconciled(many) == _reconciled(one)
    assert len(_reconciled(many)) == 12
    one.close()
    many.close()


def test_progress_follows_the_commit(tmp_path: Path) -> None:
    """``progress`` sees an artifact only once its batch is stored."""
    arts = season(4)
    store = SQLiteStorage(str(tmp_path / "p.db"))
    seen: list[int] = []

    def progress(result: object) -> None:
        seen.append(len(store.artifacts()))

    Pipeline(store, batch_size=5).ingest_many(arts, progress=progress)
    assert seen == [5] * 5 + [10] * 5 + [12] * 2
    store.close()


_CHILD = """
import json, sys
from etstats.ingest.pipeline import Pipeline
from etstats.testing.synthetic import season
from etstats.storage.sqlite import SQLiteStorage

store = SQLiteStorage(sys.argv[1])
def ack(result):
    print(json.dumps([result.sha256, result.status]), flush=True)
jobs = int(sys.argv[3])
Pipeline(store, batch_size=6, jobs=jobs).ingest_many(season(int(sys.argv[2])), progress=ack)
print("done", flush=True)
"""


def run_and_kill(
    tmp_path: Path, *, jobs: int = 0, before_kill: Callable[[int], None] | None = None
) -> None:
    """Ingest a season in a child process (``jobs`` parse workers), SIGKILL it in the middle
    of its fourth batch, check that what it acknowledged is stored and that running the
    ingest again completes the store. ``before_kill(pid)`` runs just before the kill."""
    db = tmp_path / "killed.db"
    rounds = 40
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    acknowledged: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(db), str(rounds), str(jobs)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            acknowledged.append(json.loads(line)[0])
            if len(acknowledged) == 15:  # mid third batch acknowledged: the fourth is running
                if before_kill is not None:
                    before_kill(child.pid)
                child.send_signal(signal.SIGKILL)
                break
    assert child.returncode == -signal.SIGKILL
    store = SQLiteStorage(str(db))
    stored = {a.sha256: a.status for a in store.artifacts()}
    assert all(stored.get(sha) == "accepted" for sha in acknowledged)
    assert len(stored) % 6 == 0  # whole batches only
    arts = season(rounds)
    Pipeline(store, batch_size=6, jobs=jobs).ingest_many(arts)  # running it again completes
    clean = SQLiteStorage(str(tmp_path / "clean.db"))
    for a in arts:
        Pipeline(clean).ingest(a)
    assert snapshot(store) == snapshot(clean)
    # the running totals too: owed by the killed first load, computed by the open after it
    for table, key in (("player_totals", "guid"), ("player_name_lines", "guid, name")):
        got, want = (
            s.connection.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()  # noqa: S608
            for s in (store, clean)
        )
        assert [r[:1] for r in got] == [r[:1] for r in want] != []
        assert [tuple(r[1:]) for r in got] == [pytest.approx(tuple(r[1:])) for r in want]
    assert store.connection.execute("SELECT COUNT(*) FROM totals_refill").fetchone() == (0,)
    store.close()
    clean.close()


@pytest.mark.parametrize("jobs", [0, 2])
def test_sigkill_mid_batch_loses_nothing_acknowledged(tmp_path: Path, jobs: int) -> None:
    run_and_kill(tmp_path, jobs=jobs)


def test_each_round_is_delivered_once_per_batch(tmp_path: Path) -> None:
    arts = season(6)
    store = SQLiteStorage(str(tmp_path / "d.db"))
    delivered: list[int] = []
    Pipeline(store, batch_size=9, deliver=[lambda rid, _s: delivered.append(rid)]).ingest_many(arts)
    assert sorted(delivered) == sorted(r.id for r in store.rounds())
    store.close()
