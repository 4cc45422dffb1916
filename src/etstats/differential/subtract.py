"""The round-2 differential: turn a cumulative R2 stats round into R2-only values.

Field classes (spec section 5, docs/differential.md):

* **cumulative engine counters** (every weapon tuple field and the TAB fields in
  :data:`CUMULATIVE_TAB_FIELDS`): R2 − R1;
* **per-round Lua counters** (:data:`etstats.model.stats.PER_ROUND_TAB_FIELDS`): the R2 value;
* **ratios** (:data:`etstats.model.stats.RATIO_TAB_FIELDS`): recomputed from the R2-only values,
  never subtracted (see :func:`recompute_ratios`).

A player whose engine counters went *down* from R1 to R2 reconnected (the engine reset his
stats): his R2 values are kept raw and a ``counter-reset`` finding names him.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from operator import attrgetter

import attrs

from etstats._sealing import sealed_builder
from etstats.differential.pairing import round_map, round_source
from etstats.model.common import Finding, Severity
from etstats.model.stats import (
    PER_ROUND_TAB_FIELDS,
    RATIO_TAB_FIELDS,
    TAB_FIELDS_38,
    PlayerStats,
    StatsRound,
    TabStats,
    WeaponStats,
    build_player_stats,
    build_stats_round,
    build_weapon_stats,
)

WEAPON_COUNTERS: tuple[str, ...] = ("hits", "shots", "kills", "deaths", "headshots")
"""The five fields of a weapon tuple (all cumulative in R2)."""

CUMULATIVE_TAB_FIELDS: tuple[str, ...] = tuple(
    f for f in TAB_FIELDS_38 if f not in PER_ROUND_TAB_FIELDS and f not in RATIO_TAB_FIELDS
)
"""TAB fields the engine keeps across the stopwatch restart (R2 holds R1 + R2): damage, gibs,
self/team kills, bullets fired and ``time_played_minutes``."""

NON_MONOTONIC_SHOTS: frozenset[int] = frozenset({0, 1})
"""WS indexes whose ``shots`` may go *down* from R1 to R2 without a reconnect: the knives.
Real data: WS_KNIFE shots lower in R2 for 61 of ~400 matched players (by 1 to 5; knife stabs
on corpses take attempts back), WS_KNIFE_KBAR once; every other counter never decreases except
on a reconnect. These are not reset evidence; their difference is clamped at 0."""

_TAB_FIELDS: tuple[str, ...] = tuple(a.name for a in attrs.fields(TabStats))
_TAB_AT = {name: i for i, name in enumerate(_TAB_FIELDS)}
_CUMULATIVE_AT = tuple(_TAB_AT[name] for name in CUMULATIVE_TAB_FIELDS)
_MINUTES_AT = _TAB_AT["time_played_minutes"]
_all_tab = attrgetter(*_TAB_FIELDS)
_cumulative_tab = attrgetter(*CUMULATIVE_TAB_FIELDS)
_weapon_counters = attrgetter(*WEAPON_COUNTERS)
_NO_COUNTERS = (0,) * len(WEAPON_COUNTERS)
_build_tab: Callable[..., TabStats] = sealed_builder(TabStats)
"""``TabStats`` from every field in field order, unchecked (TabStats has no validator)."""

TANK_DIVISOR = 130.0
"""The engine's tank/meatshield divisor (spec 4.5)."""


def round1(value: float) -> float:
    """Round half up to 0.1, like the script (``math.floor(x * 10 + 0.5) / 10``).

    Verified on real 38-field R1 lines: the TAB K/D is 1.3 for 5 kills / 4 deaths (1.25), which
    printf-style half-even rounding would write as 1.2.
    """
    return math.floor(value * 10 + 0.5) / 10


