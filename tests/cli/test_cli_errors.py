"""Command-line mistakes get a clear message and the documented exit code (docs/cli.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etstats.cli import main


def test_ingest_of_a_folder_without_artifacts_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "gamestats"
    empty.mkdir()
    assert main(["ingest", str(empty), "--db", str(tmp_path / "s.db")]) == 2
    assert "no stats, endstats or gametimes files found" in capsys.readouterr().err
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize("command", ["audit", "rebuild"])
def test_reading_a_store_that_does_not_exist_is_reported(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "etstast.db"
    assert main([command, "--db", str(typo)]) == 4
    assert f"no store at {typo}" in capsys.readouterr().err
    assert not typo.exists()


def test_reconcile_names_a_missing_path_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope"
    assert main(["reconcile", str(missing)]) == 3
    err = capsys.readouterr().err
    assert "no such file or directory" in err
    assert err.count("nope") == 1


def test_validation_code_text_matches_the_kd_tolerance() -> None:
    from etstats.validate import STATS_CODES
    from etstats.validate.stats import KD_TOLERANCE

    assert f"> {KD_TOLERANCE}" in STATS_CODES["kd-ratio-inconsistent"].meaning
