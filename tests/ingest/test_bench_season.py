"""The benchmark's synthetic season (bench/ingest.py): with ``--population N`` every round's
players come from N GUIDs and a round 2 has its round 1's, as a community's rounds do;
without it every round has new players (the worst case the benchmark's default measures)."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

from etstats.parsing.stats_file import parse_stats_file

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _bench_ingest(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH))  # the script imports its siblings by name
    return importlib.import_module("ingest")


def _players_per_round(folder: Path) -> list[list[str]]:
    stats = sorted(p for p in folder.rglob("*.txt") if not p.name.endswith("-endstats.txt"))
    return [[p.guid for p in parse_stats_file(path).players] for path in stats]


def test_a_population_bounds_the_players_and_keeps_a_round_2_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = _bench_ingest(monkeypatch)
    files = bench.write_season(tmp_path / "s", tmp_path / "st", 6, 1, population=20)
    assert files == 6 * 3  # stats, Lua and endstats per round
    rounds = _players_per_round(tmp_path / "st")
    assert len(rounds) == 6
    population = {g[:8] for g in bench.population_guids(20)}  # stats files keep 8 digits
    assert all(len(set(r)) == 12 and set(r) <= population for r in rounds)
    for r1, r2 in zip(rounds[0::2], rounds[1::2], strict=True):
        assert sorted(r1) == sorted(r2)  # a round 2 is played by its round 1's players
    assert len({g for r in rounds for g in r}) <= 20


def test_without_a_population_every_round_has_new_players(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = _bench_ingest(monkeypatch)
    bench.write_season(tmp_path / "s", tmp_path / "st", 4, 1)
    rounds = _players_per_round(tmp_path / "st")
    assert len({g for r in rounds for g in r}) == 4 * 12


def test_a_population_smaller_than_a_round_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = _bench_ingest(monkeypatch)
    with pytest.raises(SystemExit) as usage:
        bench.main(["--population", "5", "--steps", "ingest"])
    assert usage.value.code == 2
