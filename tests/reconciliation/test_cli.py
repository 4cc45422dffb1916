"""``etstats reconcile``: tables, JSON, exit codes, plot and spawn audit on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etstats.cli import main
from etstats.testing.reconcile_truth import render_stats, simulate

from .conftest import Writer


def test_table_and_summary(
    write_round: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_round(simulate(5, pauses=1), version=7)
    assert main(["reconcile", str(tmp_path), "--fail-on", "conflict"]) == 0
    out = capsys.readouterr().out
    assert "== supply R1" in out
    assert "== summary" in out
    assert "dead-time-overcount" in out
    assert "UTC offset +1 h (inferred)" in out


def test_json_and_fail_on(
    write_round: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tr = simulate(6)
    files = write_round(tr, version=8)
    text = files[0].read_text()
    # plant a wrong dead time for the first player line: 9.9 minutes
    lines = text.splitlines()
    fields = lines[1].split("\t")
    fields[26] = "9.9"
    lines[1] = "\t".join(fields)
    files[0].write_text("\n".join(lines) + "\n")
    assert main(["reconcile", str(tmp_path), "--json", "--fail-on", "conflict"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["verdicts"]["conflict"] >= 1
    conflicts = [c for r in data["rounds"] for c in r["comparisons"] if c["verdict"] == "conflict"]
    assert {c["check"] for c in conflicts} >= {"dead-time"}
    assert all(c["sources"] and c["rule"] for c in conflicts)


def test_unreadable_input_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "2025-10-14-212214-etl_adlernest-round-1.txt"
    bad.write_bytes(b"\x00\x01 not a stats file")
    assert main(["reconcile", str(bad)]) == 3
    assert "etstats reconcile" in capsys.readouterr().err


def test_plot_and_spawn_audit(
    write_round: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    write_round(simulate(7, disconnect_dead=True), version=7, lua="legacy", directory=data_dir)
    png = tmp_path / "dead.png"
    assert (
        main(
            [
                "reconcile",
                str(data_dir),
                "--plot",
                str(png),
                "--spawn-audit",
                "--limit",
                "50",
                "--diff-seconds",
                "30",
            ]
        )
        == 0
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    audit = json.loads(capsys.readouterr().out)
    assert audit["params"] == {"limit": 50, "diff_seconds": 30.0}
    # GUID prefixes match, unlike the original's exact 32-vs-8 join
    assert audit["summary"]["missing_player_stats"] == 0
    assert audit["summary"]["checked"] == 6
    assert all("verdict" in s for s in audit["samples"])
    assert main(["reconcile", str(data_dir), "--spawn-audit", "--limit", "0"]) == 2


def test_stats_only_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name, text = render_stats(simulate(8), version=7)
    (tmp_path / name).write_text(text)
    assert main(["reconcile", str(tmp_path)]) == 0
    assert "n/a (none)" in capsys.readouterr().out


def test_reconciliation_json_round_trip(write_round: Writer, tmp_path: Path) -> None:
    from etstats.reconciliation import Reconciliation, load_paths, reconcile
    from etstats.serde import from_json, to_json

    write_round(simulate(9, pauses=1, disconnect_dead=True), version=7, lua="legacy")
    (rnd,) = reconcile(load_paths([tmp_path])[0]).rounds
    assert rnd.comparisons
    assert from_json(to_json(rnd), Reconciliation) == rnd


def test_timezone_pairs_round_2_across_daylight_saving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """R1 at 01:50 CET and R2 at 03:15 CEST (25 real minutes, 85 on the wall clock) on the
    night Europe/Berlin springs forward: only with ``--timezone`` is the R2 differenced."""
    import random

    from etstats.testing.synthetic import round_pair_artifacts

    arts, _ = round_pair_artifacts(
        map_name="supply",
        r1_end_unix=1_774_746_000 - 603,
        gap_seconds=25 * 60,
        rng=random.Random(9),
        timezone="Europe/Berlin",
    )
    for a in arts:
        (tmp_path / a.name).write_bytes(a.data)

    def r1_of_round_2(*extra: str) -> str | None:
        assert main(["reconcile", str(tmp_path), "--json", *extra]) == 0
        [r2] = [r for r in json.loads(capsys.readouterr().out)["rounds"] if r["round"] == 2]
        value: str | None = r2["stats_r1"]
        return value

    assert r1_of_round_2() is None  # wall clocks 85 minutes apart: an orphan
    assert r1_of_round_2("--timezone", "Europe/Berlin") == arts[0].name
    with pytest.raises(SystemExit) as exc:
        main(["reconcile", str(tmp_path), "--timezone", "Mars/Olympus"])
    assert exc.value.code == 2
    assert "unknown IANA timezone" in capsys.readouterr().err


def test_unknown_timezone_is_a_config_error() -> None:
    from etstats.errors import ConfigError
    from etstats.reconciliation import reconcile

    with pytest.raises(ConfigError, match="unknown timezone"):
        reconcile([render_and_parse()], timezone="Mars/Olympus")


def render_and_parse() -> object:
    from etstats.parsing.stats_file import parse_stats_text

    _, text = render_stats(simulate(1))
    return parse_stats_text(text)
