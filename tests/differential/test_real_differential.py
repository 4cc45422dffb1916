"""Round-2 differential on the real corpus (../shared/real_stats/c0rnp0rn, 215 files).

Numbers pinned here were observed on this corpus (docs/differential.md explains them): 109 R1
and 106 R2 files; 97 R2 files pair (gaps 2.05–13.07 min, median 6.3); 9 orphans — 7 whose R1
is not in the corpus and 2 written *before* the only R1 of their map that evening (9.6 and
17.4 min, the second one is the 20:00 server-restart file); 12 R1 files stay unpaired.
"""

from __future__ import annotations

import importlib
import importlib.util
import statistics
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import need

from etstats.differential import (
    CUMULATIVE_TAB_FIELDS,
    differential_all,
    kd_ratio,
    pair_rounds,
)
from etstats.differential.subtract import round1
from etstats.model.stats import PER_ROUND_TAB_FIELDS, StatsRound

pytestmark = pytest.mark.corpus

ORPHANS = {
    "iamez_2024-08-13-231656-sw_goldrush_te-round-2.txt",
    "iamez_2025-01-06-221847-supply-round-2.txt",
    "iamez_2025-01-10-221224-etl_adlernest-round-2.txt",
    "iamez_2025-05-22-225410-te_escape2-round-2.txt",
    "iamez_2025-08-21-215952-etl_adlernest-round-2.txt",
    "iamez_2025-09-23-215543-etl_sp_delivery-round-2.txt",
    "iamez_2025-10-12-220306-te_escape2-round-2.txt",  # its R1 came 9.6 min later
    "iamez_2025-10-20-000043-etl_adlernest-round-2.txt",
    "iamez_2025-10-26-200001-etl_sp_delivery-round-2.txt",  # 20:00 restart; R1 17.4 min later
}
RESET_FILE = "iamez_2025-10-26-203013-etl_sp_delivery-round-2.txt"
RESET_GUID = "C74FB315"


@pytest.fixture(scope="module")
def rounds(real_stats_files: list[Path]) -> list[StatsRound]:
    need(
        importlib.util.find_spec("etstats.parsing.stats_file") is not None,
        "helper A's stats parser (etstats.parsing.stats_file) is not present yet",
    )
    parse: Any = importlib.import_module("etstats.parsing.stats_file").parse_stats_file
    return [parse(p) for p in real_stats_files]


@pytest.fixture(scope="module")
def output(rounds: list[StatsRound]) -> list[StatsRound]:
    return differential_all(rounds)


def _name(rnd: StatsRound) -> str:
    assert rnd.provenance is not None
    return rnd.provenance.name


def test_corpus_has_file_name_times(rounds: list[StatsRound]) -> None:
    assert len(rounds) == 215
    assert all(r.provenance is not None and r.provenance.file_timestamp for r in rounds)
    assert sum(r.round_number == 1 for r in rounds) == 109
    assert sum(r.round_number == 2 for r in rounds) == 106


def test_pairing_numbers(rounds: list[StatsRound]) -> None:
    pairing = pair_rounds(rounds)
    assert len(pairing.pairs) == 97
    assert {_name(r) for r in pairing.orphans_r2} == ORPHANS
    assert len(pairing.unpaired_r1) == 12
    gaps = [p.gap_seconds / 60 for p in pairing.pairs if p.gap_seconds is not None]
    assert len(gaps) == 97
    assert 2.0 <= min(gaps) <= max(gaps) <= 14.8
    assert round(statistics.median(gaps), 1) == 6.3
    for pair in pairing.pairs:
        assert pair.r1.map_name == pair.r2.map_name
    # One real pair crosses midnight.
    crossing = [
        (_name(p.r1), _name(p.r2)) for p in pairing.pairs if _name(p.r1)[6:16] != _name(p.r2)[6:16]
    ]
    assert crossing == [
        (
            "iamez_2025-11-01-235515-etl_adlernest-round-1.txt",
            "iamez_2025-11-02-000624-etl_adlernest-round-2.txt",
        ),
    ]
    # The 60-minute window (slomix README) pairs nothing more; 30 minutes (old code) loses none.
    assert len(pair_rounds(rounds, window_minutes=60).pairs) == 97
    assert len(pair_rounds(rounds, window_minutes=30).pairs) == 97


