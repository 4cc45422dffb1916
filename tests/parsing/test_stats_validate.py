"""Semantic findings of stats files (etstats.validate.stats) and the code registry."""

from __future__ import annotations

import re

import attrs
import pytest
from tests.helpers import ROOT

from etstats.model.common import Provenance, Severity
from etstats.model.stats import PlayerStats, StatsHeader, StatsRound, TabStats, WeaponStats
from etstats.validate import STATS_CODES, validate_stats_round
from etstats.validate.stats import expected_kd_ratio

DOCS = ROOT / "docs" / "formats" / "stats.md"


def header(**kw: object) -> StatsHeader:
    base: dict[str, object] = {
        "server_name": "s",
        "map_name": "supply",
        "config": "",
        "round_number": 1,
        "defender_team": 1,
        "winner_team": 2,
        "time_limit_seconds": 600,
        "clock_seconds": 300,
    }
    base.update(kw)
    return StatsHeader(**base)  # type: ignore[arg-type]


def player(weapons: tuple[WeaponStats, ...] = (), **tab: object) -> PlayerStats:
    kd = expected_kd_ratio(sum(w.kills for w in weapons), sum(w.deaths for w in weapons))
    values: dict[str, object] = {
        "bullets_fired": sum(w.shots for w in weapons),
        "kd_ratio": kd,
        "time_played_minutes": 4.0,
    }
    values.update(tab)
    return PlayerStats("7B84BE88", "p", 0, 1, weapons, TabStats(38, **values))  # type: ignore[arg-type]


def found(rnd: StatsRound) -> set[str]:
    return {f.code for f in validate_stats_round(rnd)}


MP40 = WeaponStats(4, hits=10, shots=30, kills=2, deaths=1, headshots=3)


def test_clean_round_has_only_the_dpm_note() -> None:
    assert found(StatsRound(header(), (player((MP40,)),))) == {"dpm-always-zero"}


@pytest.mark.parametrize(
    ("winner", "clock", "bad"),
    [(2, 300, False), (2, 600, True), (1, 600, False), (1, 300, True), (0, 300, False)],
)
def test_round1_outcome_rule(winner: int, clock: int, bad: bool) -> None:
    rnd = StatsRound(header(winner_team=winner, clock_seconds=clock))
    assert ("r1-outcome-inconsistent" in found(rnd)) is bad


@pytest.mark.parametrize(("clock", "bad"), [(0, True), (601, True), (600, False), (300, False)])
def test_round2_clock_rule(clock: int, bad: bool) -> None:
    rnd = StatsRound(header(round_number=2, clock_seconds=clock))
    assert ("r2-clock-unusable" in found(rnd)) is bad


def test_round_number_comes_from_the_file_name() -> None:
    prov = Provenance(sha256="0" * 64, size_bytes=1, file_round=2, file_map="supply")
    rnd = StatsRound(header(round_number=1, clock_seconds=0), provenance=prov)
    assert {"r2-clock-unusable", "round-mismatch"} <= found(rnd)
    assert "map-mismatch" not in found(rnd)


def test_splash_weapons_may_hit_more_than_they_shoot() -> None:
    grenade = WeaponStats(11, hits=5, shots=2)
    luger = WeaponStats(2, hits=5, shots=2)
    assert "hits-exceed-shots" not in found(StatsRound(header(), (player((grenade,)),)))
    assert "hits-exceed-shots" in found(StatsRound(header(), (player((luger,)),)))


def test_headshots_above_hits_is_an_error() -> None:
    rnd = StatsRound(header(), (player((WeaponStats(4, hits=1, shots=5, headshots=2),)),))
    (f,) = [f for f in validate_stats_round(rnd) if f.code == "headshots-exceed-hits"]
    assert f.severity is Severity.ERROR
    assert f.field == "WS_MP40.headshots"


def test_dead_time_overcount_and_ratio() -> None:
    p = player((MP40,), time_dead_minutes=12.3, time_played_minutes=10.0, time_dead_ratio=123.0)
    assert {"dead-time-exceeds-played", "dead-ratio-over-100"} <= found(StatsRound(header(), (p,)))


def test_bullets_rules_depend_on_the_layout() -> None:
    p38 = player((MP40,), bullets_fired=31)
    assert "bullets-mismatch" in found(StatsRound(header(), (p38,)))
    old = attrs.evolve(p38, tab=TabStats(37, bullets_fired=5000, kd_ratio=2.0))
    codes = found(StatsRound(header(), (old,)))
    assert "bullets-mismatch" not in codes
    assert "bullets-unreliable" in codes


@pytest.mark.parametrize(
    ("kills", "deaths", "kd"),
    [(8, 1, 8.0), (5, 0, 6.0), (1, 3, 0.3), (1, 4, 0.3), (3, 8, 0.4), (0, 0, 1.0)],
)
def test_expected_kd_ratio_rounds_half_up_and_adds_one_without_deaths(
    kills: int, deaths: int, kd: float
) -> None:
    assert expected_kd_ratio(kills, deaths) == kd


def test_duplicate_guids_and_guid_forms() -> None:
    a = player((MP40,))
    bots = [attrs.evolve(a, guid="OMNIBOT0"), attrs.evolve(a, guid="OMNIBOT0")]
    findings = validate_stats_round(StatsRound(header(), (a, a, *bots)))
    dup = [f for f in findings if f.code == "guid-duplicate"]
    assert [f.player_guid for f in dup] == ["7B84BE88"]  # all Omni-bots share one GUID
    assert "guid-malformed" in found(StatsRound(header(), (attrs.evolve(a, guid="7b84be88"),)))


@pytest.mark.parametrize(
    ("ms", "code"),
    [
        (-58000, "playtime-negative"),
        (0, "playtime-zero"),
        (242, "playtime-maybe-seconds"),
        (241533, None),
    ],
)
def test_playtime_findings(ms: int, code: str | None) -> None:
    codes = found(StatsRound(header(field_count=9, playtime_ms=ms)))
    playtime = {c for c in codes if c.startswith("playtime")}
    assert playtime == ({code} if code else set())


def test_codes_are_kebab_case_and_documented() -> None:
    for code in STATS_CODES:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", code), code
    text = DOCS.read_text(encoding="utf-8")
    for code, info in STATS_CODES.items():
        row = re.search(rf"^\| `{re.escape(code)}` \| (\w+) \|", text, re.MULTILINE)
        assert row is not None, f"{code} missing from {DOCS.name}"
        assert row.group(1) == info.severity.value, code


@pytest.mark.parametrize(
    ("round_number", "limit", "clock", "played", "bad"),
    [
        (1, 600, 300, 6.0, False),  # 360 s <= 300 + 60
        (1, 600, 300, 6.1, True),
        (2, 300, 200, 9.3, False),  # cumulative: R1 clock 300 + R2 200 + 60 = 560 s
        (2, 300, 200, 9.4, True),
        (2, 300, 0, 99.0, False),  # reset R2 clock: no bound
        (2, 300, 900, 99.0, False),  # garbage R2 clock: no bound
    ],
)
def test_time_played_cannot_exceed_the_round(
    round_number: int, limit: int, clock: int, played: float, bad: bool
) -> None:
    h = header(round_number=round_number, time_limit_seconds=limit, clock_seconds=clock)
    rnd = StatsRound(h, (player((MP40,), time_played_minutes=played),))
    assert ("time-played-exceeds-round" in found(rnd)) is bad
