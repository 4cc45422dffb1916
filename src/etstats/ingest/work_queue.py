"""Work for the parse workers, most urgent first, that the main process can take back.

A bulk ingest with workers (``--jobs``) has two kinds of work a worker can do: parsing the
next batch (:mod:`etstats.ingest.parse_pool`) and reconciling the rounds of the batch being
written (:mod:`etstats.ingest.reconcile_pool`). Handed straight to a
:class:`~concurrent.futures.ProcessPoolExecutor` they would run in the order given, and what
is handed over cannot be taken back: the writer then either waits for the workers or does the
work itself while they sit idle (measured: one worker reconciled a quarter of the rounds and
idled while the main process wrote).

So the work waits here, in a :class:`WorkQueue`: at most ``depth`` calls per worker are with
the executor at a time (one running, one ready behind it); when one finishes the next is sent
from its completion callback, the most urgent first (:data:`URGENT`: the writer needs it for
the batch it is writing; :data:`AHEAD`: the next batch), in the order given within a rank.
The main process takes back what is still waiting (:meth:`WorkQueue.take`) whenever it would
otherwise wait for it, and does it itself: both cores stay busy and nothing is done twice.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

URGENT = 0
"""Rank of work the writer waits for in the batch it is writing (reconciling its rounds)."""
AHEAD = 1
"""Rank of work for a later batch (parsing it)."""

Submit = Callable[[Callable[[Any], Any], Any], "Future[Any]"]
"""Hands ``fn(arg)`` to the executor; raises when the executor is broken or shut down."""


class Task:
    """One call waiting for a worker. :attr:`future` gets its result (or the executor's
    error: a dead worker's ``BrokenProcessPool``; cancelled when the queue is closed first);
    a task taken back by the main process (:meth:`WorkQueue.take`) never gets one."""

    __slots__ = ("arg", "fn", "future", "state")

    def __init__(self, fn: Callable[[Any], Any], arg: Any) -> None:
        self.fn = fn
        self.arg = arg
        self.future: Future[Any] = Future()
        self.state = "queued"  # -> "sent" (a worker has it) or "taken" (the main process has)


class WorkQueue:
    """Tasks waiting for ``depth`` executor slots (see the module docstring). Thread-safe: the
    executor's callbacks send the next task from its management thread."""

    def __init__(self, submit: Submit, depth: int) -> None:
        self._submit = submit
        self._depth = depth
        self._lock = threading.Lock()
        self._waiting: list[tuple[int, int, Task]] = []  # (rank, order, task): a heap
        self._order = itertools.count()
        self._sent = 0
        self._closed = False

    def put(self, fn: Callable[[Any], Any], arg: Any, rank: int) -> Task:
        """Queue ``fn(arg)`` (``fn`` a module-level function) at ``rank``."""
        task = Task(fn, arg)
        with self._lock:
            if self._closed:
                task.future.cancel()
                return task
            heapq.heappush(self._waiting, (rank, next(self._order), task))
        self._pump()
        return task

    def take(self, task: Task) -> bool:
        """Take ``task`` back if no worker has it yet: ``True`` means the caller does it (its
        future will never be set); ``False``: wait for :attr:`Task.future`."""
        with self._lock:
            if task.state != "queued" or task.future.cancelled():
                return False
            task.state = "taken"  # left in the heap; skipped when it comes up
            return True

    def close(self) -> None:
        """Cancel every waiting task (its future says so); nothing more is sent."""
        with self._lock:
            self._closed = True
            waiting, self._waiting = self._waiting, []
        for _rank, _order, task in waiting:
            if task.state == "queued":
                task.future.cancel()

    def _pump(self) -> None:
        """Send waiting tasks while a slot is free."""
        while True:
            with self._lock:
                task = self._next_locked()
                if task is None:
                    return
                task.state = "sent"
                self._sent += 1
            try:
                inner = self._submit(task.fn, task.arg)
            except Exception as exc:  # a broken or shut-down executor: the caller sees it
                with self._lock:
                    self._sent -= 1
                task.future.set_exception(exc)
                continue
            inner.add_done_callback(functools.partial(self._finished, task))

    def _next_locked(self) -> Task | None:
        if self._closed or self._sent >= self._depth:
            return None
        while self._waiting:
            _rank, _order, task = heapq.heappop(self._waiting)
            if task.state == "queued":
                return task
        return None

    def _finished(self, task: Task, done: Future[Any]) -> None:
        with self._lock:
            self._sent -= 1
        if done.cancelled():
            task.future.cancel()
        elif (exc := done.exception()) is not None:
            task.future.set_exception(exc)
        else:
            task.future.set_result(done.result())
        self._pump()


__all__ = ["AHEAD", "URGENT", "Task", "WorkQueue"]
