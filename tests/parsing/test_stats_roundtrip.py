"""Round trips of the stats-file models: model -> render -> parse == model, for every layout."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etstats.model.stats import StatsRound
from etstats.parsing.stats_file import parse_stats_bytes, parse_stats_text
from etstats.render.stats_file import render_stats_bytes, render_stats_round
from etstats.testing.strategies import LAYOUTS, stats_rounds

# every test with the stats parser's fast paths and without
pytestmark = [pytest.mark.property, pytest.mark.usefixtures("parser_mode")]


@given(stats_rounds(max_players=6))
def test_render_then_parse_gives_the_model_back(rnd: StatsRound) -> None:
    text = render_stats_round(rnd)
    parsed = parse_stats_text(text)
    assert parsed == rnd
    # and the text is a fixed point of parse -> render
    assert render_stats_round(parsed) == text


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("field_count", [8, 9])
@settings(max_examples=25)
@given(data=st.data())
def test_every_layout_and_header_width_round_trips(
    layout: int, field_count: int, data: st.DataObject
) -> None:
    rnd = data.draw(stats_rounds(layout=layout, field_count=field_count, max_players=3))
    parsed = parse_stats_text(render_stats_round(rnd))
    assert parsed == rnd
    assert parsed.header.field_count == field_count
    assert all(p.tab is None or p.tab.layout == layout for p in parsed.players)


@given(stats_rounds(max_players=6))
def test_utf8_bytes_round_trip(rnd: StatsRound) -> None:
    assert parse_stats_bytes(render_stats_bytes(rnd)) == rnd


@given(stats_rounds(max_players=6))
def test_crlf_copies_parse_to_the_same_model(rnd: StatsRound) -> None:
    data = render_stats_bytes(rnd).replace(b"\n", b"\r\n")
    assert parse_stats_bytes(data) == rnd


@given(stats_rounds(max_players=4))
def test_parsed_players_carry_their_line_numbers(rnd: StatsRound) -> None:
    parsed = parse_stats_text(render_stats_round(rnd))
    assert [p.line for p in parsed.players] == list(range(2, 2 + len(rnd.players)))
