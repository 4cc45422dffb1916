"""Turn parsed models into the rows of the per-round tables (column order of
:data:`etstats.storage.base.ROUND_TABLES`; the first value, ``round_id``, is filled in later).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from math import isfinite
from operator import attrgetter
from typing import Any

from etstats.model.stats import TAB_LAYOUTS
from etstats.storage.base import ROUND_TABLES, Row


@cache
def _tab_text(layout: int) -> tuple[tuple[str, ...], attrgetter[Any], str]:
    """Per TAB layout: the field names sorted, a getter of their values in that order, and
    the JSON text with a ``%r`` per value."""
    names = tuple(sorted(TAB_LAYOUTS[layout]))
    template = "{" + ", ".join(json.dumps(n) + ": %r" for n in names) + "}"
    return names, attrgetter(*names), template


def _tab_json(tab: Any) -> str | None:
    """The TAB fields as JSON with sorted keys (``json.dumps(..., sort_keys=True)``).

    Ints and finite floats print in JSON as their ``repr``, so the common line is one
    ``%`` into a per-layout template (a third of the time of ``json.dumps``, a tenth of the
    per-player row cost); a line with a missing (``None``) or non-finite value goes through
    ``json.dumps`` (``sum`` refuses a ``None``: cheaper than looking for one first)."""
    if tab is None:
        return None
    names, get, template = _tab_text(tab.layout)
    values = get(tab)
    if len(names) == 1:
        values = (values,)
    try:
        plain = isfinite(sum(values))
    except TypeError:  # a None among them
        plain = False
    if plain:
        text: str = template % values
        return text
    return json.dumps(dict(zip(names, values, strict=True)))


_LINE = ROUND_TABLES["player_round_stats"]
_TAB_NAMES = tuple(
    "denied_playtime" if column == "denied_playtime_seconds" else column
    for column in _LINE[_LINE.index("damage_given") : _LINE.index("tab_json")]
)
"""The TAB values with a column of their own in ``player_round_stats``, in column order."""
_TAB_COLUMNS = attrgetter(*_TAB_NAMES)
_NO_TAB = (None,) * len(_TAB_NAMES)


def stats_rows(
    model: Any, round_id: int, scopes: Sequence[str] | None = None
) -> dict[str, list[Row]]:
    """Player and weapon rows of a :class:`etstats.model.stats.StatsRound`.

    ``model`` holds the values to store (a paired round 2 already differenced, see
    :mod:`etstats.ingest.r2scope`); ``scopes`` gives each player's ``values_scope``
    (default ``round``), copied onto his weapon rows.
    """
    players: list[Row] = []
    weapons: list[Row] = []
    if scopes is None:
        scopes = ("round",) * len(model.players)
    for i, (p, scope) in enumerate(zip(model.players, scopes, strict=True)):
        t = p.tab
        kills = deaths = 0
        for w in p.weapons:  # PlayerStats.kills / .deaths, summed with the weapon rows
            kills += w.kills
            deaths += w.deaths
            weapons.append(
                (round_id, i, w.index, w.hits, w.shots, w.kills, w.deaths, w.headshots, scope)
            )
        players.append(
            (
                round_id,
                i,
                p.guid,
                p.name,
                p.raw_name,
                p.team,
                p.rounds,
                kills,
                deaths,
                *(_NO_TAB if t is None else _TAB_COLUMNS(t)),
                _tab_json(t),
                scope,
            )
        )
    return {"player_round_stats": players, "weapon_stats": weapons}


def stats_round_values(model: Any) -> dict[str, Any]:
    """Header values copied onto the ``rounds`` row."""
    h = model.header
    return {
        "hostname": h.server_name,
        "winner_team": h.winner_team,
        "defender_team": h.defender_team,
        "time_limit_seconds": h.time_limit_seconds,
        "clock_seconds": h.clock_seconds,
        "playtime_ms": h.playtime_ms,
        "tab_layout": model.tab_layout,
    }


def legacy_lua_rows(model: Any, sha: str, round_id: int) -> dict[str, list[Row]]:
    """Rows of a :class:`etstats.model.legacy_gametimes.LegacyGametimes`."""
    meta, pay = model.meta, model.payload
    timing: Row = (
        round_id,
        sha,
        "legacy",
        meta.round_start_unix,
        meta.round_end_unix,
        meta.actual_duration_seconds,
        meta.pause_seconds,
        meta.pause_count,
        meta.warmup_seconds,
        pay.end_reason if pay else None,
        pay.winner if pay else None,
        pay.defender if pay else None,
        model.version and ".".join(map(str, model.version)),
    )
    pauses = [
        (round_id, p.n, p.start_unix, p.end_unix, float(p.seconds))
        for p in ((pay.pauses or ()) if pay else ())
    ]
    pauses = list({r[1]: r for r in pauses}.values())  # one row per pause number
    spawns = [
        (
            round_id,
            i,
            s.guid,
            s.name,
            s.spawns,
            s.deaths,
            float(s.dead_seconds),
            float(s.avg_respawn),
            float(s.max_respawn),
        )
        for i, s in enumerate(meta.spawn_stats)
    ]
    return {"lua_timing": [timing], "pauses": pauses, "spawn_stats": spawns}


def v1_lua_rows(model: Any, sha: str, round_id: int) -> dict[str, list[Row]]:
    """Rows of an etstats v1 :class:`etstats.model.gametimes.Gametimes` (ms -> seconds)."""
    end = model.end
    timing: Row = (
        round_id,
        sha,
        "v1",
        model.round_start_unix,
        model.round_end_unix,
        model.play_ms / 1000.0,
        model.pause_total_ms / 1000.0,
        len(model.pauses),
        None if model.warmup_ms is None else model.warmup_ms / 1000.0,
        str(end.reason),
        end.winner,
        end.defender,
        model.producer.version,
    )
    pauses = [
        (round_id, i + 1, p.start_unix, p.end_unix, p.duration_ms / 1000.0)
        for i, p in enumerate(model.pauses)
    ]
    spawns = [
        (
            round_id,
            i,
            p.guid or "",
            p.name,
            p.spawns,
            p.deaths,
            p.dead_ms / 1000.0,
            (p.dead_ms / 1000.0 / p.deaths) if p.deaths else 0.0,
            None,
        )
        for i, p in enumerate(model.players)
    ]
    return {"lua_timing": [timing], "pauses": pauses, "spawn_stats": spawns}


def endstats_rows(model: Any, round_id: int) -> dict[str, list[Row]]:
    """Award and versus rows of a :class:`etstats.model.endstats.EndstatsRound`."""
    awards = [
        (round_id, i, a.name, a.player_name, a.value_text, a.value)
        for i, a in enumerate(model.awards)
    ]
    versus = [
        (round_id, i, v.subject_name, v.subject_guid, v.opponent_name, v.kills, v.deaths)
        for i, v in enumerate(model.versus)
    ]
    return {"endstats_awards": awards, "endstats_versus": versus}
