"""Round linking: UTC offset inference, exact keys, ambiguity, unmatched artifacts."""

from __future__ import annotations

import calendar
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etstats.reconciliation import load_paths, reconcile
from etstats.reconciliation.matching import RoundKey, infer_offsets, link_lua, local_epoch
from etstats.testing.reconcile_truth import simulate

from .conftest import Writer


@pytest.mark.parametrize("offset", [-8 * 3600, 0, 3600, 19800, 12 * 3600 + 2700])
def test_offset_is_inferred_and_rounds_linked(offset: int) -> None:
    lua = [RoundKey("supply", 1, 1_770_000_000.0 + 3000 * i) for i in range(4)]
    stats = [RoundKey("SUPPLY", 1, k.time + offset + 3) for k in lua]
    assert infer_offsets(stats, lua)[0] == offset
    got = link_lua(stats, lua)
    assert got.links == {i: (i, 3.0) for i in range(4)}
    assert got.offset_source == "inferred"


def test_daylight_saving_change_keeps_both_offsets() -> None:
    lua = [RoundKey("goldrush", 1, 1_770_000_000.0 + 3000 * i) for i in range(8)]
    stats = [
        RoundKey("goldrush", 1, k.time + (3600 if i < 4 else 7200) + 3) for i, k in enumerate(lua)
    ]
    got = link_lua(stats, lua)
    assert set(got.offsets) == {3600, 7200}
    assert len(got.links) == 8


def test_two_candidates_are_reported_never_guessed() -> None:
    lua = [RoundKey("supply", 1, 1_770_000_000.0), RoundKey("supply", 1, 1_770_000_001.0)]
    stats = [RoundKey("supply", 1, 1_770_000_000.0 + 3600 + 4)]
    got = link_lua(stats, lua, offsets=[3600])
    assert got.links == {}
    assert got.ambiguous_stats == {0: (0, 1)}


def test_outside_the_lag_window_is_not_linked() -> None:
    lua = [RoundKey("supply", 1, 1_770_000_000.0)]
    stats = [RoundKey("supply", 1, 1_770_000_000.0 + 3600 + 20)]
    assert link_lua(stats, lua, offsets=[3600]).links == {}
    # map and round are part of the key
    assert link_lua([RoundKey("supply", 2, 1_770_003_603.0)], lua, offsets=[3600]).links == {}


def test_files_end_to_end_with_unmatched_and_configured_offset(
    write_round: Writer, tmp_path: Path
) -> None:
    a = simulate(1, map_name="supply", start_unix=1_770_000_000, utc_offset_s=7200)
    b = simulate(2, map_name="goldrush", start_unix=1_770_010_000, utc_offset_s=7200)
    write_round(a)
    files = write_round(b)
    files[1].unlink()  # goldrush has no Lua file
    lone = simulate(3, map_name="radar", start_unix=1_770_020_000, utc_offset_s=7200)
    write_round(lone)
    next(tmp_path.glob("*radar-round-1.txt")).unlink()  # radar has no stats file
    artifacts, problems = load_paths([tmp_path])
    assert problems == []
    report = reconcile(artifacts)
    assert report.utc_offset_seconds == (7200,)
    linked = {r.map: r.lua for r in report.rounds}
    assert linked["supply"] is not None
    assert linked["goldrush"] is None
    assert {(u.kind, u.map) for u in report.unmatched} == {
        ("stats", "goldrush"),
        ("gametimes", "radar"),
    }
    wrong = reconcile(artifacts, utc_offset_seconds=0)
    assert wrong.offset_source == "configured"
    assert all(r.lua is None for r in wrong.rounds if r.stats)


@given(ts=st.datetimes(timezones=st.none() | st.timezones()))
def test_local_epoch_reads_the_wall_clock_as_utc(ts: datetime) -> None:
    # the fast path (datetime arithmetic) equals the time-tuple definition, tzinfo ignored
    assert local_epoch(ts) == float(calendar.timegm(ts.timetuple())) + ts.microsecond / 1e6
