"""`etstats parse` and `etstats validate` run through the real CLI entry point."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from etstats.cli import main
from etstats.cli.walk import Progress, collect_files
from etstats.model.stats import TAB_FIELDS_38
from etstats.parsing.filenames import is_stats_filename

pytestmark = pytest.mark.usefixtures("parser_mode")  # with the fast paths and without

DATA = Path(__file__).resolve().parent.parent / "data" / "stats"
VALID = DATA / "valid"
LAYOUT38 = VALID / "layout38_2025-10-14-212214-etl_adlernest-round-1.txt"
CHECKS = VALID / "checks_2025-10-27-200000-etl_adlernest-round-1.txt"
GARBAGE = VALID / "r2-garbage-clock_2025-10-26-200001-etl_sp_delivery-round-2.txt"
EMPTY = DATA / "invalid" / "empty.txt"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_parse_prints_one_json_line_per_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "parse", str(LAYOUT38), str(GARBAGE))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert set(first) == {"source", "header", "provenance", "tab_layout", "players", "findings"}
    assert first["header"] == {
        "server_name": "^a#^7e^at^7stats^a.^7test",
        "map_name": "etl_adlernest",
        "config": "legacy6",
        "round_number": 1,
        "defender_team": 1,
        "winner_team": 2,
        "time_limit_seconds": 600,
        "clock_seconds": 456,
        "playtime_ms": None,
        "field_count": 8,
    }
    player = first["players"][0]
    assert player["name"] == "RedBaron"
    assert player["raw_name"] == "^1Red^7Baron"
    assert player["tab_layout"] == 38
    assert set(TAB_FIELDS_38) <= set(player)
    assert player["weapons"]["WS_MP40"] == {
        "hits": 20,
        "shots": 50,
        "kills": 4,
        "deaths": 1,
        "headshots": 3,
    }
    assert first["provenance"]["file_timestamp"] == "2025-10-14T21:22:14"
    second = json.loads(lines[1])
    assert "r2-clock-unusable" in {f["code"] for f in second["findings"]}


def test_parse_reports_unreadable_files_and_continues(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "parse", str(EMPTY), str(LAYOUT38))
    assert code == 3
    assert len(out.splitlines()) == 1
    assert "empty.txt:1:1: header: empty file" in err


def test_parse_walks_directories_for_stats_names_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sub").mkdir()
    shutil.copy(LAYOUT38, tmp_path / "sub" / "2025-10-14-212214-etl_adlernest-round-1.txt")
    shutil.copy(GARBAGE, tmp_path / "2025-10-26-200001-etl_sp_delivery-round-2.txt")
    (tmp_path / "2025-10-26-200000-etl_sp_delivery-round-2-endstats.txt").write_text("x\ty\tz\n")
    (tmp_path / "notes.txt").write_text("not a stats file\n")
    code, out, _ = run(capsys, "parse", str(tmp_path))
    assert code == 0
    sources = [Path(json.loads(line)["source"]).name for line in out.splitlines()]
    assert sources == [
        "2025-10-26-200001-etl_sp_delivery-round-2.txt",
        "2025-10-14-212214-etl_adlernest-round-1.txt",
    ]


def test_parse_with_no_stats_files_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "parse", str(tmp_path))
    assert code == 2
    assert "no stats files" in err


def test_parse_differential_gives_r2_only_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r1 = tmp_path / "2025-10-14-212214-etl_adlernest-round-1.txt"
    shutil.copy(LAYOUT38, r1)
    # R2 six minutes later: the same players with doubled engine counters (cumulative)
    text = LAYOUT38.read_text(encoding="utf-8")
    text = text.replace("\\1\\1\\2\\10:00\\7:36", "\\2\\1\\1\\7:36\\7:36")
    text = text.replace("\t1200\t900\t", "\t2400\t1800\t")
    (tmp_path / "2025-10-14-212814-etl_adlernest-round-2.txt").write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "parse", "--differential", str(tmp_path))
    assert code == 0
    rounds = [json.loads(line) for line in out.splitlines()]
    assert [r["header"]["round_number"] for r in rounds] == [1, 2]
    assert rounds[0]["players"][0]["damage_given"] == 1200
    assert rounds[1]["players"][0]["damage_given"] == 1200  # 2400 cumulative - 1200 in R1
    code, out, _ = run(capsys, "parse", str(tmp_path))
    assert json.loads(out.splitlines()[1])["players"][0]["damage_given"] == 2400


def test_parse_differential_timezone_pairs_across_daylight_saving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Europe/Berlin springs forward at 01:00 UTC on 2026-03-29: an R1 at 01:50 CET and an R2
    at 03:15 CEST are 25 real minutes apart but 85 on the wall clock."""
    shutil.copy(LAYOUT38, tmp_path / "2026-03-29-015000-etl_adlernest-round-1.txt")
    text = LAYOUT38.read_text(encoding="utf-8")
    text = text.replace("\\1\\1\\2\\10:00\\7:36", "\\2\\1\\1\\7:36\\7:36")
    text = text.replace("\t1200\t900\t", "\t2400\t1800\t")
    (tmp_path / "2026-03-29-031500-etl_adlernest-round-2.txt").write_text(text, encoding="utf-8")

    def r2_damage(*extra: str) -> int:
        code, out, _ = run(capsys, "parse", "--differential", *extra, str(tmp_path))
        assert code == 0
        rounds = [json.loads(x) for x in out.splitlines()]
        [r2] = [r for r in rounds if r["header"]["round_number"] == 2]
        value: int = r2["players"][0]["damage_given"]
        return value

    assert r2_damage() == 2400  # wall clocks 85 minutes apart: an orphan, kept cumulative
    assert r2_damage("--timezone", "Europe/Berlin") == 1200  # 25 real minutes: differenced
    with pytest.raises(SystemExit) as exc:
        main(["parse", "--differential", "--timezone", "Nowhere/City", str(tmp_path)])
    assert exc.value.code == 2
    assert "unknown IANA timezone" in capsys.readouterr().err