def player_key(player: PlayerStats) -> tuple[str, str]:
    """Identity used to match a player across R1 and R2.

    Humans: the GUID8 alone (a renamed player still matches). Bots (all ``OMNIBOT0``) and
    players without a GUID: GUID plus the colour-stripped name.
    """
    guid = player.guid
    # "[" not in the raw name: the colour-stripped name cannot start with "[BOT]" (stripping
    # only removes characters), so a GUID that is not OMNIBOT's settles it without the name.
    if guid and "[" not in player.raw_name and not guid.upper().startswith("OMNIBOT"):
        return (guid, "")
    if player.is_bot or not guid:
        return (guid, player.name)
    return (guid, "")


def kd_ratio(kills: int, deaths: int) -> float:
    """The script's K/D rule: kills ÷ deaths rounded to 0.1, ``kills + 1`` when deaths is 0."""
    if deaths <= 0:
        return float(kills + 1)
    return round1(kills / deaths)


def tank_meatshield(damage_received: int, deaths: int) -> float:
    """The script's tank/meatshield rule applied to end-of-round values (spec 4.5).

    (received ÷ deaths, or received + 1 when deaths is 0) ÷ 130, kept only when received
    > 1000 HP and the ratio > 3; else 0.0. The script's "sticky" earlier value cannot be
    rebuilt from end-of-round totals, so it is not reproduced.
    """
    ratio = (damage_received / deaths if deaths > 0 else damage_received + 1) / TANK_DIVISOR
    if damage_received > 1000 and ratio > 3:
        return round1(ratio)
    return 0.0


def lowered_counters(p1: PlayerStats, p2: PlayerStats) -> list[str]:
    """Names of the engine counters that are lower in R2 than in R1 (a counter reset)."""
    lowered: list[str] = []
    by_index = {w.index: w for w in p2.weapons}
    for w1 in p1.weapons:
        w2 = by_index.get(w1.index)
        if (
            w2 is not None
            and w2.hits >= w1.hits
            and w2.shots >= w1.shots
            and w2.kills >= w1.kills
            and w2.deaths >= w1.deaths
            and w2.headshots >= w1.headshots
        ):
            continue  # the common tuple: nothing went down
        v2 = _weapon_counters(w2) if w2 is not None else _NO_COUNTERS
        for name, a, b in zip(WEAPON_COUNTERS, _weapon_counters(w1), v2, strict=True):
            if name == "shots" and w1.index in NON_MONOTONIC_SHOTS:
                continue
            if b < a:
                lowered.append(f"{w1.name}.{name}")
    if p1.tab is not None and p2.tab is not None:
        for name, a, b in zip(
            CUMULATIVE_TAB_FIELDS, _cumulative_tab(p1.tab), _cumulative_tab(p2.tab), strict=True
        ):
            if b < a:
                lowered.append(name)
    return lowered


def subtract_weapons(
    w1s: Iterable[WeaponStats], w2s: Iterable[WeaponStats]
) -> tuple[tuple[WeaponStats, ...], list[str]]:
    """R2 − R1 per weapon tuple; tuples that become all zero are dropped (mask semantics).

    :returns: the R2-only tuples and the names of knife ``shots`` counters that went down
        (clamped to 0, see :data:`NON_MONOTONIC_SHOTS`).
    """
    by_index = {w.index: w for w in w1s}
    r2_indexes = set()
    out: list[WeaponStats] = []
    clamped: list[str] = []
    for w2 in w2s:
        r2_indexes.add(w2.index)
        w1 = by_index.get(w2.index)
        if w1 is None:
            out.append(w2)
            continue
        hits = w2.hits - w1.hits
        shots = w2.shots - w1.shots
        kills = w2.kills - w1.kills
        deaths = w2.deaths - w1.deaths
        headshots = w2.headshots - w1.headshots
        if shots < 0:
            clamped.append(f"{w2.name}.shots {w1.shots}->{w2.shots}")
            shots = 0
        if hits or shots or kills or deaths or headshots:
            # w2.index is a valid WS index already (the validator's only check)
            out.append(build_weapon_stats(w2.index, hits, shots, kills, deaths, headshots))
    for w1 in by_index.values():
        if w1.index not in r2_indexes and w1.shots:  # knife tuple gone: only shots were set
            clamped.append(f"{w1.name}.shots {w1.shots}->0")
    return tuple(out), clamped


