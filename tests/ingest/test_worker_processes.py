"""The worker processes of ``--jobs``: chunks of a shared job are claimed exactly once from
both ends (workers from the front, the main process from the back) and a stale call claims
nothing; workers started early are taken by the next pool, or stopped when nothing took
them, and run at the lowest priority; the executor's pipes are widened where the system
allows it; one worker by default on two or more cores."""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import operator
import os
import threading
from concurrent.futures import Future
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etstats.cli.cmd_ingest import EARLY_WORKERS_FILES, early_jobs
from etstats.ingest import worker_processes
from etstats.ingest.parse_pool import ParsePool
from etstats.ingest.worker_processes import (
    BULK_GC_THRESHOLD,
    PIPE_BYTES,
    START_METHOD,
    WORKER_NICENESS,
    Claims,
    Tickets,
    new_executor,
    started_early,
    take_early,
)


def _claims(slots: int) -> Claims:
    return Claims.new(multiprocessing.get_context(START_METHOD), slots)


def _alive() -> bool:
    return False


@pytest.mark.property
@given(
    chunks=st.integers(min_value=0, max_value=40),
    steps=st.lists(st.sampled_from(["main", "w0", "w1"]), max_size=60),
)
def test_every_chunk_is_claimed_once_from_either_end(chunks: int, steps: list[str]) -> None:
    """Whatever the interleaving, each chunk goes to exactly one party, the workers' from
    the front and the main process's from the back, and once the ends meet nothing more is
    handed out; each slot's count is what it got."""
    claims = _claims(2)
    generation = claims.open(chunks)
    got: dict[str, list[int]] = {"main": [], "w0": [], "w1": []}
    for who in [*steps, "main"]:
        if who == "main":
            while (chunk := claims.take_back(_alive)) is not None:
                got["main"].append(chunk)
                if len(got["main"]) % 3 == 0:  # let the workers in now and then
                    break
        else:
            chunk = claims.claim(generation, int(who[1]))
            if chunk is not None:
                got[who].append(chunk)
    while (chunk := claims.take_back(_alive)) is not None:
        got["main"].append(chunk)
    everything = got["main"] + got["w0"] + got["w1"]
    assert sorted(everything) == list(range(chunks))
    assert got["w0"] == sorted(got["w0"])
    assert got["w1"] == sorted(got["w1"])
    assert got["main"] == sorted(got["main"], reverse=True)
    assert [claims.claimed_by(0), claims.claimed_by(1)] == [len(got["w0"]), len(got["w1"])]
    assert claims.claim(generation, 0) is None


def test_a_call_of_an_older_job_claims_nothing() -> None:
    claims = _claims(1)
    old = claims.open(4)
    new = claims.open(4)
    assert claims.claim(old, 0) is None
    assert claims.claim(new, 0) == 0
    assert claims.take_back(_alive) == 3


def test_the_main_process_stops_waiting_for_a_lock_a_dead_worker_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker killed inside its claim never releases the lock: the main process checks
    ``dead()`` between waits and gives up instead of hanging."""
    monkeypatch.setattr(worker_processes, "LOCK_WAIT", 0.01)
    claims = _claims(1)
    claims.open(3)
    held, done = threading.Event(), threading.Event()

    def hold() -> None:  # as a worker killed inside its claim leaves the lock
        with claims.cells.get_lock():
            held.set()
            done.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    checks: list[bool] = []

    def dead() -> bool:
        checks.append(True)
        return len(checks) >= 2

    try:
        assert claims.take_back(dead) is None
    finally:
        done.set()
        holder.join()
    assert len(checks) == 2


def _tickets() -> Tickets:
    return Tickets.new(multiprocessing.get_context(START_METHOD))


@pytest.mark.property
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=6), max_size=6),
    steps=st.lists(st.integers(min_value=0, max_value=5), max_size=40),
)
def test_every_offered_piece_is_taken_once(sizes: list[int], steps: list[int]) -> None:
    """Calls of several pieces each: a worker goes through a call's pieces from the first
    and stops at one already taken; the main process takes back from the last piece of the
    last call. Whatever the interleaving, each piece goes to exactly one of them, and what
    the worker stopped at was taken by the main process, so was all after it."""
    tickets = _tickets()
    calls = [tickets.issue(n) for n in sizes]
    worker: list[int] = []
    position = [0, 0]  # the call and the piece the worker is at
    stopped: set[int] = set()  # calls the worker left (it met a piece taken back)

    def worker_step() -> None:
        k, i = position
        if k >= len(calls):
            return
        if k in stopped or i >= len(calls[k]):
            position[:] = [k + 1, 0]
            return
        if tickets.take(calls[k][i]):
            worker.append(calls[k][i])
            position[1] += 1
        else:
            stopped.add(k)

    for n in steps:
        for _ in range(n):
            worker_step()
    main = [s for call in reversed(calls) for s in reversed(call) if tickets.take_back(s, _alive)]
    for _ in range(sum(sizes) + len(sizes) + 1):
        worker_step()
    everything = sorted(worker + main)
    assert everything == sorted(s for call in calls for s in call)
    assert len(set(everything)) == len(everything)
    for call in calls:  # in each call, the worker's pieces come before the main process's
        mine = [s for s in call if s in main]
        assert mine == call[len(call) - len(mine) :]


def test_a_piece_offered_long_ago_cannot_be_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call that arrives after its pieces' cells were reused by newer pieces takes none
    of them, nor the newer ones."""
    monkeypatch.setattr(Tickets, "SLOTS", 4)
    tickets = _tickets()
    [old] = tickets.issue(1)
    newer = tickets.issue(4)  # one of them now uses the old piece's cell
    assert not tickets.take(old)
    assert all(tickets.take(s) for s in newer)
    assert not tickets.take_back(newer[0], _alive)  # taken once only


