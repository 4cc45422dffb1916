"""``etstats ingest`` takes a round's files together (by the time in their names), whatever
folders they sit in; names without a time keep their order, last. The bounded sort
(:class:`ArrivalSort`, what the command uses) gives exactly that order."""

from __future__ import annotations

import itertools
import random
import tracemalloc
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etstats.artifacts import name_stamp
from etstats.ingest.arrival_order import ArrivalSort, arrival_order, name_time
from etstats.ingest.artifacts import file_time, iter_artifact_paths, walk_artifact_files


def test_a_rounds_files_come_together() -> None:
    paths = [
        Path(p)
        for p in (
            "gamestats/2026-01-01-100003-supply-round-1.txt",
            "gamestats/2026-01-01-101503-supply-round-2.txt",
            "gamestats/2026-01-01-100001-supply-round-1-endstats.txt",
            "notes.txt",
            "gametimes/gametime-supply-R1-1767261600.json",
            "gametimes/etstats-supply-R2-1767262500-1.json",
            "other.json",
        )
    ]
    ordered = [p.name for p in arrival_order(paths)]
    assert ordered == [
        "gametime-supply-R1-1767261600.json",  # 10:00:00 UTC, the Lua round end
        "2026-01-01-100001-supply-round-1-endstats.txt",
        "2026-01-01-100003-supply-round-1.txt",
        "etstats-supply-R2-1767262500-1.json",
        "2026-01-01-101503-supply-round-2.txt",
        "notes.txt",
        "other.json",
    ]


def test_stats_names_are_read_in_the_servers_timezone() -> None:
    name = "2026-07-01-120000-supply-round-1.txt"
    assert name_time(name, "Europe/Berlin") == name_time(name) - 2 * 3600  # type: ignore[operator]
    assert name_time(name, "No/Such_Zone") == name_time(name)
    assert name_time("2026-13-45-999999-x-round-1.txt") is None


def _tree(root: Path, rng: random.Random, files: int) -> list[str]:
    """A folder tree of timed and untimed artifact names (some sharing a time, some in
    sub-folders whose names sort differently as text and as paths), plus explicit files."""
    folders = ["", "a", "a-b", "a/b", "a.b/c", "gametimes", "z"]
    for i in range(files):
        folder = root / rng.choice(folders)
        folder.mkdir(parents=True, exist_ok=True)
        second = rng.randrange(0, 40)  # few distinct times: many ties
        name = rng.choice(
            [
                f"2026-01-01-1000{second:02d}-supply-round-{i % 2 + 1}.txt",
                f"2026-01-01-1000{second:02d}-supply-round-1-endstats.txt",
                f"gametime-supply-R1-{1767261600 + second}.json",
                f"notes-{i}.txt",
                f"x{i}\nline.json",  # any name survives a spill
            ]
        )
        (folder / f"{i:03d}{name}" if rng.random() < 0.5 else folder / name).write_bytes(b"")
    return [str(root / "a"), str(root), str(root / "z" / "none.txt"), str(root / "gametimes")]


@pytest.mark.parametrize("run_files", [1, 3, 50, 10_000])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_bounded_sort_keeps_the_listed_order(tmp_path: Path, run_files: int, seed: int) -> None:
    given = _tree(tmp_path, random.Random(seed), 120)
    before = [str(p) for p in arrival_order(list(iter_artifact_paths(given)), "Europe/Berlin")]
    with ArrivalSort("Europe/Berlin", run_files=run_files) as files:
        for group, path in walk_artifact_files(given):
            files.add(group, path)
        assert files.count == len(before)
        assert list(files) == before
    assert len(before) > 120  # folders given twice (root and its sub-folders) list files twice


def test_the_bounded_sort_holds_one_run_of_paths() -> None:
    """Memory (not time): sorting 20,000 paths keeps about one run of them in memory, a
    fraction of what the paths take as a list of ``Path`` objects."""
    paths = [
        f"/srv/et/backfill/{i % 97:04d}/gametime-supply-R{i % 2 + 1}-"
        f"{1767261600 + i * 7919 % 20011}.json"
        for i in range(20_000)
    ]
    tracemalloc.start()
    try:
        with ArrivalSort(run_files=1_000) as files:
            for path in paths:
                files.add(0, path)
            merged = iter(files)
            ordered = list(itertools.islice(merged, 3))
            count = len(ordered) + sum(1 for _ in merged)
        _, sorted_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        as_paths = [Path(p) for p in paths]
        _, list_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == len(as_paths)
    assert ordered == sorted(paths, key=lambda p: name_time(p) or 0)[:3]
    assert sorted_peak < 2**20
    assert sorted_peak * 5 < list_peak


@given(
    st.tuples(
        st.integers(0, 9999),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 99),
    )
)
def test_a_names_stamp_reads_as_strptime_reads_it(
    parts: tuple[int, int, int, int, int, int],
) -> None:
    """The stamp of a stats or endstats name (``YYYY-MM-DD-HHMMSS``) is the time
    ``strptime`` gives, and ``None`` where ``strptime`` refuses it (month 13, 30 February,
    hour 24, second 60, year 0)."""
    year, month, day, hour, minute, second = parts
    text = f"{year:04d}-{month:02d}-{day:02d}-{hour:02d}{minute:02d}{second:02d}"
    try:
        expected: datetime | None = datetime.strptime(text, "%Y-%m-%d-%H%M%S")
    except ValueError:
        expected = None
    assert name_stamp(text) == expected
    assert file_time(f"{text}-supply-round-1.txt") == expected
