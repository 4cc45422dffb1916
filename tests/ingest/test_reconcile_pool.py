"""Reconciling a batch's rounds in the parse workers (``jobs``): the verdicts are the same as
in process and most of them come from the workers; a worker killed while it reconciles leaves
its rounds to the main process (nothing lost, nothing written twice); a plugin implementing
``etstats_round_reconciled`` still gets every reconciliation object; what a worker logs travels
back to the main process."""

from __future__ import annotations

import logging
import multiprocessing
import os
import random
import signal
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from etstats.errors import ParseError
from etstats.hookspecs import hookimpl
from etstats.ingest import reconcile_pool
from etstats.ingest.artifacts import Artifact
from etstats.ingest.batch import RowBuffer
from etstats.ingest.batch_reconcile import EarlyOffers
from etstats.ingest.extract import parse_artifact
from etstats.ingest.parse_pool import ParsePool
from etstats.ingest.pipeline import Pipeline
from etstats.plugins import get_plugin_manager
from etstats.storage.base import Storage
from etstats.storage.sqlite import SQLiteStorage
from etstats.storage.testing import snapshot, wipe
from etstats.testing.synthetic import season

ROUNDS = 8  # season(8): 8 rounds of stats + Lua + endstats


def _store(tmp_path: Path, name: str, arts: list[Artifact], jobs: int, **kw: Any) -> SQLiteStorage:
    store = SQLiteStorage(str(tmp_path / name))
    summary = Pipeline(store, batch_size=6, jobs=jobs, **kw).ingest_many(arts)
    assert summary.count("stored") == len(arts)
    return store


def _count_worker_chunks(monkeypatch: pytest.MonkeyPatch, then: Callable[[], None]) -> list[int]:
    """Count the rounds the workers reconciled (their calls' outcomes; the main process did
    the rest); ``then()`` runs after each batch's rounds are sent to them. The batch's row
    writes are slowed down a little, so that the workers certainly reach some rounds before
    the main process takes them back."""
    handed: list[int] = []
    send = ParsePool._send
    result_of = ParsePool.result_of

    def counting(self: ParsePool, fn: Any, arg: Any) -> Future[Any]:
        future = send(self, fn, arg)
        if getattr(fn, "__name__", "") == "_reconcile_claimed":
            then()
        return future

    def outcomes(self: ParsePool, future: Future[Any]) -> Any:
        got = result_of(self, future)
        if isinstance(got, list) and all(isinstance(c, tuple) and len(c) == 3 for c in got):
            handed.extend(len(chunk_outcomes) for _chunk, chunk_outcomes, _logged in got)
        return got

    write_behind = RowBuffer.write_behind

    def slow_writes(self: RowBuffer) -> None:
        time.sleep(0.05)  # not a timing assertion: it only makes the workers' share certain
        write_behind(self)

    monkeypatch.setattr(ParsePool, "_send", counting)
    monkeypatch.setattr(ParsePool, "result_of", outcomes)
    monkeypatch.setattr(RowBuffer, "write_behind", slow_writes)
    return handed


def test_workers_reconcile_and_the_store_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arts = season(ROUNDS)
    alone = _store(tmp_path, "alone.db", arts, jobs=0)
    handed = _count_worker_chunks(monkeypatch, lambda: None)
    pooled = _store(tmp_path, "pooled.db", arts, jobs=2)
    assert sum(handed) > 0  # the workers reconciled rounds (the first batch is ours alone)
    assert len(alone.table_rows("reconciliations")) == ROUNDS
    assert snapshot(pooled) == snapshot(alone)
    assert multiprocessing.active_children() == []
    alone.close()
    pooled.close()


