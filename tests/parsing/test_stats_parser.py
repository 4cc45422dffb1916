"""The stats parser: layouts, clocks, encodings and the findings it records while reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from etstats.errors import ParseError
from etstats.model.common import Severity
from etstats.model.stats import TAB_LAYOUTS, StatsRound
from etstats.parsing.stats_file import (
    MAX_STATS_BYTES,
    parse_stats_bytes,
    parse_stats_file,
    parse_stats_text,
)

pytestmark = pytest.mark.usefixtures("parser_mode")  # with the fast paths and without

HEADER = "^1srv\\etl_adlernest\\legacy6\\1\\1\\2\\10:00\\7:36"
WEAPONS = "2096 20 50 4 1 3 10 20 1 1 1 3 2 0 0 0 "  # MP40, Thompson, grenade


def tab_text(n: int, first: int = 100) -> str:
    """A TAB section of ``n`` fields with distinct values (floats where the layout has them)."""
    from etstats.model.stats import FLOAT_TAB_FIELDS

    names = TAB_LAYOUTS[n]
    return "\t".join(
        f"{first + i}.5" if name in FLOAT_TAB_FIELDS else str(first + i)
        for i, name in enumerate(names)
    )


def one_player(n: int = 38, *, header: str = HEADER, name: str = "^2play^7er") -> str:
    return f"{header}\n7B84BE88\\{name}\\0\\1\\{WEAPONS}\t{tab_text(n)}\n"


def codes(rnd: StatsRound) -> list[str]:
    return [f.code for f in rnd.findings]


def test_38_field_line_maps_every_field_in_order() -> None:
    rnd = parse_stats_text(one_player(38))
    (p,) = rnd.players
    assert p.tab is not None
    assert p.tab.layout == 38
    assert p.tab.damage_given == 100
    assert p.tab.time_played_percent == 108.5  # TAB[8] is a float field
    assert p.tab.bullets_fired == 120
    assert p.tab.denied_playtime == 128
    assert p.tab.revives_given == 137
    assert [w.name for w in p.weapons] == ["WS_MP40", "WS_THOMPSON", "WS_GRENADE"]
    mp40 = p.weapons[0]
    assert (mp40.hits, mp40.shots, mp40.kills, mp40.deaths, mp40.headshots) == (20, 50, 4, 1, 3)
    assert p.line == 2
    assert p.name == "player"
    assert p.raw_name == "^2play^7er"


def test_33_field_line_has_multikills_where_later_layouts_have_denied_time() -> None:
    (p,) = parse_stats_text(one_player(33)).players
    assert p.tab is not None
    assert p.tab.layout == 33
    assert p.tab.useful_kills == 127  # TAB[27]
    assert p.tab.denied_playtime is None
    assert (p.tab.multikill_2x, p.tab.multikill_6x) == (128, 132)  # TAB[28..32]
    assert p.tab.useless_kills is None
    assert p.tab.revives_given is None


@pytest.mark.parametrize(("n", "last"), [(36, "full_selfkills"), (37, "repairs_constructions")])
def test_36_and_37_field_lines_leave_later_fields_none(n: int, last: str) -> None:
    (p,) = parse_stats_text(one_player(n)).players
    assert p.tab is not None
    assert getattr(p.tab, last) == 100 + n - 1
    assert p.tab.revives_given is None
    assert p.tab.denied_playtime == 128


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0:00", 0), ("2:18", 138), ("12:00", 720), ("71:05", 4265), ("0:59", 59)],
)
def test_strict_clocks(text: str, seconds: int) -> None:
    rnd = parse_stats_text(f"s\\m\\c\\1\\1\\1\\{text}\\{text}\n")
    assert rnd.header.time_limit_seconds == seconds
    assert "invalid-clock" not in codes(rnd)


@pytest.mark.parametrize("text", ["02:18", "2:5", "2:60", "1:00:00", "", "12.5", "-1:00", " 2:18"])
def test_clocks_the_script_cannot_write_are_unknown_with_a_finding(text: str) -> None:
    rnd = parse_stats_text(f"s\\m\\c\\1\\1\\1\\10:00\\{text}\n")
    assert rnd.header.clock_seconds is None
    (finding,) = [f for f in rnd.findings if f.code == "invalid-clock"]
    assert finding.field == "f8"
    assert finding.actual == text
    assert finding.severity is Severity.ERROR


def test_nine_field_header_reads_playtime_in_milliseconds() -> None:
    rnd = parse_stats_text("s\\m\\c\\1\\1\\2\\11:57\\4:02\\241533\n")
    assert rnd.header.field_count == 9
    assert rnd.header.playtime_ms == 241533
    assert rnd.players == ()
    assert "header-only" in codes(rnd)
    eight = parse_stats_text("s\\m\\c\\1\\1\\2\\11:57\\4:02\n")
    assert eight.header.field_count == 8
    assert eight.header.playtime_ms is None


def test_crlf_and_lf_give_equal_models() -> None:
    text = one_player(38)
    lf = parse_stats_bytes(text.encode())
    crlf = parse_stats_bytes(text.replace("\n", "\r\n").encode())
    assert lf == crlf
    assert codes(lf) == codes(crlf)


def test_latin1_and_utf8_names_in_one_file() -> None:
    data = (
        HEADER.encode()
        + b"\n"
        + b"7B84BE88\\Ren\xe9^3*\\0\\1\\"
        + WEAPONS.encode()
        + b"\t"
        + tab_text(38).encode()
        + b"\n"
        + "A1B2C3D4\\Jürgen\\0\\2\\".encode()
        + WEAPONS.encode()
        + b"\t"
        + tab_text(38).encode()
        + b"\n"
    )
    rnd = parse_stats_bytes(data, source="x.txt")
    assert [p.raw_name for p in rnd.players] == ["René^3*", "Jürgen"]
    assert rnd.players[0].name == "René*"
    (latin,) = [f for f in rnd.findings if f.code == "latin1-line"]
    assert latin.line == 2
    assert latin.source == "x.txt"


def test_weapon_mask_mismatch_keeps_complete_tuples() -> None:
    text = f"{HEADER}\n7B84BE88\\p\\0\\1\\2096 20 50 4 1 3 10 20 1 1 1 3 2 \t{tab_text(38)}\n"
    rnd = parse_stats_text(text)
    (p,) = rnd.players
    assert [w.name for w in p.weapons] == ["WS_MP40", "WS_THOMPSON"]
    (f,) = [f for f in rnd.findings if f.code == "weapon-mask-mismatch"]
    assert f.expected == "15 numbers after the mask"
    assert f.actual == "12 numbers"
    assert f.player_guid == "7B84BE88"


def test_unknown_tab_count_keeps_the_player_without_tab() -> None:
    text = f"{HEADER}\n7B84BE88\\p\\0\\1\\{WEAPONS}\t" + "\t".join(["1"] * 35) + "\n"
    rnd = parse_stats_text(text)
    (p,) = rnd.players
    assert p.tab is None
    assert len(p.weapons) == 3
    (f,) = [f for f in rnd.findings if f.code == "tab-layout-unknown"]
    assert f.severity is Severity.ERROR
    assert f.actual == "35 fields"


def test_line_without_tab_section() -> None:
    rnd = parse_stats_text(f"{HEADER}\n7B84BE88\\p\\0\\1\\{WEAPONS}\n")
    (p,) = rnd.players
    assert p.tab is None
    assert "no-tab-section" in codes(rnd)


def test_bad_numbers_become_zero_with_findings() -> None:
    tab = tab_text(38).split("\t")
    tab[0], tab[8] = "12x", "nan"
    text = f"{HEADER}\n7B84BE88\\p\\x\\1\\{WEAPONS}\t" + "\t".join(tab) + "\n"
    rnd = parse_stats_text(text)
    (p,) = rnd.players
    assert p.rounds == 0
    assert p.tab is not None
    assert p.tab.damage_given == 0
    assert p.tab.time_played_percent == 0.0
    bad = {f.field for f in rnd.findings if f.code == "invalid-number"}
    assert bad == {"rounds", "damage_given", "time_played_percent"}


def test_bot_and_empty_guid_lines() -> None:
    text = (
        f"{HEADER}\nOMNIBOT0\\[BOT]Sarge\\0\\1\\{WEAPONS}\t{tab_text(38)}\n"
        f"\\noguid\\0\\2\\{WEAPONS}\t{tab_text(38)}\n"
    )
    rnd = parse_stats_text(text)
    bot, anon = rnd.players
    assert bot.is_bot
    assert anon.guid == ""
    assert not anon.is_bot
    assert "guid-missing" in codes(rnd)


def test_header_only_file_is_valid() -> None:
    rnd = parse_stats_text("srv\\supply\\defaultpublic\\2\\1\\0\\15:00\\15:00\n")
    assert rnd.players == ()
    assert rnd.tab_layout is None
    assert [f.severity for f in rnd.findings] == [Severity.INFO]


def test_too_large_input_raises() -> None:
    data = (HEADER + "\n").encode() + b"x" * MAX_STATS_BYTES
    with pytest.raises(ParseError, match="file too large"):
        parse_stats_bytes(data)


def test_unreadable_path_raises_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read file") as info:
        parse_stats_file(tmp_path / "missing-round-1.txt")
    assert info.value.source.endswith("missing-round-1.txt")
    with pytest.raises(ParseError, match="cannot read file"):
        parse_stats_file(tmp_path)


def test_file_provenance(tmp_path: Path) -> None:
    path = tmp_path / "2025-10-14-212214-etl_adlernest-round-2.txt"
    path.write_text(one_player(38), encoding="utf-8")
    rnd = parse_stats_file(path)
    assert rnd.provenance is not None
    assert rnd.provenance.path == str(path)
    assert rnd.provenance.size_bytes == path.stat().st_size
    assert rnd.provenance.file_round == 2
    assert rnd.round_number == 2  # the name wins over f4 = 1 ...
    assert "round-mismatch" in codes(rnd)  # ... and the disagreement is a finding


def test_wrong_argument_types_are_programmer_errors() -> None:
    with pytest.raises(TypeError):
        parse_stats_bytes("text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_stats_text(b"bytes")  # type: ignore[arg-type]


def test_byte_order_mark_is_removed() -> None:
    rnd = parse_stats_bytes(b"\xef\xbb\xbf" + one_player(38).encode())
    assert rnd.header.server_name == "^1srv"
    assert "byte-order-mark" in codes(rnd)
