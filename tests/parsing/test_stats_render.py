"""The renderer writes exactly what the c0rnp0rn script writes."""

from __future__ import annotations

import pytest

from etstats.model.stats import PlayerStats, StatsHeader, StatsRound, TabStats, WeaponStats
from etstats.parsing.stats_file import parse_stats_bytes
from etstats.render.stats_file import (
    render_clock,
    render_stats_bytes,
    render_stats_round,
    render_tab,
)

pytestmark = pytest.mark.usefixtures("parser_mode")  # with the fast paths and without

HEADER = StatsHeader(
    server_name="^1srv",
    map_name="etl_adlernest",
    config="legacy6",
    round_number=1,
    defender_team=1,
    winner_team=2,
    time_limit_seconds=600,
    clock_seconds=456,
)


def test_header_and_player_line_layout() -> None:
    tab = TabStats(
        37,
        damage_given=759,
        time_played_percent=93.7,
        kd_ratio=8.0,
        denied_playtime=42,
        useless_kills=0,
        full_selfkills=0,
        repairs_constructions=1,
    )
    player = PlayerStats(
        guid="7B84BE88",
        raw_name="end^1ekk",
        rounds=0,
        team=2,
        weapons=(WeaponStats(4, 6, 12, 2, 1, 2), WeaponStats(27, 1, 1, 0, 0, 0)),
        tab=tab,
    )
    text = render_stats_round(StatsRound(HEADER, (player,)))
    header, line, end = text.split("\n")
    assert header == "^1srv\\etl_adlernest\\legacy6\\1\\1\\2\\10:00\\7:36"
    assert end == ""  # trailing newline
    block, tab_part = line.split("\t", 1)
    assert block == "7B84BE88\\end^1ekk\\0\\2\\134217744 6 12 2 1 2 1 1 0 0 0 "
    fields = tab_part.split("\t")
    assert len(fields) == 37
    assert fields[0] == "759"
    assert fields[8] == "93.7"
    assert fields[21] == "0.0"  # dpm, a float field
    assert fields[26] == "8.0"
    assert fields[28] == "42"


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0:00"), (59, "0:59"), (138, "2:18"), (720, "12:00"), (None, "")]
)
def test_clock(seconds: int | None, text: str) -> None:
    assert render_clock(seconds) == text


def test_nine_field_header_and_unknown_values() -> None:
    header = StatsHeader("s", "m", "", 2, 1, 0, None, 0, playtime_ms=None, field_count=9)
    assert render_stats_round(StatsRound(header)) == "s\\m\\\\2\\1\\0\\\\0:00\\\n"
    header9 = StatsHeader("s", "m", "", 1, 1, 2, 717, 242, playtime_ms=241533, field_count=9)
    assert render_stats_round(StatsRound(header9)) == "s\\m\\\\1\\1\\2\\11:57\\4:02\\241533\n"


def test_latin1_bytes_round_trip() -> None:
    player = PlayerStats(
        "7B84BE88",
        "Ren\xe9",
        0,
        1,
        (WeaponStats(0, 1, 1, 0, 0, 0),),
        TabStats(
            38,
            bullets_fired=1,
            kd_ratio=1.0,
            denied_playtime=0,
            useless_kills=0,
            full_selfkills=0,
            repairs_constructions=0,
            revives_given=0,
        ),
    )
    rnd = StatsRound(HEADER, (player,))
    data = render_stats_bytes(rnd, encoding="latin-1")
    assert b"Ren\xe9\\" in data
    assert parse_stats_bytes(data) == rnd
    assert b"Ren\xc3\xa9\\" in render_stats_bytes(rnd)
    wide = StatsRound(HEADER, (PlayerStats("7B84BE88", "名前", 0, 1),))
    assert "名前".encode() in render_stats_bytes(wide, encoding="latin-1")  # falls back to UTF-8
    with pytest.raises(ValueError, match="encoding"):
        render_stats_bytes(rnd, encoding="cp1252")


def test_models_the_format_cannot_hold_are_rejected() -> None:
    with pytest.raises(ValueError, match="layout"):
        render_tab(TabStats(30))
    with pytest.raises(ValueError, match="field_count"):
        render_stats_round(StatsRound(StatsHeader("s", "m", "", 1, 1, 2, 1, 1, field_count=7)))
    with pytest.raises(ValueError, match="negative"):
        render_clock(-1)
