"""The worker processes of bulk ingestion (``--jobs``), started early and stopped quickly.

:class:`etstats.ingest.parse_pool.ParsePool` hands its work to a
:class:`~concurrent.futures.ProcessPoolExecutor` made here (:func:`new_executor`). This module
imports nothing of the parsers or the store, so that a command can start the workers
(:func:`started_early`) before it imports, scans and opens all that itself: a worker's
start (``spawn``, then importing the parsers and the reconciliation engine: about a quarter
of a second) then overlaps with the main process's own start instead of following it, and
the workers are ready for the first batch.

Workers are started with ``spawn`` (the same on Linux, macOS and Windows, and safe with the
open database connections and threads of the main process; a frozen executable must call
:func:`multiprocessing.freeze_support`, as ``etstats`` does). They ignore Ctrl-C (the main
process stops them), exit when the main process dies (even by ``kill -9``), and leave
without tearing their interpreter down once their executor has stopped them (their caches
hold thousands of parsed models: freeing them one by one only delays the main process's
wait for them).
"""

from __future__ import annotations

import atexit
import gc
import importlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from types import ModuleType
from typing import TYPE_CHECKING, Any

from attrs import frozen

from etstats.errors import ConfigError

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

# multiprocessing and the process executor (about a tenth of ``etstats ingest``'s imports) are
# imported by the functions that start or run workers: ``--jobs 0`` never needs them.

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None

log = logging.getLogger(__name__)

CANNOT_START = (OSError, NotImplementedError, ImportError)
"""What starting worker processes raises where the system cannot give them (no process or
semaphore support, ``sem_open`` refused, a process limit): the command then parses in its
own process, as with ``--jobs 0``, since workers are the default on two or more cores."""

JOBS_ENV = "ETSTATS_JOBS"
"""Environment variable: default number of parse workers of ``etstats ingest``/``rebuild``."""

START_METHOD = "spawn"

WORKER_MODULES = ("etstats.ingest.parse_pool", "etstats.ingest.reconcile_pool")
"""What a worker imports as it starts (the parsers, the codec and the reconciliation
engine), before its first call arrives."""

PIPE_BYTES = 1 << 20
"""Capacity asked for the executor's pipes (Linux; the system's default ceiling,
``/proc/sys/fs/pipe-max-size``). A call's result is larger than the default 64 KB (four
rounds' reports are about 210 KB on a season with conflicts, 32 parsed files about 85 KB):
through a 64 KB pipe the worker's write blocked until the main process's result thread had
read the previous 64 KB, and each of those reads waits for the GIL of a main thread that is
busy (up to the 5 ms switch interval), so the worker sat idle 5-30 ms after every call. With
room for a whole result the worker writes it at once and goes on with its next call, and the
result thread reads it in one go."""


BULK_GC_THRESHOLD = (20_000, 50, 100)
"""The cyclic collector's thresholds in a bulk command's processes (the main process's
``etstats.cli.cmd_ingest.bulk_gc`` and every worker): the young generation is collected every
20,000 allocations instead of 700. Parsing and reconciling build many short-lived objects and
few cycles (about 5 % less CPU); memory stays bounded by the batch and the caches."""


WORKER_NICENESS = 19
"""The ``nice`` increment of a worker process (Unix): 19, the lowest priority. The workers are
the part of a bulk command that can wait; the main process takes back what they have not
reached. On a game server's host a worker then takes the CPU the game server leaves, not the
game server's: with a busy loop at normal priority on one of two cores, the loop kept 0.96 of
its core beside ``--jobs 1`` (0.99 beside ``--jobs 0``, 0.72 beside a worker at normal
priority; docs/performance.md, "Workers by default")."""