def test_r2_written_before_its_r1_is_an_orphan(rounds: list[StatsRound]) -> None:
    by_name = {_name(r): r for r in rounds}
    early = by_name["iamez_2025-10-26-200001-etl_sp_delivery-round-2.txt"]
    assert early.provenance is not None
    t2 = early.provenance.file_timestamp
    assert t2 is not None
    later_r1 = [
        r
        for r in rounds
        if r.round_number == 1
        and r.map_name == early.map_name
        and r.provenance
        and r.provenance.file_timestamp
        and 0 < (r.provenance.file_timestamp - t2).total_seconds() < 20 * 60
    ]
    assert len(later_r1) == 1
    # Even a huge window never pairs an R2 with a later R1.
    pairing = pair_rounds(rounds, window_minutes=24 * 60)
    assert early in pairing.orphans_r2


def test_output_flags_orphans_and_keeps_r1(
    rounds: list[StatsRound], output: list[StatsRound]
) -> None:
    assert len(output) == len(rounds)
    for before, after in zip(rounds, output, strict=True):
        codes = [f.code for f in after.findings]
        if before.round_number == 1:
            assert after is before
        elif _name(before) in ORPHANS:
            assert after.players == before.players
            assert codes[-1] == "orphan-round-2"
        else:
            assert "r2-differenced" in codes
            assert after.header == before.header


def test_one_real_counter_reset(output: list[StatsRound]) -> None:
    resets = [(_name(r), f) for r in output for f in r.findings if f.code == "counter-reset"]
    assert [(n, f.player_guid) for n, f in resets] == [(RESET_FILE, RESET_GUID)]
    knife = [f for r in output for f in r.findings if f.code == "knife-shots-decreased"]
    assert len(knife) == 61


def test_differenced_values_are_sane(rounds: list[StatsRound], output: list[StatsRound]) -> None:
    r1_of = {_name(p.r2): p.r1 for p in pair_rounds(rounds).pairs}
    checked = joined = 0
    for before, after in zip(rounds, output, strict=True):
        if "r2-differenced" not in [f.code for f in after.findings]:
            continue
        raw = {p.guid: p for p in before.players}
        in_r1 = {p.guid for p in r1_of[_name(before)].players}
        kept_raw = {f.player_guid for f in after.findings if f.code == "counter-reset"}
        kept_raw |= {g for g in raw if g not in in_r1}  # joined in R2: raw values are R2-only
        joined += sum(g not in in_r1 for g in raw)
        for player in after.players:
            r2 = raw[player.guid]
            for w in player.weapons:
                assert min(w.hits, w.shots, w.kills, w.deaths, w.headshots) >= 0
            if player.tab is None or r2.tab is None:
                continue
            tab = player.tab
            for name in CUMULATIVE_TAB_FIELDS:
                assert getattr(tab, name) >= 0, (_name(before), player.guid, name)
            for name in PER_ROUND_TAB_FIELDS:
                assert getattr(tab, name) == getattr(r2.tab, name)
            if player.guid in kept_raw:
                assert player == r2
                continue
            checked += 1
            assert tab.time_played_minutes <= r2.tab.time_played_minutes
            assert 0.0 <= tab.time_played_percent <= 100.0
            assert tab.kd_ratio == kd_ratio(player.kills, player.deaths)
            minutes = tab.time_played_minutes
            if minutes > 0:
                assert tab.dpm == round1(tab.damage_given / minutes)
                assert tab.time_dead_ratio == round1(tab.time_dead_minutes / minutes * 100)
            else:
                assert (tab.dpm, tab.time_dead_ratio, tab.time_played_percent) == (0, 0, 0)
    assert checked > 600
    assert joined == 1  # one player joined in R2 only
