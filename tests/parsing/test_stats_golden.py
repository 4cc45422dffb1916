"""Golden files: `etstats parse` output and ParseError texts for hand-written stats files.

Set ETSTATS_UPDATE_GOLDEN=1 to rewrite the expected files after an intended change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.helpers import DATA as TEST_DATA

from etstats.cli import main
from etstats.errors import ParseError
from etstats.parsing.stats_file import parse_stats_bytes, parse_stats_file
from etstats.render.stats_file import render_stats_round

pytestmark = pytest.mark.usefixtures("parser_mode")  # with the fast paths and without

DATA = TEST_DATA / "stats"
VALID = sorted((DATA / "valid").glob("*.txt"))
INVALID = sorted((DATA / "invalid").glob("*.txt"))
INVALID = [p for p in INVALID if not p.name.endswith(".expected-error.txt")]
UPDATE = os.environ.get("ETSTATS_UPDATE_GOLDEN") == "1"

# Golden files whose text is exactly what the script writes (render reproduces them).
READING_CODES = {
    "byte-order-mark",
    "latin1-line",
    "missing-final-newline",
    "truncated-file",
    "blank-line",
    "invalid-number",
    "non-canonical-number",
    "invalid-clock",
    "invalid-playtime",
    "malformed-player-line",
    "name-contains-backslash",
    "weapon-block-spacing",
    "weapon-mask-mismatch",
    "weapon-mask-out-of-range",
    "tab-layout-unknown",
}


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name.split("_")[0])
def test_parse_output_matches_golden(
    path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(path.parent)
    code = main(["parse", path.name])
    out = capsys.readouterr().out
    expected_path = path.with_name(path.name[: -len(".txt")] + ".expected.json")
    if UPDATE:
        expected_path.write_text(out, encoding="utf-8")
    assert code == 0
    assert out.count("\n") == 1
    assert json.loads(out) == json.loads(expected_path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_file_raises_the_golden_parse_error(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(path.parent)
    expected_path = path.with_name(path.stem + ".expected-error.txt")
    with pytest.raises(ParseError) as info:
        parse_stats_file(path.name)
    if UPDATE:
        expected_path.write_text(str(info.value) + "\n", encoding="utf-8")
    assert str(info.value) == expected_path.read_text(encoding="utf-8").rstrip("\n")
    # the same bytes given in memory fail the same way, with the location attributes set
    with pytest.raises(ParseError) as again:
        parse_stats_bytes(path.read_bytes(), source=path.name)
    assert str(again.value) == str(info.value)
    assert again.value.source == path.name
    assert again.value.line is not None
    assert again.value.expected is not None


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name.split("_")[0])
def test_render_reproduces_canonical_golden_text(path: Path) -> None:
    rnd = parse_stats_file(path)
    reading = {f.code for f in rnd.findings} & READING_CODES
    text = path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
    if reading:
        # quirky input: the rendered text is canonical, and parsing it gives the same model
        from etstats.parsing.stats_file import parse_stats_text

        assert parse_stats_text(render_stats_round(rnd)) == rnd
    else:
        assert render_stats_round(rnd) == text
