"""The sequence of batches of bulk ingestion (``ingest_many``, ``etstats ingest``,
``rebuild``): each written by :func:`etstats.ingest.batch_commit.start_batch`, in order.

With ``Pipeline.jobs`` parse workers (:mod:`etstats.ingest.parse_pool`) the batches overlap:
batches N+1 to N+3 are read, their servers and known hashes are looked up, and their new
artifacts are queued for the workers **before** batch N is written (:data:`LOOK_AHEAD`);
while this process links, writes and commits batch N, the workers reconcile batch N's rounds
(ahead of any parsing: :mod:`etstats.ingest.work_queue`) and parse the next batches; what
they have not reached when this process needs it, this process takes back and does itself
(:mod:`etstats.ingest.reconcile_pool`). Every read and write of the store stays here and in the
same order, so the store is the same with or without workers. Without workers each batch is
read, parsed and written in turn.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from attrs import frozen

from etstats.errors import ParseError
from etstats.ingest.arrival_order import name_time
from etstats.ingest.artifacts import Artifact
from etstats.ingest.batch import (
    Progress,
    Ready,
    is_duplicate,
    known_of,
    parse_or_error,
    prepare,
    zones_of,
)
from etstats.ingest.batch_commit import StartedBatch, start_batch
from etstats.ingest.extract import ParsedArtifact
from etstats.ingest.parse_pool import ParsePool, Work
from etstats.ingest.reconcile_pool import reconciling_in
from etstats.ingest.work_queue import Task
from etstats.storage.base import ArtifactRecord, StorageTx

if TYPE_CHECKING:
    from etstats.ingest.pipeline import IngestResult, Pipeline


def ingest_stream(
    pipeline: Pipeline, artifacts: Iterable[Artifact], progress: Progress
) -> Iterator[IngestResult]:
    """Ingest ``artifacts`` batch by batch; yields each result after its batch committed."""
    return _stream(pipeline, _batches(artifacts, pipeline.batch_size), progress)


def rebuild_stream(pipeline: Pipeline, progress: Progress) -> Iterator[IngestResult]:
    """Re-ingest every archived artifact (the store was cleared), reading the archive one
    batch at a time in receipt order."""
    return _stream(pipeline, _archived_batches(pipeline), progress)


def _batches(artifacts: Iterable[Artifact], size: int) -> Iterator[list[Artifact]]:
    batch: list[Artifact] = []
    for artifact in artifacts:
        batch.append(artifact)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


ARCHIVE_WINDOW_BATCHES = 16
"""Batches of archive records (without their bytes: a few MB) that ``rebuild`` reads and
orders at a time (:func:`_in_ingest_order`; with the receipt second the page ended in held
over to the next: :func:`whole_seconds`)."""


def _archived_batches(pipeline: Pipeline) -> Iterator[list[Artifact]]:
    servers: dict[int, tuple[str, str]] = {}  # id -> (name, timezone)
    size = pipeline.batch_size
    for window in whole_seconds(_archive_pages(pipeline, size * ARCHIVE_WINDOW_BATCHES)):
        with pipeline.storage.transaction() as tx:
            for rec in window:
                if rec.server_id not in servers:
                    servers[rec.server_id] = (
                        _server_name(tx, rec.server_id),
                        tx.server_timezone(rec.server_id),
                    )
        ordered = _in_ingest_order(window, servers)
        del window
        for start in range(0, len(ordered), size):
            records = ordered[start : start + size]
            with pipeline.storage.transaction() as tx:
                data = tx.artifacts_data([rec.sha256 for rec in records])
            batch = [
                Artifact.from_bytes(
                    data[rec.sha256],
                    rec.name,
                    server=servers[rec.server_id][0],
                    received_at=datetime.fromtimestamp(rec.received_unix, UTC),
                )
                for rec in records
            ]
            del data
            yield batch


def whole_seconds(pages: Iterable[list[ArtifactRecord]]) -> Iterator[list[ArtifactRecord]]:
    """The archive's pages (in receipt order) as windows that each end at the end of a
    receipt second: a page's last second is held over and goes first in the next window.

    :func:`_in_ingest_order` orders a window by receipt second, then by the time in the
    names; a second cut in two by a page boundary was split by hash instead, and the batch
    after the cut held files of a couple of hundred different rounds, each linked and
    reconciled again (a 10,000-round rebuild: 1 s for that batch against 0.25 s, and 20 MB of
    lasting RSS, the rebuild's peak memory; docs/performance.md, "The rebuild's windows on
    receipt seconds"). A window is at most two pages: when one second fills a whole
    window it goes as it is (the order within it is then by page, as before)."""
    held: list[ArtifactRecord] = []
    for page in pages:
        window = held + page if held else page
        last = window[-1].received_unix
        cut = len(window)
        while cut and window[cut - 1].received_unix == last:
            cut -= 1
        if cut == 0:
            held = []
            yield window
        else:
            held = window[cut:]
            yield window[:cut]
    if held:
        yield held


def _in_ingest_order(
    records: list[ArtifactRecord], servers: dict[int, tuple[str, str]]
) -> list[ArtifactRecord]:
    """Archive records (in receipt order) in the order ``etstats ingest`` took them: by
    receipt second, then by the time in their names
    (:func:`etstats.ingest.arrival_order.name_time`; stable, untimed last).

    The archive is paged by receipt time and hash, and a receipt second holds one to three
    of ``etstats ingest``'s batches: in hash order a round's files fell into different
    batches and were linked and reconciled more than once (a 1,000-round season: 690 rounds
    twice). Reading :data:`ARCHIVE_WINDOW_BATCHES` batches of records at a time and putting
    them back in the ingest's order gives the ingest's batches again (8 rounds twice, as when
    they were ingested). The stored result is the same either way (ingestion converges);
    only the work differs."""

    def key(rec: ArtifactRecord) -> tuple[int, bool, int]:
        t = name_time(rec.name, servers[rec.server_id][1])
        return (rec.received_unix, t is None, t or 0)

    return sorted(records, key=key)


@frozen
class _Ahead:
    """A batch whose parsing was handed to the workers before the previous batch's write."""

    zones: dict[str, tuple[int, str]]
    known: dict[str, ArtifactRecord]
    positions: list[int]
    """The positions the workers parse (all but the plain duplicates)."""
    pool: ParsePool
    tasks: list[Task]


def _stream(
    pipeline: Pipeline, batches: Iterator[list[Artifact]], progress: Progress
) -> Iterator[IngestResult]:
    """:func:`_in_order` in the store's bulk-load mode (into an empty store the record
    indexes are built once at the end: :meth:`etstats.storage.base.Storage.bulk_load`)."""
    with pipeline.storage.bulk_load():
        yield from _in_order(pipeline, batches, progress)


LOOK_AHEAD = 3
"""Batches handed to the workers before the one being written: while this process writes
batch N they parse N+1 to N+3 whenever no reconciling of N is waiting, so they never run
out of work (with one batch ahead they idled while this process committed N and linked N+1;
with two, a worker freed of its pipe stalls could still finish N+2 before N was linked)."""


def _in_order(
    pipeline: Pipeline, batches: Iterator[list[Artifact]], progress: Progress
) -> Iterator[IngestResult]:
    """Run the batches in order. With ``pipeline.jobs`` workers, batches up to N+LOOK_AHEAD
    are read, looked up and queued for the workers before batch N is written (the first batch
    is parsed here while the workers start); the writes stay here, in order. No worker
    outlives the stream.

    Either way a batch's last writes and commit may still run (:func:`start_batch`) while
    the next batch is read, hashed and parsed; it is acknowledged, and its results yielded,
    once its commit succeeded, before the next batch's transaction opens."""
    previous = _Committing()
    try:
        if pipeline.jobs < 1:
            for batch in batches:
                ready = prepare(pipeline, batch)
                yield from previous.results()
                previous.start(pipeline, batch, ready, progress)
        else:
            yield from _with_workers(pipeline, batches, progress, previous)
    except Exception:
        # the input or the next batch failed while a batch committed: that batch is
        # acknowledged first (it was written before the failure), then the failure goes on
        yield from previous.results()
        raise
    except BaseException:  # interrupted: the commit is not left running, nor acknowledged
        previous.abandon()
        raise
    yield from previous.results()


class _Committing:
    """The batch whose commit may still be running (at most one)."""

    def __init__(self) -> None:
        self._started: StartedBatch | None = None

    def start(
        self, pipeline: Pipeline, batch: list[Artifact], ready: Ready | None, progress: Progress
    ) -> None:
        if self._started is not None:  # pragma: no cover - results() comes first
            raise RuntimeError("a batch started before the previous one was acknowledged")
        self._started = start_batch(pipeline, batch, ready, progress)

    def results(self) -> list[IngestResult]:
        """Wait for the commit and acknowledge the batch (:meth:`StartedBatch.finish`)."""
        started, self._started = self._started, None
        return [] if started is None else started.finish()

    def abandon(self) -> None:
        """Wait for the commit and acknowledge nothing (:meth:`StartedBatch.abandon`)."""
        started, self._started = self._started, None
        if started is not None:
            started.abandon()


def _with_workers(
    pipeline: Pipeline,
    batches: Iterator[list[Artifact]],
    progress: Progress,
    previous: _Committing,
) -> Iterator[IngestResult]:
    with ParsePool(pipeline.jobs) as pool:
        waiting: deque[tuple[list[Artifact], _Ahead | None]] = deque()
        while True:
            try:
                arrived = next(batches, None)
            except Exception:
                # The input failed while batches waited: write them first, as without
                # workers (where they were written before the next was read), then let the
                # failure through.
                while waiting:
                    yield from _write(pipeline, *waiting.popleft(), pool, progress, previous)
                raise
            if arrived is None:
                break
            # the first batch is parsed here while the workers start, unless they were
            # started early (every later one finds LOOK_AHEAD batches waiting): then it is
            # shared, the workers taking its chunks from the first as soon as they are up
            # and this process from the last when it comes to write it (ParsePool.results)
            ahead = _hand_over(pipeline, arrived, pool) if waiting or pool.started else None
            waiting.append((arrived, ahead))
            if len(waiting) > LOOK_AHEAD:
                yield from _write(pipeline, *waiting.popleft(), pool, progress, previous)
        while waiting:
            yield from _write(pipeline, *waiting.popleft(), pool, progress, previous)
        yield from previous.results()  # before the workers go


def _hand_over(pipeline: Pipeline, batch: list[Artifact], pool: ParsePool) -> _Ahead:
    with pipeline.storage.transaction() as tx:
        zones = zones_of(tx, pipeline, batch)
        known = known_of(tx, [a.sha256 for a in batch])
    positions = [i for i, a in enumerate(batch) if not is_duplicate(a, known.get(a.sha256))]
    work = [(batch[i], zones[batch[i].server][1]) for i in positions]
    return _Ahead(zones, known, positions, pool, pool.submit(work))


def _parse_here(pipeline: Pipeline, work: list[Work]) -> list[ParsedArtifact | ParseError]:
    """Parse in this process what the workers did not (taken back, or a worker died)."""
    return [parse_or_error(pipeline, artifact, timezone) for artifact, timezone in work]


def _write(
    pipeline: Pipeline,
    batch: list[Artifact],
    ahead: _Ahead | None,
    pool: ParsePool,
    progress: Progress,
    previous: _Committing,
) -> list[IngestResult]:
    """Collect the batch's models from the workers, acknowledge the previous batch (whose
    commit ran meanwhile), then write this one; its rounds are reconciled in the workers too,
    once they run (:mod:`etstats.ingest.reconcile_pool`). Returns the previous batch's
    results."""
    ready = _ready(pipeline, batch, ahead)
    done = previous.results()
    with reconciling_in(pool, {a.sha256: a.data for a in batch}):
        previous.start(pipeline, batch, ready, progress)
    return done


def _ready(pipeline: Pipeline, batch: list[Artifact], ahead: _Ahead | None) -> Ready | None:
    if ahead is None:  # the first batch: parsed in process while the workers start
        return None
    # taken back (or a worker died): parsed here, before the batch's transaction opens
    results = ahead.pool.results(ahead.tasks, lambda work: _parse_here(pipeline, work))
    parsed: list[ParsedArtifact | ParseError | None] = [None] * len(batch)
    for i, p in zip(ahead.positions, results, strict=True):
        parsed[i] = p
        if isinstance(p, ParsedArtifact):  # cached as Pipeline._parse would
            pipeline._remember(batch[i], p)
    return ahead.zones, parsed


def _archive_pages(pipeline: Pipeline, size: int) -> Iterator[list[ArtifactRecord]]:
    after: tuple[int, str] | None = None
    while True:
        records = pipeline.storage.artifacts_page(after, size)
        if not records:
            return
        yield records
        after = (records[-1].received_unix, records[-1].sha256)


def _server_name(tx: StorageTx, server_id: int) -> str:
    return tx.server_name(server_id) or "default"
