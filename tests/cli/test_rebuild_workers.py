"""``etstats rebuild --jobs N`` starts its workers before the store's clear (as ``etstats
ingest`` does for more than a batch of files), and its stream takes them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from etstats.cli import cmd_ingest, cmd_rebuild, main
from etstats.ingest.pipeline import Pipeline
from etstats.ingest.worker_processes import started_early, take_early
from etstats.storage.sqlite import SQLiteStorage
from etstats.storage.testing import snapshot
from etstats.testing.synthetic import season


@pytest.mark.parametrize("rounds", [90, 20])
def test_rebuild_starts_its_workers_early_for_more_than_a_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rounds: int
) -> None:
    monkeypatch.delenv("ETSTATS_JOBS", raising=False)
    db = str(tmp_path / "store.db")
    store = SQLiteStorage(db)
    Pipeline(store).ingest_many(season(rounds))  # three files a round
    before = snapshot(store, with_received=False)
    store.close()
    seen: list[tuple[int, bool]] = []  # (jobs started early, taken by the rebuild's pool)

    @contextmanager
    def watched(jobs: int) -> Iterator[None]:
        with started_early(jobs):
            yield
            seen.append((jobs, jobs > 0 and take_early(jobs) is None))

    monkeypatch.setattr(cmd_rebuild, "started_early", watched)
    assert main(["rebuild", "--db", db, "--jobs", "1"]) == 0
    if 3 * rounds > cmd_ingest.EARLY_WORKERS_FILES:
        assert seen == [(1, True)]
    else:
        assert seen == [(0, False)]  # a small store: no workers before the clear
    store = SQLiteStorage(db)
    assert snapshot(store, with_received=False) == before
    store.close()
