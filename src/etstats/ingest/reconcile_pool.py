"""Reconcile the rounds of a bulk batch in the parse workers (``Pipeline.jobs``).

Reconciling a round (the engine and the report's JSON) is a pure function of the round's
artifacts, its stored round 1 (for a round 2), the server's timezone and the pairing window,
and it is a third to a half of what the main process of ``etstats ingest`` spends. With parse
workers, :func:`etstats.ingest.batch_reconcile.reconcile_rounds` hands the batch's rounds to
them: what travels is each artifact's raw bytes, kind, name and hash (pickling bytes costs the
main process nearly nothing; a worker re-parses them, or reuses the model if it parsed that
file itself, :func:`etstats.ingest.parse_pool.parse_in_worker`), and what comes back is each
round's row (verdict, conflicts, warnings, report JSON) and the warnings the worker logged.

Both cores work: one call per worker carrying the batch's rounds is queued ahead of the next
batch's parsing (:mod:`etstats.ingest.work_queue`) before the main process writes the batch's
rows; the workers reconcile while it writes, claiming small chunks from the front through
shared memory (:class:`etstats.ingest.worker_processes.Claims`: no message per chunk), while
the main process then claims the rest from the end and reconciles them itself (with the
models it has cached) until the two meet. The verdicts are written after them, in the
batch's transaction, in the same order as in process, so the store is the same. A worker that
dies leaves its chunks to the main process (nothing written twice, nothing lost).

The ``etstats_round_reconciled`` hook needs the reconciliation objects in the main process:
when a plugin implements it, the batch is reconciled in process (:func:`needs_objects`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from attrs import frozen

from etstats.errors import ParseError
from etstats.ingest.parse_pool import ParsePool, parse_in_worker
from etstats.ingest.reconcile_step import reconcile_round
from etstats.ingest.work_queue import Task
from etstats.ingest.worker_processes import worker_claims, worker_tickets

if TYPE_CHECKING:
    from etstats.ingest.pipeline import Pipeline

log = logging.getLogger(__name__)

Shipped = tuple[str, str, str, bytes]
"""An artifact as it travels: (hash, name, stored kind, raw bytes)."""
RoundWork = tuple[int, str, float, tuple[tuple[str, Shipped], ...], Shipped | None]
"""One round to reconcile: (round id, timezone, pairing window in minutes, (role, artifact)
per linked role, its round 1's stats file or ``None``)."""
Row = tuple[str, int, int, str]
"""A ``reconciliations`` row without its round id: (verdict, conflicts, warnings, JSON)."""
Outcome = tuple[str, Row | str | None]
"""A round's outcome: ``("row", Row or None)`` (``None``: nothing to compare, no row),
``("unreadable", reason)`` (a linked file does not parse: the round keeps no verdict) or
``("here", None)`` (reconcile it in the main process, which reports the failure as it would)."""
Logged = tuple[str, int, str]
"""A record a worker logged: (logger name, level, message with its traceback)."""

CHUNK_ROUNDS = 2
"""Rounds per chunk: when the main process's claims meet the workers', it waits for at most
one chunk per worker (a few ms per round). A claim is a few microseconds in shared memory,
not a message, so small chunks cost nothing more."""

_active: ContextVar[tuple[ParsePool, Mapping[str, bytes]] | None] = ContextVar(
    "etstats_reconcile_pool", default=None
)


@contextmanager
def reconciling_in(pool: ParsePool, data: Mapping[str, bytes]) -> Iterator[None]:
    """Within the block, :func:`active_pool` is ``pool``; ``data`` (hash -> raw bytes) are
    the batch's own artifacts, shipped without reading them back from the store."""
    token = _active.set((pool, data))
    try:
        yield
    finally:
        _active.reset(token)


def active_pool(pipeline: Pipeline) -> tuple[ParsePool, Mapping[str, bytes]] | None:
    """The pool to reconcile in and the batch's bytes, or ``None``: no pool, its workers have
    not started (a single-batch command starts none for this), one died, or the hook needs
    the reconciliation objects here."""
    active = _active.get()
    if active is None or not active[0].started or needs_objects(pipeline):
        return None
    return active


def needs_objects(pipeline: Pipeline) -> bool:
    """A plugin implements ``etstats_round_reconciled`` (it is given each round's
    reconciliation object, which only the in-process path builds)."""
    pm = pipeline.pm
    return pm is not None and bool(pm.hook.etstats_round_reconciled.get_hookimpls())


def reconcile_shared(
    pool: ParsePool,
    work: Sequence[RoundWork],
    here: Callable[[int], Outcome],
    meanwhile: Callable[[], None],
) -> list[Outcome]:
    """The outcome of each of ``work``, in order, shared with the workers in chunks of
    :data:`CHUNK_ROUNDS` rounds claimed through shared memory
    (:class:`etstats.ingest.worker_processes.Claims`). One call per worker carries the
    whole list (ahead of parsing the next batch); ``meanwhile()`` then starts the batch's row
    writes while the workers reconcile from the first chunk; then this process claims
    chunks from the last and reconciles them with ``here(position)`` until the two ends
    meet, and waits only for the chunks a worker is still doing. The chunks of a worker that
    died are reconciled here too."""
    claims = pool.claims
    if claims is None:  # pragma: no cover - a started pool has its claims
        meanwhile()
        return [here(i) for i in range(len(work))]
    bounds = [
        (start, min(start + CHUNK_ROUNDS, len(work))) for start in range(0, len(work), CHUNK_ROUNDS)
    ]
    generation = claims.open(len(bounds))
    shared = list(work)
    tasks = [
        pool.share(_reconcile_claimed, (generation, slot, shared, bounds))
        for slot in range(pool.jobs)
    ]
    meanwhile()
    dead = _failed_any(tasks)
    out: list[Outcome | None] = [None] * len(work)
    mine = len(bounds)  # the chunks from here on are done here
    while (chunk := claims.take_back(dead)) is not None:
        mine = chunk
        start, end = bounds[chunk]
        for i in range(end - 1, start - 1, -1):
            out[i] = here(i)
    for slot, task in enumerate(tasks):
        if claims.claimed_by(slot) == 0 and not dead():
            pool.take(task)  # never sent: it would claim nothing; sent: its result is not needed
            continue
        got: list[tuple[int, list[Outcome], list[Logged]]] | None = pool.result_of(task.future)
        for chunk, outcomes, logged in got or []:
            _replay(logged)
            for i, outcome in enumerate(outcomes, bounds[chunk][0]):
                out[i] = outcome
    # what a dead worker claimed, and what a worker could not reconcile, is done here
    for chunk in range(mine):
        start, end = bounds[chunk]
        for i in range(start, end):
            had = out[i]
            if had is None or had[0] == "here":
                out[i] = here(i)
    return [o for o in out if o is not None]


@frozen
class Offer:
    """Rounds offered to the workers before the batch needs their outcomes (one call; a
    ticket per round, :class:`etstats.ingest.worker_processes.Tickets`)."""

    serials: tuple[int, ...]
    task: Task


def offer(pool: ParsePool, work: Sequence[RoundWork]) -> Offer | None:
    """Offer ``work`` to the workers now (one call, queued as urgent); ``None`` when the
    workers have not started. :func:`settle` gives the outcomes."""
    tickets = pool.tickets
    if tickets is None or not work:
        return None
    serials = tuple(tickets.issue(len(work)))
    return Offer(serials, pool.share(_reconcile_tickets, (serials, list(work))))


def settle(
    pool: ParsePool,
    offers: Sequence[Offer],
    wanted: Sequence[Sequence[bool]],
    here: Callable[[int, int], Outcome],
) -> list[list[Outcome | None]]:
    """The outcome of each round of ``offers`` that is ``wanted[k][i]`` (``None`` for the
    others, which are only withdrawn). This process takes back, from the last round of the
    last offer, every round no worker has taken, doing the wanted ones with
    ``here(k, i)``; it then waits for the calls whose wanted rounds a worker took (at most
    the one round a worker is doing is still running). The rounds of a worker that died,
    and those a worker could not reconcile, are done here too."""
    tickets = pool.tickets
    out: list[list[Outcome | None]] = [[None] * len(o.serials) for o in offers]
    dead = _failed_any([o.task for o in offers])
    waiting: list[int] = []
    for k in range(len(offers) - 1, -1, -1):
        o = offers[k]
        if pool.take(o.task):  # never sent: every round of it is ours
            for i in range(len(o.serials) - 1, -1, -1):
                if wanted[k][i]:
                    out[k][i] = here(k, i)
            continue
        for i in range(len(o.serials) - 1, -1, -1):
            if tickets is not None and tickets.take_back(o.serials[i], dead):
                if wanted[k][i]:
                    out[k][i] = here(k, i)
                continue
            # a worker took this round, and (it goes from the first) every one before it
            if any(wanted[k][: i + 1]):
                waiting.append(k)
            break
    for k in waiting:
        got: list[tuple[int, Outcome, list[Logged]]] | None = pool.result_of(offers[k].task.future)
        for i, outcome, logged in got or []:
            if wanted[k][i]:
                _replay(logged)
                out[k][i] = outcome
    for k, rounds in enumerate(out):
        for i, had in enumerate(rounds):
            if wanted[k][i] and (had is None or had[0] == "here"):
                rounds[i] = here(k, i)
    return out


def _failed_any(tasks: Sequence[Task]) -> Callable[[], bool]:
    """Whether a worker died (the test the shared-memory locks take while they wait): one of
    ``tasks`` failed, or was cancelled as the pool closed."""

    def dead() -> bool:
        return any(
            t.future.done() and (t.future.cancelled() or t.future.exception() is not None)
            for t in tasks
        )

    return dead


def _replay(logged: list[Logged]) -> None:
    """Log here what a worker logged."""
    for name, level, message in logged:
        logging.getLogger(name).log(level, "%s", message)


# -- in the worker ---------------------------------------------------------------------------
def _reconcile_tickets(
    job: tuple[tuple[int, ...], list[RoundWork]],
) -> list[tuple[int, Outcome, list[Logged]]]:
    """Reconcile the offered rounds whose tickets this worker takes, from the first, until
    one was taken back by the main process (it takes them from the last, so all after it
    are taken too); returns (position, outcome, what was logged) each."""
    serials, work = job
    tickets = worker_tickets()
    done = []
    for i, (serial, one) in enumerate(zip(serials, work, strict=True)):
        if not tickets.take(serial):
            break
        outcomes, logged = _reconcile_chunk([one])
        done.append((i, outcomes[0], logged))
    return done


def _reconcile_claimed(
    job: tuple[int, int, list[RoundWork], list[tuple[int, int]]],
) -> list[tuple[int, list[Outcome], list[Logged]]]:
    """Reconcile the chunks this worker claims (from the front) until the main process's
    claims (from the back) meet them; returns (chunk, its outcomes, what was logged) each."""
    generation, slot, work, bounds = job
    claims = worker_claims()
    done = []
    while (chunk := claims.claim(generation, slot)) is not None:
        start, end = bounds[chunk]
        outcomes, logged = _reconcile_chunk(work[start:end])
        done.append((chunk, outcomes, logged))
    return done


def _reconcile_chunk(work: list[RoundWork]) -> tuple[list[Outcome], list[Logged]]:
    records: list[Logged] = []
    catch = _Collect(records)
    root = logging.getLogger("etstats")
    root.addHandler(catch)
    was, root.propagate = root.propagate, False  # the main process logs them, once
    try:
        return [_reconcile_one(w) for w in work], records
    finally:
        root.removeHandler(catch)
        root.propagate = was


def _reconcile_one(work: RoundWork) -> Outcome:
    _round_id, timezone, window, shipped, r1_file = work
    try:
        linked = {
            role: (name, parse_in_worker(sha, name, kind, data, timezone))
            for role, (sha, name, kind, data) in shipped
        }
    except ParseError as exc:
        return "unreadable", str(exc)
    r1 = None
    if r1_file is not None:
        sha, name, kind, data = r1_file
        try:
            r1 = (name, parse_in_worker(sha, name, kind, data, timezone).model)
        except ParseError:
            return "here", None  # the main process raises it, as it would alone
    recon = reconcile_round(
        *(linked[role][1] if role in linked else None for role in ("stats", "lua", "endstats")),
        names={role: name for role, (name, _) in linked.items()},
        timezone=timezone,
        r1=r1,
        window_minutes=window,
    )
    if recon is None:
        return "row", None
    verdict, conflicts, warnings, text, _obj = recon
    return "row", (verdict, conflicts, warnings, text)


class _Collect(logging.Handler):
    """Keeps what a worker logs (warning and up) for the main process to log."""

    def __init__(self, records: list[Logged]) -> None:
        super().__init__(logging.WARNING)
        self._records = records

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
        self._records.append((record.name, record.levelno, message))


__all__ = [
    "CHUNK_ROUNDS",
    "Offer",
    "Outcome",
    "RoundWork",
    "Row",
    "Shipped",
    "active_pool",
    "needs_objects",
    "offer",
    "reconcile_shared",
    "reconciling_in",
    "settle",
]
