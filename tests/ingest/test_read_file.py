"""``read_regular_file``: the bytes of a file up to a limit, whatever its size, including a file
whose size ``fstat`` understates (it grew since, or a file system that reports 0)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etstats.file_bytes import READ_CHUNK_BYTES
from etstats.ingest.artifacts import read_regular_file


@settings(max_examples=60, deadline=None)
@given(
    size=st.one_of(
        st.integers(0, 64),
        st.sampled_from([READ_CHUNK_BYTES - 1, READ_CHUNK_BYTES, READ_CHUNK_BYTES + 1]),
        st.integers(0, 3 * READ_CHUNK_BYTES),
    ),
    slack=st.integers(-70_000, 70_000),
)
def test_a_file_reads_whole_up_to_the_limit(size: int, slack: int) -> None:
    data = os.urandom(size)
    limit = max(0, size + slack)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.txt"
        path.write_bytes(data)
        assert read_regular_file(path, limit) == data[:limit]


PROC_CMDLINE = Path("/proc/self/cmdline")


@pytest.mark.skipif(not PROC_CMDLINE.exists(), reason="needs Linux procfs")
def test_a_file_longer_than_its_stat_size_is_read_to_its_end() -> None:
    """procfs reports 0 bytes for ``cmdline``: the first read (1 byte) is short, the rest
    comes in further reads, none of it lost."""
    assert PROC_CMDLINE.stat().st_size == 0
    whole = PROC_CMDLINE.read_bytes()
    assert len(whole) > 1
    assert read_regular_file(PROC_CMDLINE, 1 << 20) == whole
    assert read_regular_file(PROC_CMDLINE, 5) == whole[:5]
