"""The stats parser's fast machinery: builders, the whole-line reader, the pre-check.

* the sealed builders' objects are indistinguishable from the public constructors' (``==``,
  ``hash``, JSON, pickling, ``attrs.evolve``) and the public constructors still validate;
* what a parse returns never depends on earlier parses: repeated parses are equal, different
  tuples never share an object, an unclean tuple is reported every time it occurs, and
  parsing in 4 threads gives the sequential results;
* the validator's pre-check cannot hide a per-player rule: a minimal file triggering each
  per-player code reports exactly that code, on the fast and on the strict path;
* the whole-line reader (``_stats_lines``) reads every canonical line of every layout and
  weapon count, hands anything else to the general path, proves only clean lines quiet, and
  keeps big canonical ``bullets_fired`` values; the store classes never leak;
* the os-level file read gives the same round for a file and a pipe, and the same errors.
"""

from __future__ import annotations

import random
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pytest
from tests.helpers import assert_built_equals_public, strict_parser

import etstats.parsing._stats_lines as lines_mod
import etstats.parsing._stats_tokens as tokens_mod
from etstats._sealing import sealed_builder
from etstats.model.common import Finding, Provenance, Severity, build_finding
from etstats.model.stats import (
    FLOAT_TAB_FIELDS,
    TAB_BUILDERS,
    TAB_LAYOUTS,
    WEAPON_COUNT,
    PlayerStats,
    StatsHeader,
    StatsRound,
    TabStats,
    WeaponStats,
    build_player_stats,
    build_stats_header,
    build_stats_round,
    build_weapon_stats,
)
from etstats.parsing.stats_file import parse_stats_file, parse_stats_text
from etstats.render.stats_file import render_stats_round
from etstats.serde import to_json
from etstats.validate.codes import STATS_CODES
from etstats.validate.stats import validate_stats_round


def keys(findings: tuple[Finding, ...]) -> list[tuple[Any, ...]]:
    return [
        (f.code, f.severity, f.line, f.field, f.expected, f.actual, f.player_guid, f.message)
        for f in findings
    ]


# --- 1. sealed builders ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        (0, 0, 0, 0, 0, 0),
        (4, 10, 20, 2, 1, 3),
        (27, 10**17, 1, 9999, 10_000, 5),
        (11, 30, 5, 1, 0, 0),
    ],
)
def test_unchecked_weapon_stats_equal_the_public_constructors(values: tuple[int, ...]) -> None:
    built = build_weapon_stats(*values)
    assert_built_equals_public(built, WeaponStats(*values))
    assert built.name == WeaponStats(*values).name
    assert built != WeaponStats(values[0], values[1] + 1, *values[2:])


@pytest.mark.parametrize("layout", sorted(TAB_LAYOUTS))
def test_unchecked_tab_stats_equal_the_public_constructors(layout: int) -> None:
    names = TAB_LAYOUTS[layout]
    values = [(i + 0.5 if n in FLOAT_TAB_FIELDS else i * 1000) for i, n in enumerate(names)]
    built = TAB_BUILDERS[layout](*values)
    public = TabStats(layout, **dict(zip(names, values, strict=True)))  # type: ignore[arg-type]
    assert_built_equals_public(built, public)
    # fields outside the layout get their declared default (None), as with the constructor
    for a in attrs.fields(TabStats):
        if a.name not in names and a.name != "layout":
            assert getattr(built, a.name) is None


def test_unchecked_player_header_round_and_finding_equal_the_public_constructors() -> None:
    weapons = (WeaponStats(4, 10, 20, 2, 1, 3),)
    tab = TabStats(33)
    player = build_player_stats("ABCDEF12", "^1p", 0, 1, weapons, tab, 7)
    assert_built_equals_public(player, PlayerStats("ABCDEF12", "^1p", 0, 1, weapons, tab, 7))
    assert player == PlayerStats("ABCDEF12", "^1p", 0, 1, weapons, tab, 99)  # line: eq=False
    assert player.line == 7
    assert player.name == "p"
    assert player.kills == 2
    values = ("srv", "supply", "", 1, 2, 0, 600, None, -5, 9)
    header = build_stats_header(*values)
    assert_built_equals_public(header, StatsHeader(*values))
    prov = Provenance(
        sha256="0" * 64,
        size_bytes=3,
        path=None,
        file_timestamp=None,
        file_map=None,
        file_round=None,
    )
    finding = build_finding("blank-line", Severity.INFO, "m", "", 3, None, None, None, None)
    assert_built_equals_public(finding, Finding("blank-line", Severity.INFO, "m", line=3))
    rnd = build_stats_round(header, (player,), prov, (finding,))
    assert_built_equals_public(rnd, StatsRound(header, (player,), prov, (finding,)))