def test_workers_started_early_are_taken_by_the_next_pool() -> None:
    with started_early(1):
        with ParsePool(1) as pool:
            assert pool.started  # before anything was sent to it
            assert pool.result_of(pool.share(abs, -2).future) == 2
            assert pool.ready  # started, and its first call done
            assert pool.claims is not None
            assert pool.tickets is not None
            # a worker collects garbage as a bulk command's main process does
            threshold = pool.result_of(pool.share(operator.call, gc.get_threshold).future)
            assert threshold == BULK_GC_THRESHOLD
            if hasattr(os, "nice"):  # it runs at the lowest priority: idle CPU only
                niceness = pool.result_of(pool.share(os.nice, 0).future)
                assert niceness == min(19, os.nice(0) + WORKER_NICENESS)
            assert take_early(1) is None  # taken once
        assert multiprocessing.active_children() == []


def test_workers_started_early_and_not_taken_are_stopped() -> None:
    with started_early(1):
        assert multiprocessing.active_children() != []
    assert multiprocessing.active_children() == []
    with started_early(0):  # nothing to start
        assert take_early(0) is None


def test_a_pool_without_early_workers_starts_them_on_first_use() -> None:
    with ParsePool(1) as pool:
        assert not pool.started
        future: Future[Any] = pool.share(abs, -3).future
        assert pool.result_of(future) == 3
        assert pool.started
    assert multiprocessing.active_children() == []


def test_the_executor_pipes_are_widened() -> None:
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_GETPIPE_SZ"):
        pytest.skip("no F_GETPIPE_SZ here")
    with open("/proc/sys/fs/pipe-max-size") as f:
        if int(f.read()) < PIPE_BYTES:
            pytest.skip("the system's pipe ceiling is below PIPE_BYTES")
    executor = new_executor(1).executor
    try:
        for name in ("_call_queue", "_result_queue"):
            reader = getattr(executor, name)._reader
            assert fcntl.fcntl(reader.fileno(), fcntl.F_GETPIPE_SZ) >= PIPE_BYTES
    finally:
        executor.shutdown(wait=True)


def test_etstats_ingest_starts_workers_early_only_for_more_than_a_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ETSTATS_JOBS", raising=False)

    def args(jobs: int | None, source: list[str] | None = None) -> argparse.Namespace:
        return argparse.Namespace(jobs=jobs, source=source or [], paths=["x"])

    assert early_jobs(args(1), EARLY_WORKERS_FILES + 1) == 1
    assert early_jobs(args(2), 10_000) == 2
    assert early_jobs(args(1), EARLY_WORKERS_FILES) == 0  # one batch: no workers early
    assert early_jobs(args(1, ["plugin"]), 0) == 1  # a source's size is unknown
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    assert early_jobs(args(None), 10_000) == 1  # one worker by default on two cores
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert early_jobs(args(None), 10_000) == 0  # and none on one
    monkeypatch.setenv("ETSTATS_JOBS", "many")
    assert early_jobs(args(None), 10_000) == 0  # reported later, where it always was
