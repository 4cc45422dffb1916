"""A bulk batch from its body to its acknowledgement: :func:`start_batch` writes the batch
(:func:`etstats.ingest.batch.write_batch`) and returns while its last writes and its commit
may still run behind (on PostgreSQL, in a thread: :class:`etstats.ingest.alongside.Behind`),
so that :mod:`etstats.ingest.bulk_stream` reads, hashes and parses the next batch meanwhile;
:meth:`StartedBatch.finish` waits for the commit and only then acknowledges the batch (hooks,
deliveries, ``progress``). A batch that failed, in its body or at its commit, was rolled back
and is acknowledged by nothing: its failure is raised, or, if one artifact the store refuses
caused it, the batch is taken one by one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from etstats.ingest.alongside import Behind
from etstats.ingest.artifacts import Artifact
from etstats.ingest.batch import Progress, Ready, write_batch
from etstats.ingest.rejection import is_artifact_failure, mark_rejected

if TYPE_CHECKING:
    from etstats.ingest.pipeline import IngestResult, Pipeline, _Notify

log = logging.getLogger(__name__)


class StartedBatch:
    """A batch written up to its commit (which may still be running)."""

    def __init__(
        self,
        pipeline: Pipeline,
        batch: list[Artifact],
        progress: Progress,
        committing: Behind | None,
        outcome: list[tuple[IngestResult, _Notify | None]],
    ) -> None:
        self._pipeline = pipeline
        self._batch = batch
        self._progress = progress
        self._committing = committing
        self._outcome = outcome

    def finish(self) -> list[IngestResult]:
        """Wait for the commit, then acknowledge the batch and return its results (or raise
        the commit's failure, or take the batch one by one: :func:`start_batch`)."""
        if self._committing is not None:
            try:
                self._committing.wait()
            except Exception as exc:
                return _after_failure(self._pipeline, self._batch, exc, self._progress)
        for result, note in self._outcome:
            if note is not None:
                self._pipeline._notify(note)
            if self._progress is not None:
                self._progress(result)
        return [result for result, _ in self._outcome]

    def abandon(self) -> None:
        """Wait for the commit and acknowledge nothing (the process is being interrupted:
        what the commit stored is stored, and running the input again finds it)."""
        if self._committing is not None:
            self._committing.wait_quietly()


def start_batch(
    pipeline: Pipeline, batch: list[Artifact], ready: Ready | None, progress: Progress
) -> StartedBatch:
    """Write one batch in one transaction (``ready``: its servers and models, parsed ahead by
    :mod:`etstats.ingest.bulk_stream`); its commit may still run when this returns. Call
    :meth:`StartedBatch.finish` before the next batch's transaction opens (it reads what this
    one wrote)."""
    try:
        committing, outcome = write_batch(pipeline, batch, ready)
    except Exception as exc:  # rolled back: nothing to wait for
        results = _after_failure(pipeline, batch, exc, progress)
        return StartedBatch(pipeline, batch, None, None, [(r, None) for r in results])
    return StartedBatch(pipeline, batch, progress, committing, outcome)


def _after_failure(
    pipeline: Pipeline, batch: list[Artifact], exc: Exception, progress: Progress
) -> list[IngestResult]:
    """The batch was rolled back by ``exc``: raise it again, unless one artifact the store
    refuses caused it; then take the batch one by one, so that artifact alone is archived as
    rejected (:meth:`Pipeline.ingest`)."""
    if not is_artifact_failure(exc):
        raise exc  # the store's state (connection, disk): the batch is not kept, run it again
    log.warning("batch of %d rolled back (%s); ingesting it one by one", len(batch), exc)
    results = []
    for artifact in batch:
        results.append(_one(pipeline, artifact))
        if progress is not None:
            progress(results[-1])
    return results


def _one(pipeline: Pipeline, artifact: Artifact) -> IngestResult:
    """One artifact in its own transaction. A new one goes through :meth:`Pipeline.ingest`
    (a refused artifact is archived as rejected); one archived but not processed yet
    (``rebuild``, or a run that crashed) is marked rejected if the store refuses it."""
    from etstats.ingest.pipeline import IngestResult

    with pipeline.storage.transaction() as tx:
        known = tx.get_artifact(artifact.sha256)
    if known is None or known.status != "pending":
        return pipeline.ingest(artifact)
    pipeline._pending_note = None
    try:
        with pipeline.storage.transaction() as tx:
            result = pipeline._ingest_tx(tx, artifact)
            if pipeline._pending_note is not None:
                pipeline._enqueue(tx, pipeline._pending_note.round_ids)
    except Exception as exc:
        if not is_artifact_failure(exc):
            raise
        pipeline._cache.pop((artifact.sha256, artifact.name), None)
        reason = mark_rejected(pipeline.storage, known, exc)
        return IngestResult(known.sha256, known.name, known.kind, "rejected", reason)
    note, pipeline._pending_note = pipeline._pending_note, None
    if note is not None:
        pipeline._notify(note)
    return result