def test_sealed_builder_rejects_unknown_duplicate_and_missing_fields() -> None:
    with pytest.raises(ValueError, match="bad field names"):
        sealed_builder(WeaponStats, ("index", "bogus"), prechecked=("index",))
    with pytest.raises(ValueError, match="bad field names"):
        sealed_builder(WeaponStats, ("index", "index"), prechecked=("index",))
    with pytest.raises(ValueError, match="bad field names"):
        sealed_builder(WeaponStats, ("index",), fixed={"nope": 1}, prechecked=("index",))
    with pytest.raises(ValueError, match="needs a value"):
        sealed_builder(PlayerStats, ("guid",))  # raw_name/rounds/team have no default
    with pytest.raises(TypeError, match="validator"):
        sealed_builder(WeaponStats)  # the index validator must be vouched for


@pytest.mark.parametrize("index", [WEAPON_COUNT, 28, -1, 100])
def test_the_public_weapon_constructor_still_validates(index: int) -> None:
    with pytest.raises(ValueError):
        WeaponStats(index)
    with pytest.raises(ValueError):
        attrs.evolve(WeaponStats(0), index=index)


def test_parsed_objects_are_ordinary_model_instances() -> None:
    """What the parser builds without ``__init__`` behaves like a constructed model."""
    text = (
        "srv\\supply\\\\1\\1\\1\\10:00\\10:00\\700000\n"
        "ABCDEF12\\p\\0\\1\\16 10 20 2 1 3 \t" + "\t".join(["1"] * 38) + "\n"
    )
    rnd = parse_stats_text(text)
    objects: list[Any] = [
        rnd,
        rnd.header,
        *rnd.players,
        *rnd.players[0].weapons,
        rnd.players[0].tab,
        *rnd.findings,
    ]
    for obj in objects:
        cls = type(obj)
        rebuilt = cls(**{a.name: getattr(obj, a.name) for a in attrs.fields(cls)})
        assert_built_equals_public(obj, rebuilt)


# --- 3. no state carried between parses ----------------------------------------------------


def _random_file(rng: random.Random, players: int, *, big: bool = False) -> str:
    """A file with random (sometimes unclean, sometimes >= 10,000) weapon tuples."""
    lines = ["srv\\supply\\\\1\\1\\2\\10:00\\7:30\\450000"]
    for p in range(players):
        indexes = sorted(rng.sample(range(WEAPON_COUNT), rng.randint(0, 8)))
        block = [str(sum(1 << j for j in indexes))]
        for _ in indexes:
            top = 10**6 if big and rng.random() < 0.3 else 60
            block += [str(rng.randint(1 if big else 0, top)) for _ in range(5)]
        tab = "\t".join(
            str(rng.randint(0, 50))
            if n not in FLOAT_TAB_FIELDS
            else f"{rng.randint(0, 2000) / 10:.1f}"
            for n in TAB_LAYOUTS[38]
        )
        lines.append(f"{p:08X}\\p{p}\\0\\{1 + p % 2}\\{' '.join(block)} \t{tab}")
    return "\n".join(lines) + "\n"


def test_parsing_the_same_file_twice_gives_equal_rounds() -> None:
    rng = random.Random(1)
    for _ in range(20):
        text = _random_file(rng, 10, big=rng.random() < 0.5)
        first = parse_stats_text(text)
        again = parse_stats_text(text)
        assert to_json(first) == to_json(again)
        assert keys(first.findings) == keys(again.findings)
        with strict_parser():
            assert to_json(parse_stats_text(text)) == to_json(again)


def test_different_tuples_never_share_an_object() -> None:
    rng = random.Random(2)
    seen: dict[int, tuple[WeaponStats, tuple[int, ...]]] = {}
    kept = []  # keep every object alive so that ids are not reused
    for _ in range(30):
        rnd = parse_stats_text(_random_file(rng, 12, big=rng.random() < 0.3))
        kept.append(rnd)
        for p in rnd.players:
            for w in p.weapons:
                key = (w.index, w.hits, w.shots, w.kills, w.deaths, w.headshots)
                first = seen.setdefault(id(w), (w, key))
                assert first[1] == key, f"{key} shares an object with {first[1]}"
    assert len(seen) > 100


