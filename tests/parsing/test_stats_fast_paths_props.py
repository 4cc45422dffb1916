"""Differential properties: the stats parser's fast paths read exactly what its strict path reads.

The fast paths (the generated whole-line reader with its dict-lookup numbers, the general
path's dict-lookup numbers and clocks, the validator's per-player pre-check and hints) must be
invisible: for any input, the model and every finding must equal those of the strict path.
The strict reference is the same parser with the fast paths switched off inside the test (the
whole-line reader declines every line, so every line goes to ``Tokenizer.player``; the number
and clock tables are empty, so every number goes through the regex checks; and the validator
gets no hints and runs every per-player rule).

Inputs: generated files (:func:`etstats.testing.strategies.stats_rounds`) rendered as the
script writes them, "consistent" files whose players pass every per-player rule or miss one by
a hair (so the pre-check's quiet branch and its boundaries are exercised), files with numbers
outside the fast tables (>= 10,000, floats >= 1000.0), and mutated copies whose number tokens
are replaced by hostile texts (``+1``, ``01``, ``1.25``, ``1e3``, ``' 1'``, ``-0.0``, ``nan``,
19-digit strings, negative numbers, ...).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import strict_parser

import etstats.parsing._stats_lines as lines_mod
import etstats.parsing._stats_tokens as tokens_mod
from etstats.model.common import Finding
from etstats.model.stats import (
    FLOAT_TAB_FIELDS,
    SPLASH_WEAPONS,
    TAB_LAYOUTS,
    WEAPON_COUNT,
    PlayerStats,
    StatsHeader,
    StatsRound,
    TabStats,
    WeaponStats,
)
from etstats.parsing.stats_file import parse_stats_text
from etstats.render.stats_file import render_stats_round
from etstats.serde import to_json
from etstats.testing.strategies import LAYOUTS, guids, headers, stats_rounds
from etstats.validate.stats import expected_kd_ratio

pytestmark = pytest.mark.property

SOURCE = "2026-11-25-120000-supply-round-1.txt"
"""A stats file name, so provenance (file map/round) takes part in the comparison too."""

FindingKey = tuple[str, str, int | None, str | None, str | None, str | None, str | None, str]


def finding_keys(findings: tuple[Finding, ...]) -> list[FindingKey]:
    """Every finding, in order, by what a user sees of it."""
    return [
        (f.code, f.severity.value, f.line, f.field, f.expected, f.actual, f.player_guid, f.message)
        for f in findings
    ]


def assert_fast_equals_strict(text: str) -> StatsRound:
    """Parse ``text`` both ways; the models, their JSON and the findings must be identical."""
    fast = parse_stats_text(text, source=SOURCE)
    with strict_parser():
        strict = parse_stats_text(text, source=SOURCE)
    assert to_json(fast) == to_json(strict)
    assert fast == strict
    assert finding_keys(fast.findings) == finding_keys(strict.findings)
    assert [p.line for p in fast.players] == [p.line for p in strict.players]
    return fast


def test_the_strict_switch_really_switches_the_fast_paths_off() -> None:
    """Guard for the reference itself: under ``strict_parser`` no fast path runs."""
    tab = "\t".join("0.0" if n in FLOAT_TAB_FIELDS else "0" for n in TAB_LAYOUTS[38])
    line = "ABCDEF12\\n\\0\\1\\1 1 1 0 0 0 \t" + tab  # canonical: the fast path's
    with strict_parser():
        tok = tokens_mod.Tokenizer("x")
        players, hints = lines_mod.read_players(tok, ["header", line], False)
        assert len(players) == 1
        assert hints == [None]  # a line read by Tokenizer.player: no hint
        assert tokens_mod._INTS == {}
        assert tokens_mod._CLOCKS == {}
        assert tokens_mod._FLOATS == {}
        assert tok.findings == []  # a canonical line: the general path finds nothing either
    assert tokens_mod._INTS["9999"] == 9999
    _, hints = lines_mod.read_players(tokens_mod.Tokenizer("x"), ["header", line], False)
    assert hints == [(0, 0, 1, True)]  # without the switch: the whole-line reader's hint


# --- strategies ---------------------------------------------------------------------------

HOSTILE_INTS = (
    "10000",
    "65535",
    "99999",
    "123456789",
    "268435455",
    "268435456",
    "999999999999999999",
    "1000000000000000000",
    "12345678901234567890",
    "-1",
    "-0",
    "-9999",
    "-10000",
    "+1",
    "+0",
    "01",
    "00",
    "007",
    "1.25",
    "1.0",
    "1e3",
    " 1",
    "1 ",
    "",
    "-",
    "+",
    "nan",
    "inf",
    "0x10",
    "1_000",
    "\u0661",
    "\uff11",
)
"""Integer-field texts outside the fast table: big, signed, padded, non-canonical, invalid."""
HOSTILE_FLOATS = (
    "1000.0",
    "9999.9",
    "123456.7",
    "999999999999999999.9",
    "-0.0",
    "-1.5",
    "-999.9",
    "+1.0",
    "01.0",
    "1.25",
    "1.",
    ".5",
    "1",
    "-0",
    "1e3",
    "1.0e1",
    " 1.0",
    "1.0 ",
    "",
    "nan",
    "-nan",
    "inf",
    "1,5",
    "\u0661.0",
)
"""Float-field texts outside the fast table."""
TABLE_EDGES = ("0", "1", "9", "10", "9999", "0.0", "0.1", "999.9", "100.0", "100.1")
"""Texts at the edges of the fast tables (still inside them)."""

_REPLACEMENT = st.one_of(
    st.sampled_from(HOSTILE_INTS),
    st.sampled_from(HOSTILE_FLOATS),
    st.sampled_from(TABLE_EDGES),
    st.integers(-(10**20), 10**20).map(str),
    st.decimals(-(10**6), 10**6, places=1, allow_nan=False).map(str),
    st.text("0123456789-+. e", max_size=8),
)


def _big_count(low: int = 0) -> st.SearchStrategy[int]:
    """Counts on both sides of the 10,000 table edge (and far beyond)."""
    return st.one_of(st.integers(low, 20), st.integers(9_990, 10_010), st.integers(1, 10**18 - 1))


@st.composite
def big_number_rounds(draw: st.DrawFn) -> StatsRound:
    """Valid models whose numbers often leave the fast tables (>= 10,000 / >= 1000.0)."""
    layout = draw(st.sampled_from(LAYOUTS))
    plist = []
    for _ in range(draw(st.integers(0, 4))):
        indexes = sorted(draw(st.lists(st.integers(0, WEAPON_COUNT - 1), unique=True, max_size=6)))
        low = draw(st.sampled_from([0, 1, 1]))  # no 0: the whole block takes the big-number path
        weapons = tuple(WeaponStats(j, *(draw(_big_count(low)) for _ in range(5))) for j in indexes)
        values: dict[str, int | float] = {}
        for name in TAB_LAYOUTS[layout]:
            if name in FLOAT_TAB_FIELDS:
                values[name] = draw(st.one_of(st.integers(0, 10_010), st.integers(0, 10**12))) / 10
            else:
                values[name] = draw(_big_count())
        tab = draw(st.sampled_from([TabStats(layout, **values), None]))  # type: ignore[arg-type]
        plist.append(
            PlayerStats(
                draw(guids()),
                "p",
                draw(st.integers(0, 3)),
                draw(st.sampled_from([1, 2, 3])),
                weapons,
                tab,
            )
        )
    return StatsRound(draw(headers()), tuple(plist))


_HEX8 = st.text("0123456789ABCDEF", min_size=8, max_size=8)


@st.composite
def consistent_rounds(draw: st.DrawFn) -> StatsRound:
    """Players that pass every per-player rule, or miss exactly one by the smallest step.

    These exercise the validator's pre-check: it must stay quiet only when no rule fires.
    """
    layout = draw(st.sampled_from((38, 38, *LAYOUTS)))  # 38 has the bullets rule
    plist = []
    for _ in range(draw(st.integers(1, 4))):
        indexes = sorted(draw(st.lists(st.integers(0, WEAPON_COUNT - 1), unique=True, max_size=4)))
        weapons = []
        for j in indexes:
            shots = draw(st.integers(0, 12_000))
            hits = draw(st.integers(0, shots + (3 if j in SPLASH_WEAPONS else 0)))
            weapons.append(
                WeaponStats(
                    j,
                    hits,
                    shots,
                    draw(st.integers(0, 30)),
                    draw(st.integers(0, 30)),
                    draw(st.integers(0, hits)),
                )
            )
        kills = sum(w.kills for w in weapons)
        deaths = sum(w.deaths for w in weapons)
        played_tenths = draw(st.integers(0, 12_000))
        played = played_tenths / 10
        values: dict[str, int | float] = {
            name: (0.0 if name in FLOAT_TAB_FIELDS else 0) for name in TAB_LAYOUTS[layout]
        }
        values.update(
            bullets_fired=sum(w.shots for w in weapons),
            kd_ratio=expected_kd_ratio(kills, deaths),
            headshot_kills=draw(st.integers(0, kills)),
            time_played_minutes=played,
            time_dead_minutes=draw(st.integers(0, played_tenths)) / 10,
            time_dead_ratio=draw(st.integers(0, 1000)) / 10,
            time_played_percent=draw(st.integers(0, 1000)) / 10,
            dpm=draw(st.sampled_from([0.0, 12.5])),
            damage_given=draw(st.integers(0, 20_000)),
        )
        # One rule missed by a hair, sometimes (or a value made negative).
        flip = draw(
            st.sampled_from(
                [
                    "",
                    "bullets",
                    "kd",
                    "hs_kills",
                    "dead",
                    "ratio",
                    "pct_hi",
                    "pct_lo",
                    "neg_int",
                    "neg_float",
                    "team",
                    "rounds",
                    "guid",
                ]
            )
        )
        if flip == "bullets":
            values["bullets_fired"] = int(values["bullets_fired"]) + 1
        elif flip == "kd":
            values["kd_ratio"] = round(float(values["kd_ratio"]) + 0.1, 1)
        elif flip == "hs_kills":
            values["headshot_kills"] = kills + 1
        elif flip == "dead":
            values["time_dead_minutes"] = round(played + 0.1, 1)
        elif flip == "ratio":
            values["time_dead_ratio"] = 100.1
        elif flip == "pct_hi":
            values["time_played_percent"] = 100.1
        elif flip == "pct_lo":
            values["time_played_percent"] = -0.1
        elif flip == "neg_int":
            values["gibs"] = -1
        elif flip == "neg_float":
            values["tank_meatshield"] = -0.1
        values = {k: v for k, v in values.items() if k in TAB_LAYOUTS[layout]}
        plist.append(
            PlayerStats(
                guid="" if flip == "guid" else draw(st.one_of(_HEX8, _HEX8, guids())),
                raw_name="p",
                rounds=-1 if flip == "rounds" else draw(st.integers(0, 3)),
                team=0 if flip == "team" else draw(st.sampled_from([1, 2, 3])),
                weapons=tuple(weapons),
                tab=TabStats(layout, **values) if draw(st.integers(0, 9)) else None,  # type: ignore[arg-type]
            )
        )
    header = StatsHeader("srv", "supply", "", 1, 1, 1, 600, 600, 700_000, 9)
    return StatsRound(draw(st.one_of(st.just(header), headers())), tuple(plist))


def _number_slots(text: str) -> list[tuple[int, str, int]]:
    """Every number token of a rendered file: (line index, part, token index)."""
    slots: list[tuple[int, str, int]] = []
    lines = text.split("\n")
    header_fields = lines[0].split("\\")
    slots += [(0, "header", i) for i in (3, 4, 5, 8) if i < len(header_fields)]
    for n, line in enumerate(lines[1:], start=1):
        if not line:
            continue
        pre, _, tab = line.partition("\t")
        slots += [(n, "pre", -3), (n, "pre", -2)]
        block = pre.split("\\")[-1].split(" ")
        slots += [(n, "weapons", i) for i in range(len(block) - 1)]
        if tab:
            slots += [(n, "tab", i) for i in range(len(tab.split("\t")))]
    return slots


def _replace(text: str, slot: tuple[int, str, int], new: str) -> str:
    lines = text.split("\n")
    n, part, i = slot
    line = lines[n]
    if part == "header":
        fields = line.split("\\")
        fields[i] = new
        lines[n] = "\\".join(fields)
    else:
        pre, sep, tab = line.partition("\t")
        parts = pre.split("\\")
        if part == "pre":
            parts[i] = new
        elif part == "weapons":
            block = parts[-1].split(" ")
            block[i] = new
            parts[-1] = " ".join(block)
        else:
            fields = tab.split("\t")
            fields[i] = new
            tab = "\t".join(fields)
        lines[n] = "\\".join(parts) + sep + tab
    return "\n".join(lines)


@st.composite
def mutated_texts(draw: st.DrawFn, base: st.SearchStrategy[StatsRound]) -> str:
    """A rendered file with 1..6 number tokens replaced by hostile texts."""
    text = render_stats_round(draw(base))
    slots = _number_slots(text)
    if not slots:
        return text
    for _ in range(draw(st.integers(1, 6))):
        text = _replace(text, draw(st.sampled_from(slots)), draw(_REPLACEMENT))
    return text


_SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow])


# --- properties ---------------------------------------------------------------------------


@_SETTINGS
@given(stats_rounds(max_players=6))
def test_generated_files_parse_the_same_fast_and_strict(rnd: StatsRound) -> None:
    parsed = assert_fast_equals_strict(render_stats_round(rnd))
    assert parsed == rnd


@_SETTINGS
@given(big_number_rounds())
def test_numbers_outside_the_fast_tables_parse_the_same(rnd: StatsRound) -> None:
    parsed = assert_fast_equals_strict(render_stats_round(rnd))
    assert parsed == rnd


@_SETTINGS
@given(consistent_rounds())
def test_the_validator_pre_check_reports_what_the_full_checks_report(rnd: StatsRound) -> None:
    parsed = assert_fast_equals_strict(render_stats_round(rnd))
    assert parsed == rnd


@_SETTINGS
@given(mutated_texts(stats_rounds(max_players=4)))
def test_mutated_numbers_parse_the_same_fast_and_strict(text: str) -> None:
    assert_fast_equals_strict(text)


@_SETTINGS
@given(mutated_texts(st.one_of(big_number_rounds(), consistent_rounds())))
def test_mutated_big_and_consistent_files_parse_the_same(text: str) -> None:
    assert_fast_equals_strict(text)


@_SETTINGS
@given(
    stats_rounds(max_players=3),
    st.sampled_from(["  ", " 0 ", "", "\t", " 1 2 3 4 5 "]),
    st.integers(0, 10**6),
)
def test_weapon_block_spacing_and_count_quirks_parse_the_same(
    rnd: StatsRound, extra: str, where: int
) -> None:
    """Doubled/missing spaces and stray tuples around a weapon block."""
    lines = render_stats_round(rnd).split("\n")
    if len(lines) > 2:
        n = 1 + where % (len(lines) - 2)
        pre, sep, tab = lines[n].partition("\t")
        cut = where % (len(pre) + 1)
        lines[n] = (
            pre[:cut] + extra + pre[cut:] + sep + tab
            if where % 2
            else (pre.rstrip(" ") + extra + sep + tab)
        )
    assert_fast_equals_strict("\n".join(lines))


@pytest.mark.parametrize("token", HOSTILE_INTS + HOSTILE_FLOATS + TABLE_EDGES)
@pytest.mark.parametrize(
    "where", ["header", "pre", "mask", "weapons", "weapons_big", "tab_int", "tab_float"]
)
def test_every_hostile_token_in_every_kind_of_field(token: str, where: str) -> None:
    """Each listed text, in each kind of number field, parses the same both ways.

    ``weapons_big``: the block also holds a number >= 10,000 and no 0, so the token meets the
    weapon block's big-number path rather than the table path.
    """
    shots = 20_000 if where == "weapons_big" else 20
    weapons = (WeaponStats(4, 10, shots, 2, 1, 3), WeaponStats(11, 30, 5, 1, 1, 1))
    values = {n: (1.0 if n in FLOAT_TAB_FIELDS else 1) for n in TAB_LAYOUTS[38]}
    rnd = StatsRound(
        StatsHeader("srv", "supply", "", 1, 1, 1, 600, 600, 700_000, 9),
        (PlayerStats("ABCDEF12", "p", 0, 1, weapons, TabStats(38, **values)),),  # type: ignore[arg-type]
    )
    text = render_stats_round(rnd)
    slot = {
        "header": (0, "header", 8),
        "pre": (1, "pre", -3),
        "mask": (1, "weapons", 0),
        "weapons": (1, "weapons", 7),
        "weapons_big": (1, "weapons", 7),
        "tab_int": (1, "tab", 0),
        "tab_float": (1, "tab", 8),
    }[where]
    assert_fast_equals_strict(_replace(text, slot, token))


@pytest.mark.parametrize(
    "mask",
    [
        1 << 28 | 16,
        1 << 31 | 2048 | 16,
        1 << 27 | 1,
        (1 << 40) + 16,
        (1 << 59) - 1 - (1 << 28),
        2**28 - 1,
        2**28,
        10**17,
        10**18 - 1,
        10_000,
        9_999,
    ],
)
@pytest.mark.parametrize("big", [False, True])
def test_masks_beyond_the_28_weapons_parse_the_same(mask: int, big: bool) -> None:
    """Masks with bits >= 28 (with as many tuples as bits): dropped weapons, same findings."""
    count = mask.bit_count()
    numbers = " ".join(["12345" if big and i == 1 else str(1 + i % 7) for i in range(5 * count)])
    line = f"ABCDEF12\\p\\0\\1\\{mask} {numbers} \t" + "\t".join(["1"] * 38)
    rnd = assert_fast_equals_strict("srv\\supply\\\\1\\1\\1\\10:00\\10:00\\700000\n" + line + "\n")
    assert all(0 <= w.index < WEAPON_COUNT for p in rnd.players for w in p.weapons)


# --- the parser's file-name shortcut ----------------------------------------------------------

_NAME_PARTS = st.one_of(
    st.text(max_size=40),
    st.builds(
        "{}{:04d}-{:02d}-{:02d}-{:02d}{:02d}{:02d}-{}-round-{}{}.txt".format,
        st.sampled_from(["", "iamez_", "a/b/", "c:\\x\\", "12345-"]),
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.integers(0, 61),
        st.text("abz_-09.", min_size=0, max_size=12),
        st.integers(0, 1000),
        st.sampled_from(["", "-endstats"]),
    ),
)


@given(_NAME_PARTS)
def test_the_parsers_name_shortcut_equals_parse_stats_filename(name: str) -> None:
    from etstats.parsing.filenames import _timestamp_map_round, parse_stats_filename

    full = parse_stats_filename(name)
    expected = None if full is None else (full.timestamp, full.map_name, full.round_number)
    assert _timestamp_map_round(name) == expected
