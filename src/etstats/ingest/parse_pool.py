"""Parse the next bulk batch in worker processes while this process writes the current one.

Bulk ingest (``etstats ingest``, ``rebuild``, :meth:`Pipeline.ingest_many` with ``jobs``)
reads the artifacts of the next batches and asks which of them are already stored, queues the
new ones for a :class:`ParsePool` (in chunks of :data:`PARSE_CHUNK`), and only then writes
batch N. The workers parse while the main process links, writes and commits (reconciling
batch N's rounds comes first: :mod:`etstats.ingest.work_queue`); a later batch's write then
starts with its models ready, and what the workers have not reached is taken back and parsed
here. Everything that touches the store stays in the main process, in the same order as
without workers, so the store afterwards is the same.

Why the models travel in a codec of their own (:func:`encode`): plain pickle rebuilds each
frozen attrs object through its ``__setstate__`` (a Python loop over the fields), which made
loading a parsed stats file cost *more* than parsing it again (0.48 ms against 0.40 ms). The
codec stores each attrs object as its field values and rebuilds it with the model's sealed
builder (:mod:`etstats._sealing`): about 0.15 ms, cheaper than parsing for every kind
(docs/performance.md, "Parsing in worker processes").

The workers and their executor come from :mod:`etstats.ingest.worker_processes` (``spawn``,
wide pipes; started early by a command that knows it will need them); they are joined when
the pool is closed. A worker that dies leaves its chunks to the main process
(:meth:`ParsePool.results` parses them there; nothing was written yet) and the pool is not
used again.
"""

from __future__ import annotations

import importlib
import io
import logging
import pickle
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future
from operator import attrgetter
from typing import Any, TypeVar

import attrs

from etstats._sealing import sealed_builder
from etstats.errors import ParseError
from etstats.ingest.artifacts import Artifact, ArtifactKind
from etstats.ingest.extract import ParsedArtifact, parse_artifact
from etstats.ingest.work_queue import AHEAD, URGENT, Task, WorkQueue
from etstats.ingest.worker_processes import (
    CANNOT_START,
    Claims,
    Tickets,
    Workers,
    new_executor,
    take_early,
)

log = logging.getLogger(__name__)

Parsed = ParsedArtifact | ParseError
Work = tuple[Artifact, str]
"""An artifact to parse and its server's timezone (IANA name)."""
_T = TypeVar("_T")

PARSE_CHUNK = 32
"""Artifacts per parsing call: small enough that urgent work (reconciling the batch being
written) never waits long behind it and that this process can take back what the workers
have not reached; large enough that a call's round trip stays small against parsing it
(about 0.5 ms per artifact with the codec)."""
IN_FLIGHT = 2
"""Calls with each worker at a time: one running, one ready behind it."""

WORKER_CACHE_SIZE = 1024
"""Parsed artifacts a worker keeps (four default batches: the one being written and the
three parsed ahead of it, :data:`etstats.ingest.bulk_stream.LOOK_AHEAD`): the rounds of batch N are
reconciled in the workers after they parsed it (:mod:`etstats.ingest.reconcile_pool`), and a
worker that parsed a round's files does not parse them again."""


