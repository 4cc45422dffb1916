"""Semantic checks of a parsed stats file (cross-field rules that hold on real data).

:func:`validate_stats_round` is called by the parser; it can also be run on a model built in
code. It never raises; every result is a :class:`Finding` whose code is registered in
:mod:`etstats.validate.codes` (meanings and severities: docs/formats/stats.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat
from operator import attrgetter
from typing import cast

from etstats.model.common import Finding
from etstats.model.stats import (
    SPLASH_WEAPONS,
    TAB_LAYOUTS,
    PlayerStats,
    StatsHeader,
    StatsRound,
    TabStats,
)
from etstats.validate.codes import make_finding

_TUPLE_FIELDS = ("hits", "shots", "kills", "deaths", "headshots")
_GET_LAYOUT = attrgetter("layout")
_GET_DPM = attrgetter("dpm")
_LAYOUT_GETTERS = {n: attrgetter(*names) for n, names in TAB_LAYOUTS.items()}
_Add = Callable[[str, str, str | None, str, str], None]
KD_TOLERANCE = 0.05
"""kd_ratio may differ from the recomputed value by this much (one-decimal rounding)."""
_KD_LIMIT = KD_TOLERANCE + 1e-9

PlayerHint = tuple[int, int, int, bool]
"""What a parser proved of one player while reading it, for :func:`validate_stats_round`:
``(kills, deaths, shots, tab_clean)``, the player's weapon kills, deaths and shots sums, and
whether no TAB value is negative. Only given for a player whose weapon tuples all pass the
per-weapon checks (no negative number, headshots <= hits, hits <= shots unless a splash
weapon); the validator then skips those checks and the sums. The findings are the same with
or without hints."""
_HEX = "0123456789ABCDEF"


def clock_text(seconds: int | None) -> str:
    """``M:SS`` text of a clock in seconds (``"?"`` for unknown)."""
    if seconds is None:
        return "?"
    return f"{seconds // 60}:{seconds % 60:02d}"


def expected_kd_ratio(kills: int, deaths: int) -> float:
    """TAB[26] as the script computes it: round-half-up(kills/deaths, 1), or kills+1.

    Exact integer arithmetic: round-half-up(10k/d) = floor((20k + d) / 2d) for d > 0.
    """
    if deaths <= 0:
        return float(kills + 1)
    return ((20 * kills + deaths) // (2 * deaths)) / 10


def validate_stats_round(
    rnd: StatsRound, *, source: str = "", hints: Sequence[PlayerHint | None] | None = None
) -> list[Finding]:
    """All semantic findings for ``rnd`` (header, per-player and whole-file checks).

    ``source`` names the file in the findings. ``hints`` (optional, aligned with
    ``rnd.players``) is what the parser already proved of each player (a :data:`PlayerHint`,
    or ``None`` for a player it proved nothing of); the result is the same either way.
    """
    out = _header_findings(rnd, source)
    players = rnd.players
    if hints is not None and len(hints) != len(players):
        raise ValueError(f"{len(hints)} hints for {len(players)} players")
    seen: set[str] = set()
    reported: set[str] = set()
    for player, hint in zip(players, hints or repeat(None, len(players)), strict=True):
        _player_findings(player, source, hint, out)
        guid = player.guid
        if not guid or guid.upper().startswith("OMNIBOT"):  # bots all collide
            continue
        if guid not in seen:
            seen.add(guid)
        elif guid not in reported:
            reported.add(guid)
            out.append(
                make_finding(
                    "guid-duplicate",
                    f"GUID {guid} appears on more than one line",
                    source=source,
                    line=player.line,
                    field="guid",
                    player_guid=guid,
                )
            )
    out.extend(_file_findings(rnd, source))
    out.extend(_played_time_findings(rnd, source))
    return out


PLAYED_TIME_SLACK_SECONDS = 60
"""Allowance (seconds) before time played counts as longer than the round."""


def round_time_bound_seconds(rnd: StatsRound) -> int | None:
    """Upper bound (seconds) of the time a player can have spent on a team in this file.

    R1: f8 (the attack time, or f7 on a hold - an overstatement, never an understatement),
    or f9 when it is larger. R2 (time played is cumulative): f7 (= R1's clock) + f8, only when
    the R2 clock is usable (0 < f8 <= f7). ``None`` when unknown.
    """
    h = rnd.header
    limit, clock = h.time_limit_seconds, h.clock_seconds
    if clock is None:
        return None
    if rnd.round_number == 1:
        measured = h.playtime_ms // 1000 if h.playtime_ms and h.playtime_ms > 0 else 0
        return max(clock, measured)
    if rnd.round_number == 2 and limit is not None and 0 < clock <= limit:
        return limit + clock
    return None


def _played_time_findings(rnd: StatsRound, source: str) -> list[Finding]:
    bound = round_time_bound_seconds(rnd)
    if bound is None:
        return []
    out = []
    limit = bound + PLAYED_TIME_SLACK_SECONDS
    for p in rnd.players:
        tab = p.tab
        if tab is not None and tab.time_played_minutes * 60 > limit:
            out.append(
                make_finding(
                    "time-played-exceeds-round",
                    "time played is longer than the round allows",
                    source=source,
                    line=p.line,
                    field="time_played_minutes",
                    expected=f"<= {(bound + PLAYED_TIME_SLACK_SECONDS) / 60:.1f}",
                    actual=f"{tab.time_played_minutes:.1f}",
                    player_guid=p.guid,
                )
            )
    return out


def _header_findings(rnd: StatsRound, source: str) -> list[Finding]:
    h: StatsHeader = rnd.header
    out: list[Finding] = []

    def add(code: str, message: str, field: str, expected: str, actual: str) -> None:
        out.append(
            make_finding(
                code, message, source=source, line=1, field=field, expected=expected, actual=actual
            )
        )

    if not rnd.players:
        out.append(
            make_finding("header-only", "no player lines (nobody fired a weapon)", source=source)
        )
    if h.round_number not in (1, 2):
        add(
            "round-number-invalid",
            "f4 is not a stopwatch round number",
            "f4",
            "1 or 2",
            str(h.round_number),
        )
    prov = rnd.provenance
    if prov is not None and prov.file_round is not None and prov.file_round != h.round_number:
        add(
            "round-mismatch",
            "f4 differs from the file name's round; the name is used",
            "f4",
            str(prov.file_round),
            str(h.round_number),
        )
    if prov is not None and prov.file_map is not None and prov.file_map != h.map_name:
        add("map-mismatch", "f2 differs from the file name's map", "f2", prov.file_map, h.map_name)
    if h.defender_team not in (1, 2):
        add(
            "defender-out-of-range",
            "f5 (defending team) out of range",
            "f5",
            "1 or 2",
            str(h.defender_team),
        )
    if h.winner_team not in (0, 1, 2):
        add(
            "winner-out-of-range",
            "f6 (winning team) out of range",
            "f6",
            "0, 1 or 2",
            str(h.winner_team),
        )
    limit, clock = h.time_limit_seconds, h.clock_seconds
    round_number = rnd.round_number
    if (
        round_number == 1
        and limit is not None
        and clock is not None
        and h.defender_team in (1, 2)
        and h.winner_team in (1, 2)
    ):
        if h.winner_team != h.defender_team and clock >= limit:
            add(
                "r1-outcome-inconsistent",
                "attackers won but f8 is not below f7",
                "f8",
                f"< {clock_text(limit)}",
                clock_text(clock),
            )
        elif h.winner_team == h.defender_team and clock != limit:
            add(
                "r1-outcome-inconsistent",
                "defenders held but f8 differs from f7",
                "f8",
                clock_text(limit),
                clock_text(clock),
            )
    if round_number == 2 and clock is not None:
        if clock == 0:
            add(
                "r2-clock-unusable",
                "round-2 clock is 0:00 (reset); duration unknown",
                "f8",
                "a clock in 0:01..f7",
                "0:00",
            )
        elif limit is not None and clock > limit:
            add(
                "r2-clock-unusable",
                "round-2 clock exceeds f7 (fallback bug); duration unknown",
                "f8",
                f"<= {clock_text(limit)}",
                clock_text(clock),
            )
    if h.playtime_ms is not None:
        ms = h.playtime_ms
        if ms < 0:
            add(
                "playtime-negative",
                "f9 is negative (shutdown path); playtime unknown",
                "f9",
                "> 0 ms",
                str(ms),
            )
        elif ms == 0:
            add("playtime-zero", "f9 is 0; playtime unknown", "f9", "> 0 ms", "0")
        elif ms <= 10_000:
            add(
                "playtime-maybe-seconds",
                "f9 is small enough to be seconds, not milliseconds",
                "f9",
                "> 10000 ms",
                str(ms),
            )
    return out


def _player_findings(
    p: PlayerStats, source: str, hint: PlayerHint | None, out: list[Finding]
) -> None:
    guid = p.guid

    def add(code: str, message: str, field: str | None, expected: str, actual: str) -> None:
        out.append(
            make_finding(
                code,
                message,
                source=source,
                line=p.line,
                field=field,
                expected=expected,
                actual=actual,
                player_guid=guid,
            )
        )

    if not guid:
        add("guid-missing", "player has an empty GUID", "guid", "8 hex digits", "")
    elif (len(guid) != 8 or guid.strip(_HEX)) and not guid.upper().startswith("OMNIBOT"):
        add(
            "guid-malformed",
            "GUID is not 8 uppercase hex digits",
            "guid",
            "8 uppercase hex digits",
            guid,
        )
    if p.team not in (1, 2, 3):
        add(
            "team-invalid",
            "team is not Axis, Allies or spectator",
            "team",
            "1, 2 or 3",
            str(p.team),
        )
    if p.rounds < 0:
        add("negative-value", "rounds is negative", "rounds", ">= 0", str(p.rounds))
    weapons = p.weapons
    if not weapons:
        add("no-weapons", "player line has no weapon tuples (mask 0)", "weapon_mask", "> 0", "0")
    tab = p.tab
    if hint is not None:  # the parser proved the per-weapon checks pass
        if tab is not None:
            _tab_findings(tab, hint[0], hint[1], hint[2], add, not hint[3])
        return
    kills = deaths = shots = 0
    for w in weapons:
        hits, w_shots, w_kills, w_deaths, heads = w.hits, w.shots, w.kills, w.deaths, w.headshots
        kills += w_kills
        deaths += w_deaths
        shots += w_shots
        if (hits | w_shots | w_kills | w_deaths | heads) < 0:  # any negative
            for fname in _TUPLE_FIELDS:
                value = getattr(w, fname)
                if value < 0:
                    add(
                        "negative-value",
                        f"{w.name} {fname} is negative",
                        f"{w.name}.{fname}",
                        ">= 0",
                        str(value),
                    )
        if heads > hits:
            add(
                "headshots-exceed-hits",
                f"{w.name} has more headshots than hits",
                f"{w.name}.headshots",
                f"<= {hits}",
                str(heads),
            )
        if hits > w_shots and w.index not in SPLASH_WEAPONS:
            add(
                "hits-exceed-shots",
                f"{w.name} has more hits than shots",
                f"{w.name}.hits",
                f"<= {w_shots}",
                str(hits),
            )
    if tab is not None:
        _tab_findings(tab, kills, deaths, shots, add, True)


def _tab_findings(
    tab: TabStats, kills: int, deaths: int, shots: int, add: _Add, check_negative: bool
) -> None:
    """TAB checks; ``kills``/``deaths``/``shots`` are the player's weapon sums.

    ``check_negative=False`` when the caller knows no TAB value is negative.
    """
    if check_negative:
        getter = _LAYOUT_GETTERS.get(tab.layout)
        values: tuple[int | float | None, ...] = getter(tab) if getter is not None else ()
        if None in values or min(cast("tuple[float, ...]", values), default=0) < 0:
            for fname, value in zip(tab.field_names, values, strict=True):
                if value is not None and value < 0:
                    add("negative-value", f"{fname} is negative", fname, ">= 0", str(value))
    if tab.layout == 38 and tab.bullets_fired != shots:
        add(
            "bullets-mismatch",
            "bullets_fired differs from the sum of weapon shots",
            "bullets_fired",
            str(shots),
            str(tab.bullets_fired),
        )
    played, dead = tab.time_played_minutes, tab.time_dead_minutes
    if dead > played:
        add(
            "dead-time-exceeds-played",
            "time dead exceeds time played (dead-time overcount)",
            "time_dead_minutes",
            f"<= {played:.1f}",
            f"{dead:.1f}",
        )
    if tab.time_dead_ratio > 100.0:
        add(
            "dead-ratio-over-100",
            "time dead ratio above 100 % (dead-time overcount)",
            "time_dead_ratio",
            "<= 100.0",
            f"{tab.time_dead_ratio:.1f}",
        )
    percent = tab.time_played_percent
    if not 0.0 <= percent <= 100.0:
        add(
            "time-played-percent-out-of-range",
            "time played percent outside 0..100",
            "time_played_percent",
            "0.0..100.0",
            f"{percent:.1f}",
        )
    if tab.headshot_kills > kills:
        add(
            "headshot-kills-exceed-kills",
            "more headshot kills than weapon kills",
            "headshot_kills",
            f"<= {kills}",
            str(tab.headshot_kills),
        )
    # round-half-up(kills/deaths, 1) as in expected_kd_ratio, inlined (hot path)
    expected = float(kills + 1) if deaths <= 0 else ((20 * kills + deaths) // (2 * deaths)) / 10
    if abs(tab.kd_ratio - expected) > _KD_LIMIT:
        add(
            "kd-ratio-inconsistent",
            "kd_ratio differs from the weapon kills/deaths",
            "kd_ratio",
            f"{expected:.1f}",
            f"{tab.kd_ratio:.1f}",
        )


def _file_findings(rnd: StatsRound, source: str) -> list[Finding]:
    tabs = [p.tab for p in rnd.players if p.tab is not None]
    out: list[Finding] = []
    layouts = set(map(_GET_LAYOUT, tabs))
    old = sorted(layouts & {33, 36, 37})
    if old:
        out.append(
            make_finding(
                "bullets-unreliable",
                "bullets_fired is inflated in this layout; use the sum of shots",
                source=source,
                field="bullets_fired",
                actual=f"{old[0]}-field TAB section",
            )
        )
    if 36 in layouts:
        out.append(
            make_finding(
                "denied-time-unreliable",
                "denied_playtime of 36-field files is implausible",
                source=source,
                field="denied_playtime",
                actual="36-field TAB section",
            )
        )
    if tabs and not any(map(_GET_DPM, tabs)):  # every dpm == 0.0 (0.0 and -0.0 are false)
        out.append(
            make_finding(
                "dpm-always-zero",
                "dpm is 0.0 for every player (script bug); recompute it",
                source=source,
                field="dpm",
                actual="0.0",
            )
        )
    return out


__all__ = [
    "KD_TOLERANCE",
    "PLAYED_TIME_SLACK_SECONDS",
    "PlayerHint",
    "clock_text",
    "expected_kd_ratio",
    "round_time_bound_seconds",
    "validate_stats_round",
]