def test_a_repeated_unclean_tuple_is_reported_every_time() -> None:
    """A repeat of an unclean tuple (in one file and across parses) is checked again."""
    header = "srv\\supply\\\\1\\1\\1\\10:00\\10:00\\700000\n"
    line = "ABCDEF{:02X}\\p\\0\\1\\16 10 20 0 0 11 \t" + "\t".join(["0"] * 38) + "\n"
    text = header + line.format(1) + line.format(2)
    for _ in range(3):  # the same file parsed again
        rnd = parse_stats_text(text)
        hs = [f for f in rnd.findings if f.code == "headshots-exceed-hits"]
        assert [(f.line, f.player_guid) for f in hs] == [(2, "ABCDEF01"), (3, "ABCDEF02")]
    big = header + "ABCDEF01\\p\\0\\1\\16 10 20000 5 5 11 \t" + "\t".join(["0"] * 38) + "\n"
    for _ in range(2):  # a number >= 10,000 (a hit count): the general path
        rnd = parse_stats_text(big)
        assert "headshots-exceed-hits" in [f.code for f in rnd.findings]


def test_parsing_in_four_threads_gives_the_sequential_results() -> None:
    rng = random.Random(3)
    texts = [_random_file(rng, rng.randint(0, 14), big=rng.random() < 0.3) for _ in range(240)]
    with strict_parser():
        expected = [(to_json(r), keys(r.findings)) for r in map(parse_stats_text, texts)]

    def parse(text: str) -> tuple[str, list[tuple[Any, ...]]]:
        rnd = parse_stats_text(text)
        return to_json(rnd), keys(rnd.findings)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for _ in range(6):  # races are rare
            with ThreadPoolExecutor(max_workers=4) as pool:
                got = list(pool.map(parse, texts))
            assert got == expected
    finally:
        sys.setswitchinterval(interval)


# --- 4. the validator pre-check cannot hide a per-player rule --------------------------------

TOKENIZER_CODES = frozenset(
    {
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
        "no-tab-section",
        "tab-layout-unknown",
    }
)
HEADER_CODES = frozenset(
    {
        "header-only",
        "round-number-invalid",
        "round-mismatch",
        "map-mismatch",
        "defender-out-of-range",
        "winner-out-of-range",
        "r1-outcome-inconsistent",
        "r2-clock-unusable",
        "playtime-negative",
        "playtime-zero",
        "playtime-maybe-seconds",
    }
)
FILE_CODES = frozenset({"bullets-unreliable", "dpm-always-zero", "denied-time-unreliable"})
PLAYER_CODES = frozenset(
    {
        "guid-missing",
        "guid-malformed",
        "guid-duplicate",
        "team-invalid",
        "no-weapons",
        "negative-value",
        "headshots-exceed-hits",
        "hits-exceed-shots",
        "bullets-mismatch",
        "dead-time-exceeds-played",
        "dead-ratio-over-100",
        "time-played-percent-out-of-range",
        "time-played-exceeds-round",
        "headshot-kills-exceed-kills",
        "kd-ratio-inconsistent",
    }
)
"""Validator codes about one player (the rules the pre-check decides to skip or run)."""


def test_every_registered_code_is_classified_here() -> None:
    """A new code must be added to one of the sets above (and, if per-player, tested below)."""
    groups = [TOKENIZER_CODES, HEADER_CODES, FILE_CODES, PLAYER_CODES]
    assert sum(map(len, groups)) == len(frozenset().union(*groups))
    assert frozenset().union(*groups) == set(STATS_CODES)


BASE_TAB: dict[str, int | float] = {
    n: (0.0 if n in FLOAT_TAB_FIELDS else 0) for n in TAB_LAYOUTS[38]
}
BASE_TAB.update(
    damage_given=1200,
    bullets_fired=20,
    kd_ratio=2.0,
    headshot_kills=1,
    time_played_minutes=5.0,
    time_dead_minutes=1.0,
    time_dead_ratio=20.0,
    time_played_percent=100.0,
    dpm=240.0,
)
BASE_WEAPON = {"index": 4, "hits": 10, "shots": 20, "kills": 2, "deaths": 1, "headshots": 3}
BASE_HEADER = StatsHeader("srv", "supply", "", 1, 1, 1, 600, 600, 700_000, 9)


