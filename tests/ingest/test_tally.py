"""The bulk commands' running tally counts the rounds written in a bitmap, like a set."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from etstats.cli.cmd_ingest import heap_trimmer
from etstats.ingest.pipeline import IngestResult
from etstats.ingest.tally import IdSet, IngestTally


@given(st.lists(st.integers(min_value=0, max_value=3 * IdSet.BLOCK), max_size=200))
def test_id_set_counts_as_a_set_does(values: list[int]) -> None:
    ids = IdSet()
    ids.update(values)
    assert len(ids) == len(set(values))
    assert all(v in ids for v in values)
    assert all(v not in ids for v in range(0, 3 * IdSet.BLOCK, 997) if v not in set(values))


def test_tally_counts_rounds_once() -> None:
    tally = IngestTally()
    for ids in ((1, 2), (2, 3), (), (70_000,)):
        tally.add(IngestResult("s", "n", "stats", "stored", None, ids))
    tally.add(IngestResult("t", "m", "stats", "rejected", "bad", ()))
    assert tally.rounds_touched == 4
    assert tally.count("stored") == 4
    assert tally.errors == ["bad"]


def test_heap_trimmer_is_harmless() -> None:
    trim = heap_trimmer()
    trim()
    trim()
