"""A bulk batch's last writes and commit run behind on PostgreSQL while the next batch is read
and parsed (:mod:`etstats.ingest.batch_commit`): the overlap really happens, a batch is
acknowledged only once its commit succeeded, and a commit the server refuses acknowledges
nothing of its batch, raises, and leaves a store that running the batch again completes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.ingest.test_faults import one_by_one_state

from etstats.errors import StorageError
from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import IngestResult, Pipeline
from etstats.storage.testing import snapshot
from etstats.testing.synthetic import season

pytestmark = pytest.mark.pg

BATCH = 6  # two rounds of season(): stats, Lua and endstats files each


@pytest.fixture
def pg_store(pg_dsn: str) -> Iterator[Any]:
    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.testing import pg_database

    with pg_database(pg_dsn) as url:
        store = PostgresStorage(url, max_size=2)
        try:
            yield store
        finally:
            store.close()


@pytest.mark.parametrize("jobs", [0, 1])
def test_the_next_batch_is_read_while_the_previous_commits(
    pg_store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """The first batch's commit waits (in its last write) until the input is read past what
    was read before that commit began (the second batch without workers, the fourth with
    them: :data:`etstats.ingest.bulk_stream.LOOK_AHEAD`): possible only if the commit runs
    behind. Each batch is acknowledged only after its commit, and the store is the one-by-one
    store."""
    arts = season(8)
    read_on = threading.Event()
    waited: list[bool] = []
    first_unread = BATCH if jobs == 0 else 3 * BATCH

    def artifacts() -> Iterator[Artifact]:
        for i, a in enumerate(arts):
            if i == first_unread:
                read_on.set()
            yield a

    enqueue = Pipeline._enqueue

    def slow_enqueue(self: Pipeline, tx: Any, round_ids: Any) -> None:
        if not waited:  # the first batch's commit, in its thread
            waited.append(read_on.wait(30))  # a safeguard, not a timing assertion
        enqueue(self, tx, round_ids)

    monkeypatch.setattr(Pipeline, "_enqueue", slow_enqueue)
    stored_at_ack: list[int] = []

    def progress(result: IngestResult) -> None:
        stored_at_ack.append(len(pg_store.artifacts()))

    Pipeline(pg_store, batch_size=BATCH, jobs=jobs).ingest_many(artifacts(), progress=progress)
    assert waited == [True]
    assert stored_at_ack == [n for n in (6, 12, 18, 24) for _ in range(BATCH)]
    assert snapshot(pg_store) == one_by_one_state(tmp_path, arts)


@pytest.mark.parametrize("jobs", [0, 1])
def test_a_refused_commit_acknowledges_nothing_of_its_batch(
    pg_store: Any, tmp_path: Path, jobs: int
) -> None:
    """A deferred constraint trigger refuses the second batch at its COMMIT: the ingest raises,
    the first batch alone is stored and acknowledged, and running the input again completes
    the store."""
    arts = season(6)
    with pg_store.transaction() as tx:
        tx.execute(
            "CREATE FUNCTION refuse_second_batch() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF (SELECT count(*) FROM rounds) > 2 THEN "
            "RAISE EXCEPTION 'refused at commit'; END IF; RETURN NULL; END $$"
        )
        tx.execute(
            "CREATE CONSTRAINT TRIGGER refuse_second_batch AFTER INSERT ON rounds "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_second_batch()"
        )
    acknowledged: list[str] = []
    pipeline = Pipeline(pg_store, batch_size=BATCH, jobs=jobs)
    with pytest.raises(StorageError, match="refused at commit"):
        pipeline.ingest_many(arts, progress=lambda r: acknowledged.append(r.sha256))
    first = {a.sha256 for a in arts[:BATCH]}
    assert set(acknowledged) == first
    assert {a.sha256 for a in pg_store.artifacts()} == first
    with pg_store.transaction() as tx:
        tx.execute("DROP TRIGGER refuse_second_batch ON rounds")
    Pipeline(pg_store, batch_size=BATCH, jobs=jobs).ingest_many(arts)
    assert snapshot(pg_store) == one_by_one_state(tmp_path, arts)