class ParsePool:
    """``jobs`` worker processes that parse batches ahead of the writer and share the
    reconciliation of the batch being written. Work waits in a
    :class:`~etstats.ingest.work_queue.WorkQueue` (most urgent first; this process takes back
    what it would otherwise wait for).

    Use as a context manager (or call :meth:`close`): no worker outlives it.
    """

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise ValueError("a parse pool needs at least one worker")
        self.jobs = jobs
        # started by the command (worker_processes.started_early), else on first use
        self._workers: Workers | None = take_early(jobs)
        self._executor = self._workers.executor if self._workers is not None else None
        self._queue = WorkQueue(self._send, IN_FLIGHT * jobs)
        self._closed = False

    def submit(self, work: Sequence[Work]) -> list[Task]:
        """Queue the parsing of ``work`` (chunks of :data:`PARSE_CHUNK` artifacts, rank
        :data:`~etstats.ingest.work_queue.AHEAD`); :meth:`results` gives the models. The
        workers start with the first work sent, so a command with a single batch (or nothing
        new) starts none."""
        return [
            self._queue.put(_parse_chunk, list(work[i : i + PARSE_CHUNK]), AHEAD)
            for i in range(0, len(work), PARSE_CHUNK)
        ]

    def share(self, fn: Callable[[_T], Any], arg: _T, rank: int = URGENT) -> Task:
        """Queue ``fn(arg)`` (``fn`` a module-level function) for a worker; the caller either
        takes it back (:meth:`take`) or waits for it (:meth:`result_of` its future)."""
        return self._queue.put(fn, arg, rank)

    def take(self, task: Task) -> bool:
        """Take ``task`` back if no worker has it: ``True`` means the caller does it."""
        return self._queue.take(task)

    @property
    def claims(self) -> Claims | None:
        """Shared with the workers for a job split into chunks (:class:`Claims`); ``None``
        before they start."""
        return self._workers.claims if self._workers is not None else None

    @property
    def tickets(self) -> Tickets | None:
        """Shared with the workers for work offered ahead of need (:class:`Tickets`);
        ``None`` before they start."""
        return self._workers.tickets if self._workers is not None else None

    @property
    def ready(self) -> bool:
        """The workers run and have finished starting: work handed to them now begins at
        once (workers started early may still be importing)."""
        return self.started and self._workers is not None and self._workers.ready()

    @property
    def started(self) -> bool:
        """The workers run (something was sent to them, or they were started early) and none
        died."""
        return self._executor is not None and not self._closed

    def result_of(self, future: Future[_T]) -> _T | None:
        """What a queued call returned; ``None`` if a worker died (logged; the pool is not
        used again) or the pool was closed first. A failure of ``fn`` itself propagates."""
        from concurrent.futures.process import BrokenProcessPool  # imports multiprocessing

        try:
            return future.result()
        except (BrokenProcessPool, CancelledError) as exc:  # cancelled: closed after a death
            self._broken(exc)
            return None

    def results(
        self, tasks: Sequence[Task], here: Callable[[list[Work]], list[Parsed]]
    ) -> list[Parsed]:
        """What :meth:`submit` queued, in order (a model or its :class:`ParseError` per
        artifact). Chunks no worker has yet are taken back and parsed by ``here`` (from the
        last, while the workers go on from the first); so are the chunks of a worker that
        died (logged; the pool is not used again). Any other failure of the parser
        propagates, as it would in process."""
        chunks: list[list[Parsed] | None] = [None] * len(tasks)
        for k in range(len(tasks) - 1, -1, -1):
            if self.take(tasks[k]):
                chunks[k] = here(tasks[k].arg)
        out: list[Parsed] = []
        for task, chunk in zip(tasks, chunks, strict=True):
            if chunk is None:
                data = self.result_of(task.future)
                chunk = decode(data) if data is not None else here(task.arg)
            out += chunk
        return out

    def close(self) -> None:
        """Cancel what has not started, wait for what has (at most :data:`IN_FLIGHT` calls
        per worker) and join the workers."""
        self._closed = True
        self._queue.close()
        workers, self._workers, self._executor = self._workers, None, None
        if workers is not None:
            workers.stop()  # workers started early and still starting are terminated

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _send(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any]:
        """Hand one call to the executor (started on first use). A broken or shut-down
        executor raises :class:`BrokenProcessPool` (the queue puts it in the task's future)."""
        from concurrent.futures.process import BrokenProcessPool  # imports multiprocessing

        if self._closed:
            raise BrokenProcessPool("the parse pool is closed")
        if self._executor is None:
            try:
                self._workers = new_executor(self.jobs)
            except CANNOT_START as exc:  # this process does the work (the caller's fallback)
                raise BrokenProcessPool(f"cannot start parse workers: {exc}") from exc
            self._executor = self._workers.executor
        try:
            return self._executor.submit(fn, arg)
        except RuntimeError as exc:  # BrokenProcessPool is one; so is "after shutdown"
            raise BrokenProcessPool(str(exc)) from exc

    def _broken(self, exc: BaseException) -> None:
        if not self._closed:
            log.warning("a parse worker died (%s); parsing in this process from now on", exc)
        self.close()


# -- in the worker ---------------------------------------------------------------------------
_parsed_here: OrderedDict[tuple[str, str, str], ParsedArtifact] = OrderedDict()


def parse_in_worker(
    sha256: str, name: str, kind: str, data: bytes, timezone: str
) -> ParsedArtifact:
    """Parse an archived artifact in a worker, reusing what this worker parsed recently
    (at most :data:`WORKER_CACHE_SIZE` models). :raises ParseError: as :func:`parse_artifact`."""
    key = (sha256, name, timezone)  # the name carries the link time, as Pipeline._parse
    parsed = _parsed_here.get(key)
    if parsed is None:
        parsed = parse_artifact(
            Artifact.from_bytes(data, name, kind=ArtifactKind(kind)), timezone=timezone
        )
        _keep(key, parsed)
    return parsed