def test_validate_table_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", str(LAYOUT38))
    assert code == 0
    assert out.split() == ["FILE", "LINE", "SEVERITY", "CODE", "MESSAGE"]  # info hidden
    assert "1 file(s): 0 error(s), 0 warning(s), 1 info, 0 unreadable" in err

    code, out, _ = run(capsys, "validate", str(CHECKS))
    assert code == 1
    rows = out.splitlines()[1:]
    assert any("headshots-exceed-hits" in r and " error " in r for r in rows)
    assert not any("kd-ratio-inconsistent" in r for r in rows)  # info, below the default

    code, out, _ = run(capsys, "validate", "--min-severity", "info", str(CHECKS), str(EMPTY))
    assert code == 3
    assert "kd-ratio-inconsistent" in out
    assert "parse-error" in out


def test_validate_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", "--json", "--min-severity", "error", str(CHECKS))
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert {r["code"] for r in rows} == {"headshots-exceed-hits", "team-invalid"}
    assert all(r["file"] == str(CHECKS) and r["severity"] == "error" for r in rows)
    assert {r["line"] for r in rows} == {2, 3}


def test_collect_files_keeps_explicit_files_and_filters_directories(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    keep = tmp_path / "a" / "2025-01-01-000000-m-round-1.txt"
    keep.write_text("")
    (tmp_path / "a" / "other.txt").write_text("")
    explicit = tmp_path / "a" / "other.txt"
    assert collect_files([tmp_path, explicit, keep], is_stats_filename) == [keep, explicit]


def test_progress_lines_for_long_runs_only() -> None:
    stream = io.StringIO()
    progress = Progress(250, label="parse", stream=stream, every=100, tty=False)
    for _ in range(250):
        progress.step("f")
    progress.done()
    lines = stream.getvalue().splitlines()
    assert lines[:2] == ["parse: 100/250", "parse: 200/250"]
    assert lines[2].startswith("parse: 250/250 in ")
    quiet = io.StringIO()
    short = Progress(5, stream=quiet, tty=False)
    short.step()
    short.done()
    assert quiet.getvalue() == ""