def _file(
    tab: dict[str, Any] | None = None,
    weapon: dict[str, int] | None = None,
    no_weapons: bool = False,
    **player: Any,
) -> str:
    """One clean player line (no finding at all), with the given fields changed."""
    values = {**BASE_TAB, **(tab or {})}
    weapons = () if no_weapons else (WeaponStats(**{**BASE_WEAPON, **(weapon or {})}),)
    args = {"guid": "ABCDEF12", "raw_name": "p", "rounds": 0, "team": 1, **player}
    p = PlayerStats(weapons=weapons, tab=TabStats(38, **values), **args)
    return render_stats_round(StatsRound(BASE_HEADER, (p,)))


PER_PLAYER_CASES: list[tuple[str, str, str | None]] = [
    # (code, file text, the finding's field)
    ("guid-missing", _file(guid=""), "guid"),
    ("guid-malformed", _file(guid="abcdef12"), "guid"),
    ("guid-malformed", _file(guid="ABCDEF1"), "guid"),
    ("guid-malformed", _file(guid="ABCDEFG2"), "guid"),
    ("team-invalid", _file(team=0), "team"),
    ("team-invalid", _file(team=4), "team"),
    (
        "no-weapons",
        _file(no_weapons=True, tab={"bullets_fired": 0, "headshot_kills": 0, "kd_ratio": 1.0}),
        "weapon_mask",
    ),
    ("negative-value", _file(rounds=-1), "rounds"),
    ("negative-value", _file(weapon={"headshots": -1}), "WS_MP40.headshots"),
    ("negative-value", _file(tab={"damage_given": -1}), "damage_given"),
    ("negative-value", _file(tab={"revives_given": -5}), "revives_given"),
    ("negative-value", _file(tab={"tank_meatshield": -0.1}), "tank_meatshield"),
    ("headshots-exceed-hits", _file(weapon={"headshots": 11}), "WS_MP40.headshots"),
    ("hits-exceed-shots", _file(weapon={"hits": 21}), "WS_MP40.hits"),
    ("bullets-mismatch", _file(tab={"bullets_fired": 21}), "bullets_fired"),
    ("bullets-mismatch", _file(tab={"bullets_fired": 19}), "bullets_fired"),
    ("dead-time-exceeds-played", _file(tab={"time_dead_minutes": 5.1}), "time_dead_minutes"),
    ("dead-ratio-over-100", _file(tab={"time_dead_ratio": 100.1}), "time_dead_ratio"),
    (
        "time-played-percent-out-of-range",
        _file(tab={"time_played_percent": 100.1}),
        "time_played_percent",
    ),
    (
        "time-played-exceeds-round",
        _file(tab={"time_played_minutes": 12.8}),
        "time_played_minutes",
    ),
    ("headshot-kills-exceed-kills", _file(tab={"headshot_kills": 3}), "headshot_kills"),
    ("kd-ratio-inconsistent", _file(tab={"kd_ratio": 2.1}), "kd_ratio"),
    ("kd-ratio-inconsistent", _file(tab={"kd_ratio": 1.9}), "kd_ratio"),
    ("kd-ratio-inconsistent", _file(weapon={"deaths": 0}), "kd_ratio"),  # expects kills + 1
    # big numbers take the fast path's fallback (>= 10,000): the rules still run
    (
        "hits-exceed-shots",
        _file(weapon={"hits": 20_001, "shots": 20_000}, tab={"bullets_fired": 20_000}),
        "WS_MP40.hits",
    ),
    ("bullets-mismatch", _file(weapon={"shots": 20_000}), "bullets_fired"),
    (
        "headshot-kills-exceed-kills",
        _file(weapon={"kills": 20_000}, tab={"headshot_kills": 20_001, "kd_ratio": 20_000.0}),
        "headshot_kills",
    ),
]
_GUID_DUP = _file().replace("\n", "\n" + _file().split("\n")[1] + "\n", 1)


def _clean_file_has_no_findings() -> None:
    assert parse_stats_text(_file()).findings == ()


@pytest.mark.parametrize(
    ("code", "text", "field"),
    PER_PLAYER_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(PER_PLAYER_CASES)],
)
def test_each_per_player_rule_is_reported_alone(code: str, text: str, field: str | None) -> None:
    _clean_file_has_no_findings()
    rnd = parse_stats_text(text)
    assert [(f.code, f.line, f.field) for f in rnd.findings] == [(code, 2, field)]
    assert rnd.findings[0].player_guid == rnd.players[0].guid
    with strict_parser():
        strict = parse_stats_text(text)
    assert keys(rnd.findings) == keys(strict.findings)
    # the public, hint-free validator over the same model agrees
    assert keys(tuple(validate_stats_round(rnd))) == keys(rnd.findings)


