"""The stats parser on every real c0rnp0rn file in ../shared/real_stats (215 files).

Numbers pinned here were observed on this corpus (the spec's section 6 counts were taken on a
larger set of 291 files, so some differ: e.g. 26 dead > played lines among this corpus's 1,351
38-field lines, where the spec counts 31 of 1,609).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from etstats.model.common import Severity
from etstats.model.stats import StatsRound
from etstats.parsing.filenames import parse_stats_filename
from etstats.parsing.stats_file import parse_stats_bytes, parse_stats_file
from etstats.render.stats_file import render_stats_bytes, render_stats_round

# every test with the stats parser's fast paths and without
pytestmark = [pytest.mark.corpus, pytest.mark.usefixtures("parser_mode")]

# Findings per code on the whole corpus (stable: a change means the parser's reading changed).
EXPECTED_CODES = {
    ("dpm-always-zero", Severity.INFO): 215,
    ("bullets-unreliable", Severity.INFO): 19,  # every 33/36/37-field file
    ("denied-time-unreliable", Severity.WARNING): 4,  # every 36-field file
    ("dead-time-exceeds-played", Severity.WARNING): 29,
    ("dead-ratio-over-100", Severity.WARNING): 29,
    ("kd-ratio-inconsistent", Severity.INFO): 12,
    ("r2-clock-unusable", Severity.WARNING): 3,
}


@pytest.fixture(scope="module")
def parsed(real_stats_files: list[Path]) -> dict[str, StatsRound]:
    assert len(real_stats_files) == 215
    return {p.name: parse_stats_file(p) for p in real_stats_files}


@pytest.fixture(scope="module")
def manifest(real_stats_dir: Path) -> dict[str, dict[str, str]]:
    with open(real_stats_dir / "MANIFEST.tsv", encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {Path(r["dest_file"]).name: r for r in rows if r["category"] == "c0rnp0rn"}


def test_every_file_parses_and_renders_back_byte_exact(real_stats_files: list[Path]) -> None:
    for path in real_stats_files:
        data = path.read_bytes()
        rnd = parse_stats_bytes(data, source=path.name)
        assert render_stats_bytes(rnd) == data.replace(b"\r\n", b"\n"), path.name
        assert render_stats_round(rnd).encode("utf-8") == data.replace(b"\r\n", b"\n")


def test_layouts_match_the_manifest(
    parsed: dict[str, StatsRound], manifest: dict[str, dict[str, str]]
) -> None:
    assert set(parsed) == set(manifest)
    for name, rnd in parsed.items():
        row = manifest[name]
        assert rnd.header.field_count == int(row["header_fields"]), name
        assert len(rnd.players) == int(row["player_lines"]), name
        layouts = {p.tab.layout for p in rnd.players if p.tab is not None}
        assert layouts == {int(n) for n in row["extended_field_counts"].split(",")}, name
        assert all(p.tab is not None for p in rnd.players), name


def test_layout_counts(parsed: dict[str, StatsRound]) -> None:
    files = Counter(r.tab_layout for r in parsed.values())
    assert files == {33: 5, 36: 4, 37: 10, 38: 196}
    lines = Counter(p.tab.layout for r in parsed.values() for p in r.players if p.tab)
    assert lines[38] == 1351
    assert sum(lines.values()) == 1478


def test_provenance_comes_from_the_iamez_prefixed_names(parsed: dict[str, StatsRound]) -> None:
    for name, rnd in parsed.items():
        assert rnd.provenance is not None
        fn = parse_stats_filename(name)
        assert fn is not None
        assert fn.prefix == "iamez_"
        assert rnd.provenance.file_round == rnd.header.round_number == fn.round_number
        assert rnd.provenance.file_map == rnd.header.map_name
        assert rnd.provenance.file_timestamp == fn.timestamp
        assert len(rnd.provenance.sha256) == 64


def test_invariants_hold_on_real_data(parsed: dict[str, StatsRound]) -> None:
    for name, rnd in parsed.items():
        for p in rnd.players:
            assert len(p.guid) == 8, name
            assert p.guid == p.guid.upper(), name
            assert p.team in (1, 2, 3)
            for w in p.weapons:
                assert w.headshots <= w.hits, (name, p.line, w.name)
            assert p.tab is not None
            if p.tab.layout == 38:
                assert p.tab.bullets_fired == p.shots, (name, p.line)
            assert p.tab.dpm == 0.0


def test_findings_per_code_are_stable(parsed: dict[str, StatsRound]) -> None:
    counts = Counter((f.code, f.severity) for r in parsed.values() for f in r.findings)
    assert dict(counts) == EXPECTED_CODES
    # no error-severity finding anywhere in the real corpus
    assert not [f for r in parsed.values() for f in r.findings if f.severity is Severity.ERROR]


def test_dead_time_overcount_on_38_field_lines(parsed: dict[str, StatsRound]) -> None:
    lines = [
        (name, f.line)
        for name, r in parsed.items()
        for f in r.findings
        if f.code == "dead-time-exceeds-played" and r.tab_layout == 38
    ]
    assert len(lines) == 26


def test_sp_delivery_round2_has_the_garbage_clock(parsed: dict[str, StatsRound]) -> None:
    rnd = parsed["iamez_2025-10-26-200001-etl_sp_delivery-round-2.txt"]
    assert rnd.header.clock_seconds == 71 * 60 + 5
    assert rnd.header.time_limit_seconds == 12 * 60
    clock = [f for f in rnd.findings if f.code == "r2-clock-unusable"]
    assert len(clock) == 1
    assert clock[0].field == "f8"
    assert clock[0].actual == "71:05"
    # the other two are early-2025 R2 files written with a reset 0:00 clock
    zero = sorted(
        name
        for name, r in parsed.items()
        for f in r.findings
        if f.code == "r2-clock-unusable" and f.actual == "0:00"
    )
    assert zero == [
        "iamez_2025-01-06-221847-supply-round-2.txt",
        "iamez_2025-01-10-221224-etl_adlernest-round-2.txt",
    ]


def test_round1_outcome_rule_holds(parsed: dict[str, StatsRound]) -> None:
    for name, rnd in parsed.items():
        h = rnd.header
        if rnd.round_number != 1:
            continue
        assert h.clock_seconds is not None
        assert h.time_limit_seconds is not None
        if h.winner_team == h.defender_team:
            assert h.clock_seconds == h.time_limit_seconds, name
        else:
            assert h.clock_seconds < h.time_limit_seconds, name
