"""Every ``parse_*_file`` refuses a file past its parser's size limit with a ParseError that
names the file and both sizes, after reading one byte past the limit: a sparse 1 GiB file
must not be read into memory (it would be, whole, by ``read_bytes()``)."""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from etstats.errors import ParseError
from etstats.parsing.endstats import MAX_ENDSTATS_BYTES, parse_endstats_bytes, parse_endstats_file
from etstats.parsing.gametimes import parse_any_gametimes_file, parse_gametimes_file
from etstats.parsing.jsontext import MAX_JSON_BYTES
from etstats.parsing.legacy_gametimes import parse_legacy_gametimes_file
from etstats.parsing.stats_file import MAX_STATS_BYTES, parse_stats_file

GIB = 1 << 30

PARSERS: list[tuple[Callable[[Path], Any], int, str]] = [
    (parse_stats_file, MAX_STATS_BYTES, "2026-01-12-224606-te_escape2-round-2.txt"),
    (parse_endstats_file, MAX_ENDSTATS_BYTES, "2026-01-12-224606-te_escape2-round-2-endstats.txt"),
    (parse_gametimes_file, MAX_JSON_BYTES, "gametimes-1.json"),
    (parse_any_gametimes_file, MAX_JSON_BYTES, "gametimes-2.json"),
    (parse_legacy_gametimes_file, MAX_JSON_BYTES, "gametimes-3.json"),
]


@pytest.mark.parametrize(
    ("parse", "limit", "name"), PARSERS, ids=lambda p: getattr(p, "__name__", "")
)
def test_a_huge_file_is_refused_without_reading_it_whole(
    tmp_path: Path, parse: Callable[[Path], Any], limit: int, name: str
) -> None:
    path = tmp_path / name
    with path.open("wb") as handle:
        handle.truncate(GIB)  # sparse: no disk used, reads return zeros
    tracemalloc.start()
    try:
        with pytest.raises(ParseError, match="file too large") as info:
            parse(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert name in info.value.source
    assert info.value.expected == f"<= {limit} bytes"
    assert info.value.actual == f"more than {limit} bytes"
    assert peak < 3 * limit  # the bounded read, not the 1 GiB


@pytest.mark.parametrize(
    ("parse", "limit", "name"), PARSERS, ids=lambda p: getattr(p, "__name__", "")
)
def test_a_missing_file_names_its_path(
    tmp_path: Path, parse: Callable[[Path], Any], limit: int, name: str
) -> None:
    with pytest.raises(ParseError, match="cannot read file") as info:
        parse(tmp_path / name)
    assert info.value.source.endswith(name)


def test_endstats_bytes_past_the_limit_are_refused() -> None:
    data = b"x" * (MAX_ENDSTATS_BYTES + 1)
    with pytest.raises(ParseError, match="file too large") as info:
        parse_endstats_bytes(data, path="/srv/stats/big-round-1-endstats.txt")
    assert info.value.source == "big-round-1-endstats.txt"
    assert info.value.actual == f"{MAX_ENDSTATS_BYTES + 1} bytes"


def test_a_file_at_the_limit_is_read(tmp_path: Path) -> None:
    """Exactly the limit is accepted by the read (the parser then judges the content)."""
    path = tmp_path / "at-limit-round-1-endstats.txt"
    path.write_bytes(b"\n" * MAX_ENDSTATS_BYTES)
    rnd = parse_endstats_file(path)
    assert rnd.provenance is not None
    assert rnd.provenance.size_bytes == MAX_ENDSTATS_BYTES
    assert os.path.getsize(path) == MAX_ENDSTATS_BYTES