def recompute_ratios(
    t1: TabStats, t2: TabStats, *, minutes: float, weapons: Iterable[WeaponStats]
) -> dict[str, float]:
    """The five ratio fields for R2-only values.

    :param t1: the player's R1 TAB values.
    :param t2: the player's R2 TAB values (cumulative engine fields).
    :param minutes: R2-only minutes on a team (R2 − R1 ``time_played_minutes``).
    :param weapons: the differenced (R2-only) weapon tuples.
    """
    ws = tuple(weapons)
    kills = sum(w.kills for w in ws)
    deaths = sum(w.deaths for w in ws)
    damage_given = t2.damage_given - t1.damage_given
    damage_received = t2.damage_received - t1.damage_received
    if minutes > 0:
        alive1 = t1.time_played_percent * t1.time_played_minutes / 100.0
        alive2 = t2.time_played_percent * t2.time_played_minutes / 100.0
        pct = min(100.0, max(0.0, (alive2 - alive1) / minutes * 100.0))
        dead_ratio = t2.time_dead_minutes / minutes * 100.0
        dpm = damage_given / minutes
    else:
        pct = dead_ratio = dpm = 0.0
    return {
        "time_played_percent": round1(pct),
        "time_dead_ratio": round1(dead_ratio),
        "dpm": round1(dpm),
        "kd_ratio": kd_ratio(kills, deaths),
        "tank_meatshield": tank_meatshield(damage_received, deaths),
    }


def subtract_player(p1: PlayerStats, p2: PlayerStats) -> tuple[PlayerStats, list[str]]:
    """R2-only values of one player present in both files with no counter reset.

    Identity fields (GUID, name, rounds, team) and per-round TAB fields are R2's.

    :returns: the player and the knife shot counters clamped at 0.
    """
    weapons, clamped = subtract_weapons(p1.weapons, p2.weapons)
    tab = p2.tab
    if p1.tab is not None and p2.tab is not None:
        t1, t2 = p1.tab, p2.tab
        # Every field of t2 in field order, the cumulative ones replaced by R2 - R1 and the
        # ratios recomputed: what attrs.evolve(t2, **changes) builds, through the sealed
        # builder (TabStats has no validator; the values are R2's or differences of them).
        values = list(_all_tab(t2))
        for i, a, b in zip(_CUMULATIVE_AT, _cumulative_tab(t1), _cumulative_tab(t2), strict=True):
            values[i] = b - a
        minutes = round1(t2.time_played_minutes - t1.time_played_minutes)
        values[_MINUTES_AT] = minutes
        ratios = recompute_ratios(t1, t2, minutes=float(minutes), weapons=weapons)
        for name, value in ratios.items():
            values[_TAB_AT[name]] = value
        tab = _build_tab(*values)
    player = build_player_stats(p2.guid, p2.raw_name, p2.rounds, p2.team, weapons, tab, p2.line)
    return player, clamped


def _who(player: PlayerStats) -> str:
    """How a finding names a player: his colour-stripped name and GUID."""
    return f"{player.name!r} ({player.guid or 'no GUID'})"


def _player_finding(
    code: str, severity: Severity, message: str, r2: StatsRound, player: PlayerStats
) -> Finding:
    return Finding(
        code=code,
        severity=severity,
        message=message,
        source=round_source(r2),
        line=player.line,
        player_guid=player.guid,
    )


