"""Endstats properties: render → parse round trip, robustness, inference never guesses wrong."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import assert_deliberate

from etstats.errors import ParseError
from etstats.model.endstats import EndstatsRound, SubjectSource
from etstats.parsing.endstats import (
    parse_award_value,
    parse_endstats_bytes,
    parse_endstats_text,
)
from etstats.render.endstats import render_endstats, render_endstats_bytes
from etstats.testing.endstats_strategies import (
    VersusMatch,
    award_value_texts,
    endstats_rounds,
    versus_matches,
)

pytestmark = pytest.mark.property


@given(endstats_rounds(), st.sampled_from(["\n", "\r\n"]))
def test_render_parse_roundtrip(rnd: EndstatsRound, newline: str) -> None:
    assert parse_endstats_text(render_endstats(rnd, newline=newline)) == rnd
    assert parse_endstats_bytes(render_endstats_bytes(rnd, newline=newline)) == rnd


@given(endstats_rounds())
def test_parse_render_is_stable(rnd: EndstatsRound) -> None:
    text = render_endstats(rnd)
    assert render_endstats(parse_endstats_text(text)) == text


@given(award_value_texts())
def test_every_script_value_form_has_numbers(text: str) -> None:
    assert parse_award_value(text) != ()


@given(st.text())
def test_arbitrary_text_raises_only_parse_error(text: str) -> None:
    try:
        rnd = parse_endstats_text(text)
    except ParseError as exc:
        assert_deliberate(exc)
        return
    assert isinstance(rnd, EndstatsRound)


@given(st.binary())
def test_arbitrary_bytes_raise_only_parse_error(data: bytes) -> None:
    try:
        rnd = parse_endstats_bytes(data, path="2026-01-12-224606-te_escape2-round-2-endstats.txt")
    except ParseError as exc:
        assert_deliberate(exc)
        return
    assert rnd.provenance is not None
    assert rnd.provenance.size_bytes == len(data)


@given(versus_matches(), st.sampled_from(["\n", "\r\n"]))
def test_headerless_inference_never_guesses_wrong(match: VersusMatch, newline: str) -> None:
    rnd = parse_endstats_text(match.text(newline))
    truth = match.rows()
    assert len(rnd.versus) == len(truth)
    for row, (subject, opponent, kills, deaths) in zip(rnd.versus, truth, strict=True):
        assert (row.opponent_name, row.kills, row.deaths) == (opponent, kills, deaths)
        if row.subject_source is SubjectSource.INFERRED:
            assert row.subject_name == subject
        else:
            assert row.subject_name is None


@given(versus_matches(max_players=16))
def test_inference_on_larger_matches_never_guesses_wrong(match: VersusMatch) -> None:
    rnd = parse_endstats_text(match.text())
    for row, (subject, *_) in zip(rnd.versus, match.rows(), strict=True):
        assert row.subject_name in (None, subject)