def usable_cores() -> int:
    """The CPUs this process may run on (its affinity mask where the system has one, else
    ``os.cpu_count()``; at least 1)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        with suppress(OSError):
            return max(1, len(affinity(0)))
    return max(1, os.cpu_count() or 1)


def default_jobs() -> int:
    """Parse workers of the bulk commands: ``$ETSTATS_JOBS`` if set, else one worker on a
    machine with two or more usable cores (:func:`usable_cores`) and none on one. The worker
    runs at the lowest priority (:data:`WORKER_NICENESS`), so it takes idle CPU only; it is
    started only for more than a batch of files (``etstats ingest``'s
    ``EARLY_WORKERS_FILES``; a smaller input is parsed in process either way). Raises
    :class:`ConfigError` for a value that is not a whole number >= 0."""
    raw = os.environ.get(JOBS_ENV, "").strip()
    if not raw:
        return 1 if usable_cores() >= 2 else 0
    try:
        jobs = int(raw)
    except ValueError:
        jobs = -1
    if jobs < 0:
        raise ConfigError(f"{JOBS_ENV} must be a whole number >= 0, not {raw!r}")
    return jobs


def lower_priority() -> None:
    """Lower this process's scheduling priority by :data:`WORKER_NICENESS` (where the system
    has ``nice``; a refusal leaves it as it was)."""
    nice = getattr(os, "nice", None)
    if nice is not None:
        with suppress(OSError):
            nice(WORKER_NICENESS)


LOCK_WAIT = 0.5
"""Seconds the main process waits for a shared-memory lock before it checks whether a worker
died (one killed while holding it would hold it for ever)."""


@contextmanager
def _locked_unless(lock: Any, dead: Callable[[], bool]) -> Iterator[bool]:
    """Hold ``lock`` (yields ``True``) unless ``dead()`` says a worker died while waiting for
    it (yields ``False``: the caller then takes nothing, and the failed call's work is done
    in the main process)."""
    while not lock.acquire(timeout=LOCK_WAIT):
        if dead():
            yield False
            return
    try:
        yield True
    finally:
        lock.release()


class Claims:
    """Chunks of one job shared by the workers and the main process without a message per
    chunk: the workers claim them from the front, the main process from the back, each
    claim a few microseconds under a lock in shared memory, until the two meet. The main
    process then waits only for the chunks a worker is still doing (at most one per
    worker), and a worker never waits for the main process between chunks.

    Layout of the shared cells: the job's generation, the front (next chunk for a worker),
    the back (one past the next chunk for the main process), then per call slot the chunks
    that call claimed. A call of an older generation (it started after its job was done)
    claims nothing."""

    def __init__(self, cells: Any) -> None:
        self._cells = cells

    @classmethod
    def new(cls, context: Any, slots: int) -> Claims:
        return cls(context.Array("q", 3 + slots))

    @property
    def cells(self) -> Any:
        """The shared array (handed to each worker as it starts)."""
        return self._cells

    # -- in the main process
    def open(self, chunks: int) -> int:
        """Start a job of ``chunks`` chunks; returns its generation."""
        with self._cells.get_lock():
            c = self._cells
            c[0] += 1
            c[1], c[2] = 0, chunks
            for i in range(3, len(c)):
                c[i] = 0
            return int(c[0])

    def take_back(self, dead: Callable[[], bool]) -> int | None:
        """The last chunk no one has claimed (now the main process's), or ``None`` when the
        two ends met. ``dead()`` says whether a worker died; if one did while the lock is
        held, ``None`` is returned too (the caller then does whatever it has no result for)."""
        with _locked_unless(self._cells.get_lock(), dead) as held:
            c = self._cells
            if not held or c[1] >= c[2]:
                return None
            c[2] -= 1
            return int(c[2])

    def claimed_by(self, slot: int) -> int:
        """Chunks the call in ``slot`` claimed in the current job (final once the two ends
        met: nothing is claimed after that)."""
        return int(self._cells.get_obj()[3 + slot])

    # -- in a worker
    def claim(self, generation: int, slot: int) -> int | None:
        """The next chunk from the front for the call in ``slot``, or ``None``: the ends
        met, or the job is no longer ``generation``."""
        with self._cells.get_lock():
            c = self._cells
            if c[0] != generation or c[1] >= c[2]:
                return None
            chunk = int(c[1])
            c[1] += 1
            c[3 + slot] += 1
            return chunk


class Tickets:
    """Pieces of work offered to the workers ahead of need, each of which either a worker or
    this process takes, exactly once, under a lock in shared memory: a worker takes each
    piece of a call it runs as it comes to it; this process takes back, from the last, what
    no worker has taken when it needs the results, and so waits for at most the one piece a
    worker is doing (:func:`etstats.ingest.reconcile_pool.offer`).

    Each piece has a serial number (one counter for the run); its cell (the serial modulo
    :data:`SLOTS`) holds ``2 * serial`` while it is open and ``2 * serial + 1`` once taken,
    so a call that comes too late for its pieces (their cells reused by newer serials)
    takes nothing."""

    SLOTS = 4096
    """Cells of open pieces; this process settles every piece it offered before it offers
    :data:`SLOTS` more (its callers offer at most :data:`OFFER_LIMIT` per batch)."""
    OFFER_LIMIT = SLOTS // 2

    def __init__(self, cells: Any) -> None:
        self._cells = cells

    @classmethod
    def new(cls, context: Any) -> Tickets:
        return cls(context.Array("q", 1 + cls.SLOTS))

    @property
    def cells(self) -> Any:
        """The shared array (handed to each worker as it starts)."""
        return self._cells

    def issue(self, count: int) -> list[int]:
        """Open ``count`` new pieces (in this process); returns their serials."""
        with self._cells.get_lock():
            c = self._cells
            first = int(c[0]) + 1
            c[0] = first + count - 1
            for serial in range(first, first + count):
                c[1 + serial % self.SLOTS] = 2 * serial
            return list(range(first, first + count))

    def take(self, serial: int) -> bool:
        """Take the piece ``serial`` (in a worker): ``False`` if it was taken already."""
        with self._cells.get_lock():
            return self._take_locked(serial)

    def take_back(self, serial: int, dead: Callable[[], bool]) -> bool:
        """Take the piece ``serial`` (in this process): ``False`` if a worker has it. If a
        worker died while it held the lock, ``False`` too (the caller's wait for that
        worker's call then fails, and it does the piece itself)."""
        with _locked_unless(self._cells.get_lock(), dead) as held:
            return held and self._take_locked(serial)

    def _take_locked(self, serial: int) -> bool:
        cell = 1 + serial % self.SLOTS
        if self._cells[cell] != 2 * serial:
            return False
        self._cells[cell] = 2 * serial + 1
        return True


@frozen
class Workers:
    """An executor of worker processes, the :class:`Claims` and :class:`Tickets` they share
    with this process, and the calls that started them (:meth:`ready` once each has run)."""

    executor: ProcessPoolExecutor
    claims: Claims
    tickets: Tickets
    warming: tuple[Future[None], ...] = ()

    def ready(self) -> bool:
        """Every worker started early has started (its imports done): work handed to them
        now begins at once."""
        return all(f.done() for f in self.warming)

    def stop(self) -> None:
        """Stop the workers and wait for them. Workers started early that are still
        starting are terminated first (a small input never needed them; joining them would
        wait for their imports): nothing anyone waits for was handed to them."""
        if not self.ready():
            for process in list((getattr(self.executor, "_processes", None) or {}).values()):
                process.terminate()
        self.executor.shutdown(wait=True, cancel_futures=True)


def new_executor(jobs: int, *, start: bool = False) -> Workers:
    """An executor of ``jobs`` worker processes with wide pipes (:data:`PIPE_BYTES`), and the
    :class:`Claims` (one call slot per worker) and :class:`Tickets` its workers share with
    this process. Its processes start with its first call, or at once with ``start``."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(START_METHOD)
    claims = Claims.new(context, jobs)
    tickets = Tickets.new(context)
    executor = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_worker_start,
        initargs=(claims.cells, tickets.cells),
    )
    _widen_pipes(executor)
    # the executor spawns a process per call while none is idle, up to ``jobs``
    warming = tuple(executor.submit(_nothing) for _ in range(jobs if start else 0))
    return Workers(executor, claims, tickets, warming)


_early: list[tuple[int, Workers]] = []
"""Executors started by :func:`started_early` and not taken yet (at most one per command)."""


@contextmanager
def started_early(jobs: int) -> Iterator[None]:
    """Start ``jobs`` workers now (none for 0) for the next bulk stream of this many jobs to
    take (:func:`take_early`); on leaving, stop them if nothing took them."""
    if jobs < 1:
        yield
        return
    try:
        workers = new_executor(jobs, start=True)
    except CANNOT_START as exc:
        log.warning("cannot start %d parse worker(s) (%s): parsing in this process", jobs, exc)
        yield
        return
    entry = (jobs, workers)
    _early.append(entry)
    try:
        yield
    finally:
        if entry in _early:
            _early.remove(entry)
            entry[1].stop()


def take_early(jobs: int) -> Workers | None:
    """The executor :func:`started_early` started for ``jobs`` workers, now the caller's to
    shut down; ``None`` if there is none."""
    for entry in _early:
        if entry[0] == jobs:
            _early.remove(entry)
            return entry[1]
    return None


def _widen_pipes(executor: ProcessPoolExecutor) -> None:
    """Give the executor's call and result pipes room for :data:`PIPE_BYTES` (best effort:
    elsewhere than Linux, or above the user's pipe quota, they keep their size). The pipes
    are CPython's ``_call_queue`` and ``_result_queue`` of the executor; a Python without
    them is left alone."""
    if fcntl is None or not hasattr(fcntl, "F_SETPIPE_SZ"):
        return
    set_size = fcntl.F_SETPIPE_SZ
    for name in ("_call_queue", "_result_queue"):
        channel = getattr(getattr(executor, name, None), "_reader", None)
        if channel is None:
            continue
        try:
            fcntl.fcntl(channel.fileno(), set_size, PIPE_BYTES)
        except (OSError, ValueError):
            continue


# -- in the worker ---------------------------------------------------------------------------
_claims: Claims | None = None
_tickets: Tickets | None = None


def worker_claims() -> Claims:
    """In a worker: the :class:`Claims` shared with the main process."""
    if _claims is None:  # pragma: no cover - only workers started by new_executor call this
        raise RuntimeError("not in a worker process of etstats.ingest.worker_processes")
    return _claims


def worker_tickets() -> Tickets:
    """In a worker: the :class:`Tickets` shared with the main process."""
    if _tickets is None:  # pragma: no cover - only workers started by new_executor call this
        raise RuntimeError("not in a worker process of etstats.ingest.worker_processes")
    return _tickets


def _worker_start(claim_cells: Any, ticket_cells: Any) -> None:
    global _claims, _tickets
    _claims = Claims(claim_cells)
    _tickets = Tickets(ticket_cells)
    import multiprocessing

    # Ctrl-C reaches the whole process group: the main process handles it and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lower_priority()
    parent = multiprocessing.parent_process()
    if parent is not None:  # a kill -9 of the main process must not leave us behind
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    # Once the executor has stopped us (our results are written, the standard streams
    # flushed by multiprocessing), leave without freeing the caches object by object.
    atexit.register(_leave)
    for name in WORKER_MODULES:
        importlib.import_module(name)
    # what was imported stays: out of the collector's sight, and collected less often (a
    # worker only ever parses and reconciles, as bulk_gc sets the main process)
    gc.freeze()
    gc.set_threshold(*BULK_GC_THRESHOLD)


def _nothing() -> None:
    """A call that only makes the executor start a worker (:func:`new_executor`)."""


def _leave() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _exit_with(sentinel: int) -> None:
    import multiprocessing.connection

    multiprocessing.connection.wait([sentinel])
    os._exit(1)


__all__ = [
    "BULK_GC_THRESHOLD",
    "CANNOT_START",
    "JOBS_ENV",
    "LOCK_WAIT",
    "PIPE_BYTES",
    "START_METHOD",
    "WORKER_NICENESS",
    "Claims",
    "Tickets",
    "Workers",
    "default_jobs",
    "lower_priority",
    "new_executor",
    "started_early",
    "take_early",
    "usable_cores",
    "worker_claims",
    "worker_tickets",
]