def round2_differential(r1: StatsRound, r2: StatsRound) -> StatsRound:
    """R2-only values of a round-2 stats round, given its round-1 round.

    The result keeps R2's header, player order and provenance; its findings are R2's findings
    plus ``r2-differenced`` (info) and one finding per player that could not be differenced
    (``counter-reset``, ``duplicate-player``, ``tab-layout-mismatch``) or was dropped
    (``round-1-only-player``). Works on in-memory rounds (no provenance needed).
    """
    findings: list[Finding] = list(r2.findings)
    src1 = round_source(r1)
    findings.append(
        Finding(
            code="r2-differenced",
            severity=Severity.INFO,
            message=f"round-2 values are R2-only: cumulative fields differenced against {src1}",
            source=round_source(r2),
        )
    )
    if r1.round_number != 1 or r2.round_number != 2 or round_map(r1) != round_map(r2):
        findings.append(
            Finding(
                code="pair-mismatch",
                severity=Severity.WARNING,
                message=(
                    f"differenced {round_map(r2)} round {r2.round_number} against "
                    f"{round_map(r1)} round {r1.round_number}"
                ),
                source=round_source(r2),
            )
        )
    # each player's key once (a bot's needs his colour-stripped name)
    r1_keys = [player_key(p) for p in r1.players]
    r2_keys = [player_key(p) for p in r2.players]
    keys1 = Counter(r1_keys)
    keys2 = Counter(r2_keys)
    by_key1 = dict(zip(r1_keys, r1.players, strict=True))
    players: list[PlayerStats] = []
    for p2, key in zip(r2.players, r2_keys, strict=True):
        p1 = by_key1.get(key)
        if keys2[key] > 1 or keys1.get(key, 0) > 1:
            who = _who(p2)
            where = "round 2" if keys2[key] > 1 else "round 1"
            findings.append(
                _player_finding(
                    "duplicate-player",
                    Severity.WARNING,
                    f"player {who} appears more than once in {where}; not differenced, "
                    "values kept raw (cumulative R1+R2)",
                    r2,
                    p2,
                )
            )
            players.append(p2)
        elif p1 is None:
            players.append(p2)  # joined in R2: his R2 values are already R2-only
        elif (p1.tab is None) != (p2.tab is None) or (
            p1.tab is not None and p2.tab is not None and p1.tab.layout != p2.tab.layout
        ):
            who = _who(p2)
            findings.append(
                _player_finding(
                    "tab-layout-mismatch",
                    Severity.WARNING,
                    f"player {who} has different TAB layouts in R1 and R2; values kept raw",
                    r2,
                    p2,
                )
            )
            players.append(p2)
        elif lowered := lowered_counters(p1, p2):
            who = _who(p2)
            findings.append(
                _player_finding(
                    "counter-reset",
                    Severity.WARNING,
                    f"player {who}: engine counters lower in R2 than in R1 "
                    f"({', '.join(lowered[:5])}{', ...' if len(lowered) > 5 else ''}); "
                    "reconnect assumed, R2 values kept raw",
                    r2,
                    p2,
                )
            )
            players.append(p2)
        else:
            player, clamped = subtract_player(p1, p2)
            players.append(player)
            if clamped:
                who = _who(p2)
                findings.append(
                    _player_finding(
                        "knife-shots-decreased",
                        Severity.INFO,
                        f"player {who}: knife shots lower in R2 than in R1 "
                        f"({', '.join(clamped)}); R2-only knife shots set to 0",
                        r2,
                        p2,
                    )
                )
    for p1, key in zip(r1.players, r1_keys, strict=True):
        if keys1[key] == 1 and key not in keys2:
            findings.append(
                Finding(
                    code="round-1-only-player",
                    severity=Severity.INFO,
                    message=f"player {p1.name!r} ({p1.guid or 'no GUID'}) is only in round 1; "
                    "dropped from the round-2 values",
                    source=round_source(r2),
                    player_guid=p1.guid,
                )
            )
    return build_stats_round(r2.header, tuple(players), r2.provenance, tuple(findings))
