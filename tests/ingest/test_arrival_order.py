"""``etstats ingest`` takes a round's files together (by the time in their names), whatever
folders they sit in; names without a time keep their order, last."""

from __future__ import annotations

from pathlib import Path

from etstats.ingest.arrival_order import arrival_order, name_time


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
