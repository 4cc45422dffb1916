"""The statistics a career, leaderboard or record can rank, and how SQL computes each.

A statistic is a *sum* (one column or TAB field summed over player lines) or a *rate* (the ratio
of two sums: never an average of per-round ratios). Names follow ``etstats parse`` output
(``damage_given``, ``gibs``, ``revives_given`` ...), plus ``kills``, ``deaths`` and the rates.

Identifiers in the SQL below come only from these fixed tables, never from input.
"""

from __future__ import annotations

from attrs import frozen

from etstats.errors import EtStatsError

LINE_COLUMNS: tuple[str, ...] = (
    "kills",
    "deaths",
    "damage_given",
    "damage_received",
    "team_damage_given",
    "team_damage_received",
    "gibs",
    "self_kills",
    "team_kills",
    "xp",
    "headshot_kills",
    "revives_given",
    "times_revived",
    "time_played_minutes",
    "time_dead_minutes",
    "denied_playtime_seconds",
)
"""Summable columns of ``player_round_stats``."""

WEAPON_PARTS: tuple[str, ...] = ("hits", "shots", "headshots")
"""Parts summed from ``weapon_stats`` (over every weapon of the line)."""

TAB_FIELDS: tuple[str, ...] = (
    "team_gibs",
    "killing_spree",
    "death_spree",
    "kill_assists",
    "kill_steals",
    "objectives_stolen",
    "objectives_returned",
    "dynamites_planted",
    "dynamites_defused",
    "bullets_fired",
    "useful_kills",
    "useless_kills",
    "full_selfkills",
    "repairs_constructions",
)
"""Summable TAB fields without a column of their own on SQLite (read from ``tab_json`` with
``json_extract``); PostgreSQL keeps each in a column ``tab_<field>`` as well (migration 0014)."""

OBJECTIVE_FIELDS: tuple[str, ...] = (
    "objectives_stolen",
    "objectives_returned",
    "dynamites_planted",
    "dynamites_defused",
)


@frozen
class Rate:
    numerator: str
    denominator: str
    scale: float = 1.0
    """Multiplier applied to the ratio (1.0: shares stay 0..1)."""


RATES: dict[str, Rate] = {
    "kd": Rate("kills", "deaths"),
    "dpm": Rate("damage_given", "time_played_minutes"),
    "accuracy": Rate("hits", "shots"),
    "headshot_share": Rate("headshots", "hits"),
    "dead_share": Rate("time_dead_minutes", "time_played_minutes"),
}
"""Rates: ratio of two summed parts."""

DERIVED_SUMS: dict[str, tuple[str, ...]] = {"objectives": OBJECTIVE_FIELDS}
"""Sums of several parts."""


class UnknownStatistic(EtStatsError):
    """A statistic name the store cannot rank."""


def stat_names() -> tuple[str, ...]:
    """Every rankable statistic name, sums first, then rates."""
    return (*LINE_COLUMNS, *WEAPON_PARTS, *TAB_FIELDS, *DERIVED_SUMS, *RATES)


def line_holds(stat: str) -> bool:
    """Whether one player line holds ``stat``'s value (not a weapon part, nor a rate of
    them: those need the weapon lines)."""
    rate = RATES.get(stat)
    parts = (rate.numerator, rate.denominator) if rate is not None else (stat,)
    return not any(part in WEAPON_PARTS for part in parts)


def check_stat(stat: str) -> str:
    """``stat`` if known.

    :raises UnknownStatistic: naming the known statistics.
    """
    if stat not in stat_names():
        raise UnknownStatistic(
            f"statistic: expected one of {', '.join(stat_names())}; got {stat!r}"
        )
    return stat


MINUTE_PARTS: frozenset[str] = frozenset({"time_played_minutes", "time_dead_minutes"})
"""Parts summed as whole tenths of a minute (the stats file's precision), so a sum is exact
and does not depend on the order rows are added (float sums do)."""


def part_scale(part: str) -> int:
    """What :func:`part_sql` multiplies a part by (10 for minutes, else 1)."""
    return 10 if part in MINUTE_PARTS else 1


def tenths_sql(column: str) -> str:
    """Whole tenths of a minutes column (``p.`` prefixed)."""
    return f"CAST(ROUND(COALESCE(p.{column}, 0) * 10) AS INTEGER)"


def part_sql(part: str, dialect: str) -> str:
    """SQL of one part's value on a line (``p`` = player_round_stats); NULL counts as 0."""
    if part in MINUTE_PARTS:
        return tenths_sql(part)
    if part in LINE_COLUMNS:
        return f"COALESCE(p.{part}, 0)"
    if part in WEAPON_PARTS:
        # correlated through the weapon_stats primary key: no whole-table grouping
        return (
            f"COALESCE((SELECT SUM(ws.{part}) FROM weapon_stats ws WHERE "
            f"ws.round_id = p.round_id AND ws.player_index = p.player_index), 0)"
        )
    if part in TAB_FIELDS:
        return f"COALESCE({tab_sql(part, dialect)}, 0)"
    if part in DERIVED_SUMS:
        return "(" + " + ".join(part_sql(f, dialect) for f in DERIVED_SUMS[part]) + ")"
    raise UnknownStatistic(f"statistic: expected a summable part; got {part!r}")


def tab_sql(name: str, dialect: str) -> str:
    """A TAB field of a line: PostgreSQL's column (migration 0014: no JSON parse per line
    read), SQLite's ``json_extract`` of ``tab_json``. Both NULL where the line lacks it."""
    if dialect == "postgres":
        return f"p.tab_{name}"
    return f"json_extract(p.tab_json, '$.{name}')"


def value_sql(stat: str, dialect: str, *, summed: bool) -> str:
    """SQL of a statistic's value: over a group (``summed``: SUM of parts, rates as the ratio
    of sums) or of one line (rates of that line's parts). Division by zero gives NULL."""
    check_stat(stat)
    rate = RATES.get(stat)
    if rate is None:
        part = part_sql(stat, dialect)
        value = f"SUM({part})" if summed else part
        scale = part_scale(stat)
        return value if scale == 1 else f"({value} / {float(scale)})"
    num, den = part_sql(rate.numerator, dialect), part_sql(rate.denominator, dialect)
    if summed:
        num, den = f"SUM({num})", f"SUM({den})"
    # exact integer sums, then one division: the same value whatever the row order
    factor = float(part_scale(rate.denominator)) / part_scale(rate.numerator)
    return f"(1.0 * {num} * {factor} / NULLIF({den}, 0))"


NOT_BOT = "(substr(UPPER(p.guid), 1, 7) <> 'OMNIBOT' AND substr(UPPER(p.name), 1, 5) <> '[BOT]')"
"""A line counts unless it is an Omni-bot's (GUID or ``[BOT]`` name)."""

PLAYER_GUID = "COALESCE(al.player_guid, p.guid)"
"""The canonical GUID of a line (after merges); needs :data:`ALIAS_JOIN`."""

ALIAS_JOIN = "LEFT JOIN player_aliases al ON al.guid = p.guid"