def test_guid_duplicate_is_reported() -> None:
    rnd = parse_stats_text(_GUID_DUP)
    assert len(rnd.players) == 2
    assert [(f.code, f.line, f.player_guid) for f in rnd.findings] == [
        ("guid-duplicate", 3, "ABCDEF12")
    ]


def test_every_per_player_code_has_a_case() -> None:
    covered = {c for c, _, _ in PER_PLAYER_CASES} | {"guid-duplicate"}
    assert covered == PLAYER_CODES


@pytest.mark.parametrize(
    "tab",
    [
        {"kd_ratio": 2.0},
        {"time_dead_minutes": 5.0},
        {"time_dead_ratio": 100.0},
        {"time_played_percent": 0.0},
        {"time_played_percent": -0.0},
        {"headshot_kills": 2},
        {"time_played_minutes": 12.6},
    ],
)
def test_values_on_a_rule_boundary_report_nothing(tab: dict[str, float]) -> None:
    assert parse_stats_text(_file(tab=tab)).findings == ()


# --- the real corpus, fast vs strict ----------------------------------------------------------


@pytest.mark.corpus
def test_every_real_file_parses_the_same_fast_and_strict(real_stats_files: list[Path]) -> None:
    assert real_stats_files
    for path in real_stats_files:
        fast = parse_stats_file(path)
        with strict_parser():
            strict = parse_stats_file(path)
        assert to_json(fast) == to_json(strict), path.name
        assert keys(fast.findings) == keys(strict.findings), path.name


# --- 5. the whole-line reader and the store classes ---------------------------------------------


class _GeneralPathForbidden(tokens_mod.Tokenizer):
    """A tokenizer whose general line path fails the test: only the whole-line reader runs."""

    def player(self, text: str, line: int) -> PlayerStats | None:
        raise AssertionError(f"line {line} went to the general path")


def _read_fast(text: str) -> tuple[list[PlayerStats], list[Any]]:
    lines = text.split("\n")[:-1]
    return lines_mod.read_players(_GeneralPathForbidden("x"), lines, False)


@pytest.mark.parametrize("layout", sorted(TAB_LAYOUTS))
@pytest.mark.parametrize("weapons", [0, 1, 3, WEAPON_COUNT])
def test_canonical_lines_take_the_whole_line_reader(layout: int, weapons: int) -> None:
    values = {n: (1.5 if n in FLOAT_TAB_FIELDS else 7) for n in TAB_LAYOUTS[layout]}
    tab = TabStats(layout, **values)  # type: ignore[arg-type]
    tuples = tuple(WeaponStats(j, 9, 9 + j, j % 3, 1, 2) for j in range(weapons))
    p = PlayerStats("ABCDEF12", "^1a b", 3, 2, tuples, tab)
    text = render_stats_round(StatsRound(StatsHeader("s", "m", "", 1, 1, 2, 600, 300), (p,)))
    players, hints = _read_fast(text)
    assert players == [p]
    assert players[0].line == 2
    assert type(players[0]) is PlayerStats
    assert type(players[0].tab) is TabStats
    assert hints[0] is not True  # kd_ratio 1.5 is wrong for these tuples: a rule fires
    with strict_parser():
        strict = parse_stats_text(text)
    assert to_json(parse_stats_text(text)) == to_json(strict)
    assert keys(parse_stats_text(text).findings) == keys(strict.findings)


def test_the_canonical_reader_hints_the_weapon_sums_of_clean_tuples() -> None:
    players, hints = _read_fast(_file())
    p = players[0]
    assert hints == [(p.kills, p.deaths, p.shots, True)]
    for code, text, _ in PER_PLAYER_CASES:
        try:
            players, hints = _read_fast(text)
        except AssertionError:  # not canonical (a negative or big number): general path
            continue
        if code in ("headshots-exceed-hits", "hits-exceed-shots"):
            assert hints == [None]  # a per-weapon rule fires: no sums are vouched for
        else:
            p = players[0]
            assert hints == [(p.kills, p.deaths, p.shots, True)]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("\\0\\1\\", "\\00\\1\\"),
        ("\\0\\1\\", "\\0\\+1\\"),
        ("\\0\\1\\", "\\0\\10000\\"),
        ("\\16 ", "\\016 "),
        ("\\16 ", "\\17 "),
        ("\\16 ", "\\268435472 "),
        (" \t", "  \t"),
        (" \t", "\t"),
        ("\t0\t", "\t00\t"),
        ("\t0\t", "\t10000\t"),
        ("\t0\t", "\t-1\t"),
        ("\\p\\", "\\p\\q\\"),
        (".0\t", ".00\t"),
        (".0\t", "\t"),
        ("\\16 10 ", "\\16 10000 "),
    ],
)
def test_non_canonical_lines_go_to_the_general_path(old: str, new: str) -> None:
    text = _file()
    assert old in text
    bad = text.replace(old, new, 1)
    with pytest.raises(AssertionError, match="general path"):
        _read_fast(bad)
    with strict_parser():
        strict = parse_stats_text(bad)
    fast = parse_stats_text(bad)
    assert to_json(fast) == to_json(strict)
    assert keys(fast.findings) == keys(strict.findings)


