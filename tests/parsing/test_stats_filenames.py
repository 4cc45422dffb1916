"""File names: stats and endstats names, the `iamez_`-style prefix, invalid dates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from etstats.parsing.filenames import (
    is_endstats_filename,
    is_stats_filename,
    parse_stats_filename,
)


def test_stats_name_as_the_server_writes_it() -> None:
    fn = parse_stats_filename("2025-10-14-212214-etl_adlernest-round-1.txt")
    assert fn is not None
    assert fn.timestamp == datetime(2025, 10, 14, 21, 22, 14)
    assert fn.timestamp.tzinfo is None
    assert fn.map_name == "etl_adlernest"
    assert fn.round_number == 1
    assert not fn.is_endstats
    assert fn.prefix == ""


def test_endstats_name() -> None:
    fn = parse_stats_filename("2026-01-12-224606-te_escape2-round-2-endstats.txt")
    assert fn is not None
    assert fn.is_endstats
    assert fn.round_number == 2
    assert fn.map_name == "te_escape2"
    assert is_endstats_filename("2026-01-12-224606-te_escape2-round-2-endstats.txt")
    assert not is_stats_filename("2026-01-12-224606-te_escape2-round-2-endstats.txt")


@pytest.mark.parametrize(
    ("name", "prefix", "map_name"),
    [
        ("iamez_2025-10-14-212214-etl_adlernest-round-2.txt", "iamez_", "etl_adlernest"),
        ("1699999999-2025-10-14-212214-supply-round-1.txt", "1699999999-", "supply"),
        ("2025-10-14-212214-map-with-dashes-round-1.txt", "", "map-with-dashes"),
    ],
)
def test_prefixes_and_dashed_maps(name: str, prefix: str, map_name: str) -> None:
    fn = parse_stats_filename(name)
    assert fn is not None
    assert fn.prefix == prefix
    assert fn.map_name == map_name


def test_paths_use_the_base_name_only() -> None:
    fn = parse_stats_filename(Path("/srv/x/2024-09-12-174949-supply-round-2.txt"))
    assert fn is not None
    assert fn.map_name == "supply"
    fn2 = parse_stats_filename("C:\\gamestats\\2024-09-12-174949-supply-round-2.txt")
    assert fn2 == fn


@pytest.mark.parametrize(
    "name",
    [
        "2025-13-14-212214-supply-round-1.txt",  # month 13
        "2025-02-30-212214-supply-round-1.txt",  # 30 February
        "2025-10-14-246000-supply-round-1.txt",  # hour 24
        "2025-10-14-212214-supply-round-0.txt",  # round 0
        "2025-10-14-212214-supply-round-1_ws.txt",  # sidecar
        "2025-10-14-212214-supply-round-1.json",
        "2025-10-14-212214--round-1.txt",  # no map
        "gametime-supply-R1-1760000000.json",
        "",
    ],
)
def test_names_that_are_not_stats_files(name: str) -> None:
    assert parse_stats_filename(name) is None
    assert not is_stats_filename(name)
