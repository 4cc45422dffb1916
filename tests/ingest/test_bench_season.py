"""The benchmark's synthetic season (bench/ingest.py): with ``--population N`` every round's
players come from N GUIDs and a round 2 has its round 1's, as a community's rounds do;
without it every round has new players (the worst case the benchmark's default measures)."""

from __future__ import annotations

import importlib
import os
import sys
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


def test_the_smallest_size_brackets_the_larger_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = _bench_ingest(monkeypatch)
    assert bench.size_order([1000, 100000], 1) == [1000, 100000]
    assert bench.size_order([1000, 10000, 100000], 3) == [1000, 1000, 10000, 100000, 1000]
    assert bench.size_order([1000], 3) == [1000, 1000, 1000]


def test_the_scale_ratio_is_taken_against_the_median_of_the_small_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = _bench_ingest(monkeypatch)

    def row(rounds: int, cpu_ms: float, peak: int) -> dict[str, object]:
        result: dict[str, object] = bench.result_row(
            version="new",
            backend="sqlite",
            rounds=rounds,
            step="ingest",
            seconds=1.0,
            cpu_seconds=cpu_ms * 3 * rounds / 1000,
            count=3 * rounds,
            peak_mb=peak,
            store_mb=1.0,
            extra="",
        )
        return result

    bench.print_table(
        [row(1000, 1.0, 60), row(1000, 1.4, 70), row(1000, 1.2, 80), row(100000, 1.5, 84)]
    )
    scale = [line for line in capsys.readouterr().out.splitlines() if line.startswith("scale")]
    assert scale == [
        "scale new sqlite ingest: 100000 vs 1000 rounds: CPU per artifact 1.25x, "
        "peak memory 1.20x (median of 3 runs at 1000: 1.00, 1.40, 1.20 ms)"
    ]


def test_a_timed_process_reports_its_own_peak_not_the_benchmarks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Linux counts a forked parent's resident size in the child's peak: a benchmark holding
    200 MB must still report a tiny process's few MB (it starts them from a small launcher)."""
    bench = _bench_ingest(monkeypatch)
    ballast = bytearray(200 * 1024 * 1024)
    ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page: resident, not reserved
    seconds, peak_mb, stdout, cpu = bench.run_process(
        [sys.executable, "-c", "print('ok')"], dict(os.environ)
    )
    assert stdout.strip() == "ok"
    assert peak_mb < 100, peak_mb
    assert seconds > 0
    assert cpu > 0
    del ballast