def test_workers_reconcile_the_same_on_both_backends(
    store: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Round 1/round 2 pairs and a shuffled arrival order (rounds re-linked across batches),
    on SQLite and PostgreSQL."""
    arts = season(ROUNDS)
    random.Random(5).shuffle(arts)
    wipe(store)
    Pipeline(store, batch_size=5).ingest_many(arts)
    alone = snapshot(store)
    wipe(store)
    handed = _count_worker_chunks(monkeypatch, lambda: None)
    Pipeline(store, batch_size=5, jobs=2).ingest_many(arts)
    assert sum(handed) > 0
    assert snapshot(store) == alone
    assert multiprocessing.active_children() == []


def _worker_killer() -> tuple[list[int], Callable[[], None]]:
    """A hook that SIGKILLs every worker the first time it runs, and the pids it killed."""
    killed: list[int] = []

    def kill_workers() -> None:
        if not killed:
            for w in multiprocessing.active_children():
                os.kill(w.pid or 0, signal.SIGKILL)
                killed.append(w.pid or 0)

    return killed, kill_workers


def test_a_worker_killed_while_reconciling_leaves_its_rounds_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    arts = season(ROUNDS)
    alone = _store(tmp_path, "alone.db", arts, jobs=0)
    killed, kill_workers = _worker_killer()
    _count_worker_chunks(monkeypatch, kill_workers)
    with caplog.at_level(logging.WARNING, logger="etstats.ingest.parse_pool"):
        store = _store(tmp_path, "killed.db", arts, jobs=2)
    assert killed  # killed right after reconciliation work was handed to them
    assert "a parse worker died" in caplog.text
    assert snapshot(store) == snapshot(alone)  # every verdict, each once
    assert multiprocessing.active_children() == []
    alone.close()
    store.close()


def _count_offered(monkeypatch: pytest.MonkeyPatch, then: Callable[[], None]) -> list[int]:
    """Offer every round to the workers as soon as it is linked (one round per offer) and
    count the rounds the workers reconciled from offers; ``then()`` runs after the first
    offer. Linking is slowed down a little after each offer, so that the workers certainly
    reach some offered rounds before the main process takes them back."""
    monkeypatch.setattr(EarlyOffers, "ROUNDS", 1)
    handed: list[int] = []
    offer = reconcile_pool.offer
    result_of = ParsePool.result_of

    def offering(pool: ParsePool, work: Any) -> Any:
        got = offer(pool, work)
        then()
        time.sleep(0.02)  # not a timing assertion: it only makes the workers' share certain
        return got

    def outcomes(self: ParsePool, future: Future[Any]) -> Any:
        got = result_of(self, future)
        if isinstance(got, list) and all(isinstance(c, tuple) and len(c) == 3 for c in got):
            handed.extend(1 for _i, outcome, _logged in got if isinstance(outcome, tuple))
        return got

    monkeypatch.setattr("etstats.ingest.batch_reconcile.offer", offering)
    monkeypatch.setattr(ParsePool, "result_of", outcomes)
    return handed


def test_rounds_offered_while_linking_give_the_same_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rounds are offered to the workers while their batch still links; the store is the
    same as in process, and some verdicts came from the offers."""
    arts = season(ROUNDS)
    alone = _store(tmp_path, "alone.db", arts, jobs=0)
    handed = _count_offered(monkeypatch, lambda: None)
    pooled = _store(tmp_path, "offered.db", arts, jobs=1)
    assert sum(handed) > 0
    assert snapshot(pooled) == snapshot(alone)
    assert multiprocessing.active_children() == []
    alone.close()
    pooled.close()


@pytest.mark.parametrize("seed", [1, 5])
def test_rounds_linked_again_after_their_offer_are_reconciled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Shuffled arrivals: a round offered early may be linked again later in its batch (its
    artifacts or its round 1 change); its offer's outcome is then not used. The store is
    the same as in process."""
    arts = season(ROUNDS)
    random.Random(seed).shuffle(arts)
    alone = _store(tmp_path, "alone.db", arts, jobs=0)
    _count_offered(monkeypatch, lambda: None)
    pooled = _store(tmp_path, "offered.db", arts, jobs=1)
    assert snapshot(pooled) == snapshot(alone)
    alone.close()
    pooled.close()


def test_a_worker_killed_with_offered_rounds_leaves_them_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    arts = season(ROUNDS)
    alone = _store(tmp_path, "alone.db", arts, jobs=0)
    killed, kill_workers = _worker_killer()
    _count_offered(monkeypatch, kill_workers)
    with caplog.at_level(logging.WARNING, logger="etstats.ingest.parse_pool"):
        store = _store(tmp_path, "killed.db", arts, jobs=1)
    assert killed  # killed right after the first round was offered to them
    assert "a parse worker died" in caplog.text
    assert snapshot(store) == snapshot(alone)  # every verdict, each once
    assert multiprocessing.active_children() == []
    alone.close()
    store.close()


def test_a_reconciled_hook_gets_every_object_with_workers(tmp_path: Path) -> None:
    got: list[str] = []

    class Listener:
        @hookimpl
        def etstats_round_reconciled(self, result: Any) -> None:
            got.append(str(result.verdict))

    arts = season(ROUNDS)
    pm = get_plugin_manager([Listener()], load_entry_points=False)
    store = _store(tmp_path, "hook.db", arts, jobs=2, pm=pm)
    assert sorted(got) == sorted(row[1] for row in store.table_rows("reconciliations"))
    assert len(got) == ROUNDS
    store.close()


def test_a_worker_reports_an_unreadable_round_and_its_warnings() -> None:
    """Run in this process: an artifact that no longer parses makes the round
    ``unreadable`` (the round keeps no verdict, as in process), and what the engine logs
    travels back with the outcomes."""
    stats, lua, _endstats = season(1)
    bad = ("0" * 64, stats.name, "stats", b"not a stats file\n")
    good = (stats.sha256, stats.name, "stats", stats.data)
    lua_file = (lua.sha256, lua.name, "gametimes-legacy", lua.data)
    work: list[reconcile_pool.RoundWork] = [
        (1, "UTC", 45.0, (("stats", bad),), None),
        (2, "UTC", 45.0, (("stats", good), ("lua", lua_file)), None),
    ]
    outcomes, logged = reconcile_pool._reconcile_chunk(work)
    assert outcomes[0][0] == "unreadable"
    with pytest.raises(ParseError) as caught:
        parse_artifact(Artifact.from_bytes(bad[3], stats.name))
    assert outcomes[0][1] == str(caught.value)
    kind, row = outcomes[1]
    assert kind == "row"
    assert isinstance(row, tuple)
    assert row[0] in ("agree", "conflict", "warn")
    assert logged == []
    assert logging.getLogger("etstats").propagate  # restored after the chunk


def test_what_a_worker_logs_travels_back_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The engine's failure, logged with its traceback in a worker, is returned with the
    outcomes (for the main process to log) and not logged by the worker itself."""

    def failing(*_args: Any, **_kw: Any) -> None:
        try:
            raise ValueError("engine broke")
        except ValueError:
            logging.getLogger("etstats.ingest.reconcile_step").exception("reconciliation failed")
        return None

    monkeypatch.setattr(reconcile_pool, "reconcile_round", failing)
    stats = season(1)[0]
    work: list[reconcile_pool.RoundWork] = [
        (1, "UTC", 45.0, (("stats", (stats.sha256, stats.name, "stats", stats.data)),), None)
    ]
    with caplog.at_level(logging.WARNING):
        outcomes, logged = reconcile_pool._reconcile_chunk(work)
    assert outcomes == [("row", None)]
    [(name, level, message)] = logged
    assert (name, level) == ("etstats.ingest.reconcile_step", logging.ERROR)
    assert "reconciliation failed" in message
    assert "ValueError: engine broke" in message
    assert caplog.records == []