def test_the_mask_table_accepts_only_canonical_masks() -> None:
    masks = lines_mod._MASKS
    assert masks["0"] == ()
    assert masks["5"] == (0, 2)
    assert masks[str((1 << WEAPON_COUNT) - 1)] == tuple(range(WEAPON_COUNT))
    for bad in ("01", "-1", "+1", "", " 1", "1 ", str(1 << WEAPON_COUNT), "1e3", "\u0661"):
        with pytest.raises(KeyError):
            masks[bad]
        assert bad not in masks


def test_sealed_objects_are_frozen_model_instances() -> None:
    built = sealed_builder(TabStats, ("gibs",), fixed={"layout": 33})(4)
    assert type(built) is TabStats
    assert built == TabStats(33, gibs=4)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.gibs = 5  # type: ignore[misc]


@pytest.mark.parametrize("bullets", [9_999, 10_000, 29_157, 10**17, 10**18 - 1])
def test_big_bullets_fired_stays_on_the_whole_line_reader(bullets: int) -> None:
    """bullets_fired is the one real field past the 9,999 table (5 % of real lines)."""
    text = _file(tab={"bullets_fired": bullets})
    players, hints = _read_fast(text)
    assert players[0].tab is not None
    assert players[0].tab.bullets_fired == bullets
    assert hints == [(2, 1, 20, True)]  # bullets-mismatch fires: the validator runs the rules
    with strict_parser():
        strict = parse_stats_text(text)
    fast = parse_stats_text(text)
    assert to_json(fast) == to_json(strict)
    assert keys(fast.findings) == keys(strict.findings)
    assert [f.code for f in fast.findings] == ["bullets-mismatch"]


@pytest.mark.parametrize("bullets", ["010000", "+10000", "-10000", "1000000000000000000", "1e4"])
def test_non_canonical_big_bullets_fired_goes_to_the_general_path(bullets: str) -> None:
    text = _file().replace("\t20\t", f"\t{bullets}\t", 1)
    assert text != _file()
    with pytest.raises(AssertionError, match="general path"):
        _read_fast(text)
    with strict_parser():
        strict = parse_stats_text(text)
    fast = parse_stats_text(text)
    assert to_json(fast) == to_json(strict)
    assert keys(fast.findings) == keys(strict.findings)


# --- 6. the file read -----------------------------------------------------------------------


def test_the_file_read_gives_the_same_round_for_a_file_and_a_pipe(tmp_path: Path) -> None:
    import os
    import threading

    from etstats.errors import ParseError

    text = _file()
    regular = tmp_path / "2026-11-25-120000-supply-round-1.txt"
    regular.write_text(text)
    fifo = tmp_path / "fifo-2026-11-25-120000-supply-round-1.txt"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_text, args=(text,))
    writer.start()
    from_pipe = parse_stats_file(fifo)
    writer.join(10)
    from_file = parse_stats_file(regular)
    assert from_pipe == from_file
    assert keys(from_pipe.findings) == keys(from_file.findings)
    assert from_pipe.provenance is not None
    assert from_file.provenance is not None
    assert attrs.evolve(from_pipe.provenance, path=None) == attrs.evolve(
        from_file.provenance, path=None
    )
    assert from_file.provenance.sha256 == parse_stats_text(text).provenance.sha256  # type: ignore[union-attr]
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(ParseError, match="empty file"):
        parse_stats_file(tmp_path / "empty.txt")
    with pytest.raises(ParseError, match="cannot read file"):
        parse_stats_file(tmp_path)
    with pytest.raises(ParseError, match="cannot read file"):
        parse_stats_file(tmp_path / "missing.txt")
