"""The workers' queue (``etstats ingest --jobs``): urgent work goes first, the main process
can take back what no worker has, every task is done exactly once (by a worker or taken
back), and a broken or closed pool tells each waiting task so. A real thread pool stands in
for the process pool: the queue only sees its ``submit``."""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etstats.ingest.work_queue import AHEAD, URGENT, Task, WorkQueue

ran: list[str] = []
gate = threading.Event()


def _record(name: str) -> str:
    ran.append(name)
    return name.upper()


def _wait_for_gate(name: str) -> str:
    gate.wait(10)
    return _record(name)


@pytest.fixture(autouse=True)
def _fresh() -> None:
    ran.clear()
    gate.clear()


def test_urgent_work_overtakes_work_queued_ahead_of_it() -> None:
    with ThreadPoolExecutor(1) as pool:
        queue = WorkQueue(pool.submit, depth=1)
        first = queue.put(_wait_for_gate, "busy", AHEAD)  # the one slot is taken
        later = [queue.put(_record, f"parse-{i}", AHEAD) for i in range(3)]
        urgent = [queue.put(_record, f"reconcile-{i}", URGENT) for i in range(2)]
        gate.set()
        for task in (first, *later, *urgent):
            task.future.result(10)
    assert ran == ["busy", "reconcile-0", "reconcile-1", "parse-0", "parse-1", "parse-2"]
    assert urgent[1].future.result() == "RECONCILE-1"


def test_the_main_process_takes_back_only_what_no_worker_has() -> None:
    with ThreadPoolExecutor(1) as pool:
        queue = WorkQueue(pool.submit, depth=1)
        sent = queue.put(_wait_for_gate, "sent", URGENT)
        waiting = queue.put(_record, "waiting", URGENT)
        assert not queue.take(sent)  # a worker has it: wait for its result
        assert queue.take(waiting)  # ours now
        assert not queue.take(waiting)  # and only once
        gate.set()
        assert sent.future.result(10) == "SENT"
        pool.shutdown(wait=True)
    assert ran == ["sent"]  # the taken task never ran in the pool
    assert not waiting.future.done()


def test_closing_cancels_what_waits_and_refuses_new_work() -> None:
    with ThreadPoolExecutor(1) as pool:
        queue = WorkQueue(pool.submit, depth=1)
        sent = queue.put(_wait_for_gate, "sent", URGENT)
        waiting = queue.put(_record, "waiting", AHEAD)
        queue.close()
        after = queue.put(_record, "after", URGENT)
        gate.set()
        assert sent.future.result(10) == "SENT"  # what a worker has still finishes
    for task in (waiting, after):
        with pytest.raises(CancelledError):
            task.future.result(0)
        assert not queue.take(task)
    assert ran == ["sent"]


def test_a_broken_pool_puts_its_error_in_each_task() -> None:
    def broken(_fn: Any, _arg: Any) -> Future[Any]:
        raise RuntimeError("pool is broken")

    queue = WorkQueue(broken, depth=2)
    tasks = [queue.put(_record, name, URGENT) for name in ("a", "b", "c")]
    for task in tasks:
        with pytest.raises(RuntimeError, match="broken"):
            task.future.result(0)
    assert ran == []


@settings(max_examples=40, deadline=None)
@given(
    ranks=st.lists(st.sampled_from([URGENT, AHEAD]), min_size=1, max_size=30),
    takes=st.lists(st.integers(min_value=0, max_value=29), max_size=30),
    depth=st.integers(min_value=1, max_value=3),
)
def test_every_task_is_done_exactly_once(ranks: list[int], takes: list[int], depth: int) -> None:
    """Whatever the main process tries to take back while the pool works, each task is done
    once: by the pool (its future has the result) or here (it was taken back)."""
    ran.clear()
    with ThreadPoolExecutor(2) as pool:
        queue = WorkQueue(pool.submit, depth=depth)
        tasks: list[Task] = [queue.put(_record, f"t{i}", rank) for i, rank in enumerate(ranks)]
        taken = {i for i in takes if i < len(tasks) and queue.take(tasks[i])}
        results = {i: t.future.result(10) for i, t in enumerate(tasks) if i not in taken}
    assert sorted(ran) == sorted(f"t{i}" for i in results)
    assert all(results[i] == f"T{i}" for i in results)
    assert taken.isdisjoint(results)
    assert len(taken) + len(results) == len(tasks)
