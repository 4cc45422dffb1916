"""Endstats parser on golden files: awards with units, versus blocks, quirks, encodings."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import DATA as TEST_DATA

from etstats.errors import ParseError
from etstats.model.endstats import AwardUnit, AwardValue, SubjectSource
from etstats.parsing.endstats import (
    parse_award_value,
    parse_endstats_bytes,
    parse_endstats_file,
    parse_endstats_text,
)
from etstats.parsing.endstats.versus import infer_blocks
from etstats.render.endstats import render_endstats_bytes
from etstats.testing.endstats_strategies import VersusMatch

DATA = TEST_DATA / "endstats"
GOLDEN = DATA / "2026-08-21-203015-supply-round-1-endstats.txt"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3214", ((3214.0, AwardUnit.NUMBER),)),
        ("1.625", ((1.625, AwardUnit.NUMBER),)),
        ("113 seconds", ((113.0, AwardUnit.SECONDS),)),
        ("50.47 percent", ((50.47, AwardUnit.PERCENT),)),
        ("3 kills in 2.15s", ((3.0, AwardUnit.KILLS), (2.15, AwardUnit.SECONDS))),
        ("1.23 m", ((1.23, AwardUnit.METRES),)),
        ("35.12 percent, 3.70 min", ((35.12, AwardUnit.PERCENT), (3.7, AwardUnit.MINUTES))),
        ("Damage received vs death ratio: 3.41x", ((3.41, AwardUnit.RATIO),)),
        ("three", ()),
        ("", ()),
        ("12 seconds ", ()),
    ],
)
def test_award_value_forms(text: str, expected: tuple[tuple[float, AwardUnit], ...]) -> None:
    assert parse_award_value(text) == tuple(AwardValue(v, u) for v, u in expected)


def test_golden_awards_and_units() -> None:
    rnd = parse_endstats_file(GOLDEN)
    assert len(rnd.awards) == 15
    multikill = rnd.award("Quickest multikill w/ light weapons")
    assert multikill is not None
    assert multikill.value_in(AwardUnit.KILLS) == 3
    assert multikill.value_in(AwardUnit.SECONDS) == 2.15
    king = rnd.award("Full respawn king")
    assert king is not None
    assert (king.value_in(AwardUnit.PERCENT), king.value_in(AwardUnit.MINUTES)) == (35.12, 3.7)
    tank = rnd.award("Tank/Meatshield (Refuses to die)")
    assert tank is not None
    assert tank.value == 3.41
    denied = rnd.award("Most playtime denied")
    assert denied is not None
    assert denied.value_in(AwardUnit.SECONDS) == 113
    assert rnd.provenance is not None
    assert rnd.map_name == "supply"
    assert rnd.round_number == 1


def test_golden_quirks_become_findings() -> None:
    rnd = parse_endstats_file(GOLDEN)
    by_code = {f.code: f for f in rnd.findings}
    assert by_code["duplicate-award"].line == 9
    assert "useful-kills" in by_code["duplicate-award"].message
    assert by_code["mislabelled-award"].line == 13
    assert "useless-kills" in by_code["mislabelled-award"].message
    # Unknown award: kept (never dropped) with an info finding; its text value is unparsed.
    hats = rnd.award("Most fancy hats")
    assert hats is not None
    assert not hats.known
    assert hats.values == ()
    assert by_code["unknown-award"].line == 14
    assert by_code["award-value-unparsed"].line == 14
    # Both "Longest killing spree" lines are kept.
    assert [a.line for a in rnd.awards if a.name == "Longest killing spree"] == [6, 9]


def test_golden_versus_with_headers() -> None:
    rnd = parse_endstats_file(GOLDEN)
    assert [h.subject_name for h in rnd.vs_headers] == ["vid", "carniee", "SuperBoyy", "specless"]
    assert len(rnd.versus) == 4
    first = rnd.versus[0]
    assert (first.subject_name, first.opponent_name, first.kills, first.deaths) == (
        "vid",
        "carniee",
        4,
        0,
    )
    assert first.subject_guid == "0123456789ABCDEF0123456789ABCDEF"
    assert first.subject_source is SubjectSource.HEADER
    assert [r.block for r in rnd.versus] == [0, 0, 1, 2]


def test_objectives_stolen_in_its_own_slot_is_not_flagged() -> None:
    text = "Longest death spree\ta\t4\nMost objectives stolen\tb\t2\nMost corpse gibs\tc\t5\n"
    assert [f.code for f in parse_endstats_text(text).findings] == []


def test_golden_roundtrips_byte_exact() -> None:
    data = GOLDEN.read_bytes()
    assert render_endstats_bytes(parse_endstats_bytes(data)) == data


def test_latin1_names_and_midnight_name() -> None:
    path = DATA / "2025-12-31-235959-etl_adlernest-round-2-endstats.txt"
    rnd = parse_endstats_file(path)
    assert [a.player_name for a in rnd.awards] == ["Jörg", "Zoë"]
    assert rnd.findings[0].code == "latin1-decoded"
    assert render_endstats_bytes(rnd, encoding="latin-1") == path.read_bytes()
    assert rnd.provenance is not None
    assert rnd.provenance.file_timestamp is not None
    assert rnd.provenance.file_timestamp.hour == 23


def test_crlf_is_accepted() -> None:
    text = "Most deaths\tvid\t3\r\ncarniee\t1\t0\r\n"
    rnd = parse_endstats_text(text)
    assert rnd.awards[0].value_text == "3"
    assert rnd.versus[0].deaths == 0


def test_headerless_symmetric_blocks_are_left_unknown() -> None:
    rnd = parse_endstats_file(DATA / "2026-01-02-101010-supply-round-2-endstats.txt")
    assert len(rnd.versus) == 8
    assert {r.subject_source for r in rnd.versus} == {SubjectSource.UNKNOWN}
    assert {r.subject_name for r in rnd.versus} == {None}
    assert "versus-subject-unknown" in [f.code for f in rnd.findings]


def test_headerless_blocks_are_inferred_when_unique() -> None:
    # 2v2 in slot order x, p, y, q (teams 1, 2, 1, 2); kills[a][b] = a killed b.
    match = VersusMatch(
        players=("x", "p", "y", "q"),
        teams=(1, 2, 1, 2),
        kills=((0, 3, 0, 1), (1, 0, 2, 0), (0, 2, 0, 0), (0, 0, 2, 0)),
    )
    rnd = parse_endstats_text(match.text())
    truth = [subject for subject, *_ in match.rows()]
    assert [r.subject_name for r in rnd.versus] == truth
    assert {r.subject_source for r in rnd.versus} == {SubjectSource.INFERRED}
    assert [r.block for r in rnd.versus] == [0, 0, 1, 1, 2, 2, 3, 3]


def test_not_an_endstats_file_raises_parse_error_with_line() -> None:
    with pytest.raises(ParseError) as info:
        parse_endstats_file(DATA / "invalid-two-cells.txt")
    assert info.value.line == 2
    assert "3 TAB-separated cells" in str(info.value)


def test_missing_file_raises_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read"):
        parse_endstats_file(tmp_path / "nope-endstats.txt")


def test_empty_file_is_an_empty_round_with_warning() -> None:
    rnd = parse_endstats_bytes(b"")
    assert rnd.awards == ()
    assert [f.code for f in rnd.findings] == ["empty-endstats"]


def test_awards_after_versus_are_flagged() -> None:
    text = "Most deaths\tvid\t3\ncarniee\t1\t0\nMost deaths\tvid\t3\n"
    rnd = parse_endstats_text(text)
    assert len(rnd.awards) == 2
    assert "awards-after-versus" in [f.code for f in rnd.findings]


def test_player_who_left_makes_blocks_unknown() -> None:
    # y's own block is missing (left before the write): the mirror rows cannot all be found.
    match = VersusMatch(
        players=("x", "p", "y", "q"),
        teams=(1, 2, 1, 2),
        kills=((0, 3, 0, 1), (1, 0, 2, 0), (0, 2, 0, 0), (0, 0, 2, 0)),
    )
    rows = [r for r in match.rows() if r[0] != "y"]
    rnd = parse_endstats_text("".join(f"{o}\t{k}\t{d}\n" for _, o, k, d in rows))
    assert {r.subject_source for r in rnd.versus} == {SubjectSource.UNKNOWN}


def test_inference_gives_up_when_budget_is_spent() -> None:
    rows = [("p", 3, 1), ("q", 1, 0), ("x", 1, 3), ("y", 2, 2)]
    assert infer_blocks(rows, budget=1) is None
    assert infer_blocks([]) == []
