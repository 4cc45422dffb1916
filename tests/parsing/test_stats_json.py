"""``etstats parse``'s JSON writer writes exactly what ``json.dumps`` of the record writes."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etstats.model.common import Provenance
from etstats.model.stats import PlayerStats, StatsHeader, StatsRound, TabStats, WeaponStats
from etstats.parsing.stats_file import parse_stats_file
from etstats.render.stats_json import (
    finding_record,
    provenance_record,
    stats_round_json,
    stats_round_record,
)
from etstats.serde import to_builtins
from etstats.testing.strategies import stats_rounds


def _reference(rnd: StatsRound, ascii_only: bool) -> str:
    return json.dumps(stats_round_record(rnd), ensure_ascii=ascii_only, allow_nan=False)


def _check(rnd: StatsRound) -> None:
    if rnd.provenance is not None:
        assert provenance_record(rnd.provenance) == to_builtins(rnd.provenance)
    for f in rnd.findings:
        assert finding_record(f) == to_builtins(f)
    for ascii_only in (False, True):
        assert stats_round_json(rnd, ascii_only=ascii_only) == _reference(rnd, ascii_only)


@pytest.mark.corpus
def test_every_real_file_is_written_as_json_dumps_writes_it(
    real_stats_files: list[Path],
) -> None:
    for path in real_stats_files:
        _check(parse_stats_file(path))


@settings(max_examples=60)
@given(stats_rounds(max_players=5))
def test_generated_rounds_are_written_as_json_dumps_writes_them(rnd: StatsRound) -> None:
    _check(rnd)


def _round(*players: PlayerStats) -> StatsRound:
    header = StatsHeader('s^1rv, "x"', "m", "", 1, 1, 2, 600, 300)
    return StatsRound(header, players, Provenance("0" * 64, 1, path="a, b.txt"))


_TAB = TabStats(36, damage_given=5, kd_ratio=1.5)


@pytest.mark.parametrize(
    "player",
    [
        PlayerStats("ABCDEF12", '^1ä, "q" % %s', 0, 1, (WeaponStats(3, 1, 2, 3, 4, 5),), _TAB),
        PlayerStats("ABCDEF12", "n", 0, 1, (), None),
        PlayerStats("ABCDEF12", "n", True, 1, (WeaponStats(0), WeaponStats(0, 1)), _TAB),
        PlayerStats("ABCDEF12", "n", "a, b", 1, (), _TAB),  # type: ignore[arg-type]
        PlayerStats("ABCDEF12", "n", "ab", 1, (), _TAB),  # type: ignore[arg-type]
        PlayerStats("ABCDEF12", "n", 0, 1, (), attrs.evolve(_TAB, dpm=1e300 * 10)),
        PlayerStats("ABCDEF12", "n", 0, 1, (), attrs.evolve(_TAB, gibs=10**30, dpm=-0.0)),
        PlayerStats("ABCDEF12", "n", 0, 1, (), attrs.evolve(_TAB, revives_given=7)),
    ],
    ids=[
        "quotes-percent-non-ascii",
        "no-tab",
        "bool-and-repeated-weapon",
        "text-with-comma",
        "text",
        "infinity",
        "huge-and-negative-zero",
        "field-outside-the-layout",
    ],
)
def test_odd_values_are_written_as_json_dumps_writes_them(player: PlayerStats) -> None:
    rnd = _round(player, player)
    for ascii_only in (False, True):
        try:
            expected = _reference(rnd, ascii_only)
        except ValueError as exc:  # infinity: json.dumps refuses it, and so does the writer
            with pytest.raises(ValueError, match=str(exc)):
                stats_round_json(rnd, ascii_only=ascii_only)
            continue
        assert stats_round_json(rnd, ascii_only=ascii_only) == expected


def test_a_round_without_players_is_written_as_json_dumps_writes_it() -> None:
    _check(_round())
    _check(attrs.evolve(_round(), provenance=None))


@given(st.text(max_size=20))
def test_any_name_is_written_as_json_dumps_writes_it(name: str) -> None:
    _check(_round(PlayerStats("ABCDEF12", name, 0, 1, (), _TAB)))