def _keep(key: tuple[str, str, str], parsed: ParsedArtifact) -> None:
    _parsed_here[key] = parsed
    _parsed_here.move_to_end(key)
    while len(_parsed_here) > WORKER_CACHE_SIZE:
        _parsed_here.popitem(last=False)


def _parse_chunk(work: list[Work]) -> bytes:
    out: list[Parsed] = []
    for artifact, timezone in work:
        try:
            parsed = parse_artifact(artifact, timezone=timezone)
        except ParseError as exc:
            out.append(exc)
            continue
        out.append(parsed)
        _keep((artifact.sha256, artifact.name, timezone), parsed)
    return encode(out)


# -- codec -----------------------------------------------------------------------------------
# Each attrs object travels as (its class's builder, its field values). The builder is
# pickled by name, as a global of this module (``_sealed_<module>_CLS_<class>``, found again by
# the module's ``__getattr__``): the unpickler then calls the sealed builder itself, with no
# Python frame of ours in between (a sixth of the load time of a parsed stats file).
_BUILDERS: dict[type, Callable[..., Any] | None] = {}
_BY_NAME: dict[str, Callable[..., Any]] = {}
_FIELDS: dict[type, tuple[Callable[..., Any], Callable[[object], Any], bool] | None] = {}
_PREFIX, _DOT, _CLS = "_sealed_", "_DOT_", "_CLS_"


def encode(value: object) -> bytes:
    """Pickle ``value``, storing every plain frozen attrs object as its field values."""
    buffer = io.BytesIO()
    _Encoder(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def decode(data: bytes) -> Any:
    """The value :func:`encode` stored (only ever data this process's workers encoded)."""
    return pickle.loads(data)  # noqa: S301 - our own workers' output, never outside input


class _Encoder(pickle.Pickler):
    def reducer_override(self, obj: object) -> Any:
        cls = type(obj)
        try:
            plan = _FIELDS[cls]
        except KeyError:
            plan = _FIELDS[cls] = _plan(cls)
        if plan is None:
            return NotImplemented  # not an attrs class we can rebuild: plain pickle
        build, get, single = plan
        return build, ((get(obj),) if single else get(obj))


def _plan(cls: type) -> tuple[Callable[..., Any], Callable[[object], Any], bool] | None:
    """How to store an attrs class whose state is exactly its fields (slotted, no hidden
    slot such as a cached hash): its builder, a getter of its field values, and whether the
    getter gives one value rather than a tuple; ``None`` for any other class."""
    if not attrs.has(cls) or "__slots__" not in cls.__dict__:
        return None
    build = _builder(cls)
    names = tuple(a.name for a in attrs.fields(cls))
    slots = {s for k in cls.__mro__ for s in k.__dict__.get("__slots__", ())}
    if build is None or not names or slots - {"__weakref__"} != set(names):
        return None
    return build, attrgetter(*names), len(names) == 1


def _builder(cls: type) -> Callable[..., Any] | None:
    """The model's sealed builder: ``cls`` from its field values, running nothing else (its
    validators ran when the worker built the object), or ``None`` for a class it cannot
    build (a converter or an init hook: such objects travel as plain pickle). Named as a
    global of this module, so that pickle stores it by name."""
    if cls in _BUILDERS:
        return _BUILDERS[cls]
    build: Callable[..., Any] | None
    try:
        checked = [a.name for a in attrs.fields(cls) if a.validator is not None]
        build = sealed_builder(cls, prechecked=checked)
    except (TypeError, ValueError):
        build = None
    if build is not None:
        name = f"{_PREFIX}{cls.__module__.replace('.', _DOT)}{_CLS}{cls.__qualname__}"
        build.__module__, build.__name__, build.__qualname__ = __name__, name, name
        _BY_NAME[name] = build
    _BUILDERS[cls] = build
    return build


def __getattr__(name: str) -> Any:
    """A builder :func:`_builder` named (PEP 562): how the unpickler finds it again."""
    build = _BY_NAME.get(name)
    if build is None and name.startswith(_PREFIX) and _CLS in name:
        module, _, qualname = name[len(_PREFIX) :].partition(_CLS)
        try:
            owner: Any = importlib.import_module(module.replace(_DOT, "."))
            for part in qualname.split("."):
                owner = getattr(owner, part)
        except (ImportError, AttributeError):
            owner = None
        if isinstance(owner, type):
            build = _builder(owner)
    if build is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return build


__all__ = [
    "WORKER_CACHE_SIZE",
    "ParsePool",
    "decode",
    "encode",
    "parse_in_worker",
]
