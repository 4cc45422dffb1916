"""``rebuild`` takes each page of the archive in the order ``etstats ingest`` takes files (by
the time in their names), so a store written by bulk ingestion is rebuilt with the same work
and the same round ids, not merely the same rounds."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etstats.hookspecs import hookimpl
from etstats.ingest import bulk_stream
from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.plugins import get_plugin_manager
from etstats.storage.base import ArtifactRecord, Storage
from etstats.storage.sqlite import SQLiteStorage
from etstats.storage.testing import snapshot
from etstats.testing.synthetic import season

BATCH = 16
"""Artifacts per batch: a 30-round season (90 files) spans six batches."""


class _Counter:
    def __init__(self) -> None:
        self.reconciled = 0

    @hookimpl
    def etstats_round_reconciled(self, result: Any) -> None:
        self.reconciled += 1


def _stamped(arts: list[Artifact]) -> list[Artifact]:
    """The artifacts as ``etstats ingest`` receives a folder: in name-time order, three
    batches read within each second (so the archive's receipt order within a second is the
    hashes', across batches)."""
    return [
        Artifact.from_bytes(
            a.data,
            a.name,
            server=a.server,
            received_at=datetime.fromtimestamp(1_800_000_000 + i // (3 * BATCH), UTC),
        )
        for i, a in enumerate(arts)
    ]


def _ids(store: Storage) -> list[tuple[int, str, int, int | None]]:
    return sorted((r.id, r.map_name, r.round_number, r.round_start_unix) for r in store.rounds())


@pytest.mark.parametrize("window_batches", [bulk_stream.ARCHIVE_WINDOW_BATCHES, 4])
def test_rebuild_reconciles_each_round_once_and_keeps_the_ids(
    store: Storage, window_batches: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the default window the whole season is one window; with 4 batches (64 records)
    the archive's pages end inside receipt seconds of 48 records, which must not split a
    second's files between two windows."""
    monkeypatch.setattr(bulk_stream, "ARCHIVE_WINDOW_BATCHES", window_batches)
    arts = _stamped(season(30))
    counter = _Counter()
    pm = get_plugin_manager([counter], load_entry_points=False)
    Pipeline(store, pm=pm, batch_size=BATCH).ingest_many(arts)
    ingested, ingest_work = snapshot(store), counter.reconciled
    before = _ids(store)
    first_id = before[0][0]

    counter.reconciled = 0
    summary = Pipeline(store, pm=pm, batch_size=BATCH).rebuild()

    assert summary.count("stored") == len(arts)
    assert snapshot(store) == ingested
    # No round is reconciled again in a later batch because its files were linked out of
    # turn (on a 1,000-round season in hash order 690 rounds were: docs/performance.md).
    assert counter.reconciled == ingest_work
    # The same rounds, created in the same order (PostgreSQL's sequence goes on counting
    # after the clear, so ids are compared from the first one).
    after = _ids(store)
    assert [(i - after[0][0], *rest) for i, *rest in after] == [
        (i - first_id, *rest) for i, *rest in before
    ]


def test_the_clear_leaves_no_reference_behind_and_keys_enforced(tmp_path: Path) -> None:
    """``rebuild``'s clear on SQLite runs with foreign keys off (so SQLite empties each table
    whole rather than collecting every row id first); afterwards nothing refers to a missing
    round and the keys are enforced again."""
    store = SQLiteStorage(str(tmp_path / "store.db"))
    Pipeline(store, batch_size=BATCH).ingest_many(_stamped(season(6)))
    store.clear_derived()
    conn = store.connection
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("SELECT COUNT(*) FROM weapon_stats").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM rounds").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM artifacts").fetchone()[0] == 18
    Pipeline(store, batch_size=BATCH).rebuild()
    assert len(store.rounds()) == 6
    store.close()


def _record(second: int, sha: str) -> ArtifactRecord:
    return ArtifactRecord(
        sha256=sha,
        kind="stats",
        name=f"{sha}.txt",
        server_id=1,
        size_bytes=0,
        received_unix=second,
        status="accepted",
    )


@given(
    seconds=st.lists(st.integers(1, 12), min_size=1, max_size=30),
    page=st.integers(1, 10),
)
def test_windows_end_at_receipt_seconds(seconds: list[int], page: int) -> None:
    """The archive's pages regrouped: nothing lost, nothing reordered, no window above two
    pages, and a second split between windows only when it alone fills a window."""
    records = [
        _record(second, f"{second:03d}-{k:03d}")
        for second, count in enumerate(seconds)
        for k in range(count)
    ]
    pages = [records[i : i + page] for i in range(0, len(records), page)]
    windows = list(bulk_stream.whole_seconds(pages))
    assert [r for w in windows for r in w] == records
    assert all(0 < len(w) <= 2 * page for w in windows)
    for before, after in pairwise(windows):
        if before[-1].received_unix == after[0].received_unix:
            assert {r.received_unix for r in before} == {before[-1].received_unix}
