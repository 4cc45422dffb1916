"""Turn parsed models into the rows of the per-round tables (column order of
:data:`etstats.storage.base.ROUND_TABLES`).

Two steps, so that the part of a row that depends on one file alone is built once per parsed
file (in a parse worker when there is one: docs/performance.md, "Row tails"):

* a *tail* is a row without its leading ``round_id`` (a Lua timing row also without the
  artifact's SHA-256, a player or weapon line also without its trailing ``values_scope``):
  :func:`stats_tails`, :func:`lua_tails`, :func:`endstats_tails`, or all of a parsed
  artifact's at once, kept on it, with :func:`file_tails`;
* the rows of a round put the round id (and scope, SHA-256) around them: :func:`stats_rows`,
  :func:`lua_rows`, :func:`endstats_rows`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from math import isfinite
from operator import attrgetter
from typing import Any

from etstats.ingest.artifacts import ArtifactKind
from etstats.model.stats import TAB_LAYOUTS
from etstats.storage.base import ROUND_TABLES, Row

Tail = tuple[Any, ...]
"""A row without its round id (see the module docstring for what else it leaves out)."""
Tails = dict[str, list[Tail]]
"""Table -> the tails of one file's rows, in row order."""


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


def stats_tails(model: Any) -> Tails:
    """Player and weapon line tails of a :class:`etstats.model.stats.StatsRound`: a player's
    from ``player_index`` to ``tab_json``, a weapon's from ``player_index`` to ``headshots``."""
    players: list[Tail] = []
    weapons: list[Tail] = []
    for i, p in enumerate(model.players):
        t = p.tab
        kills = deaths = 0
        for w in p.weapons:  # PlayerStats.kills / .deaths, summed with the weapon rows
            kills += w.kills
            deaths += w.deaths
            weapons.append((i, w.index, w.hits, w.shots, w.kills, w.deaths, w.headshots))
        players.append(
            (
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
            )
        )
    return {"player_round_stats": players, "weapon_stats": weapons}


def stats_rows(
    model: Any,
    round_id: int,
    scopes: Sequence[str] | None = None,
    tails: Tails | None = None,
) -> dict[str, list[Row]]:
    """Player and weapon rows of a :class:`etstats.model.stats.StatsRound`.

    ``model`` holds the values to store (a paired round 2 already differenced, see
    :mod:`etstats.ingest.r2scope`); ``scopes`` gives each player's ``values_scope``
    (default ``round``), copied onto his weapon rows. ``tails``: ``stats_tails(model)``
    when already built.
    """
    if tails is None:
        tails = stats_tails(model)
    players, weapons = tails["player_round_stats"], tails["weapon_stats"]
    if scopes is None:
        scopes = ("round",) * len(players)
    if len(scopes) != len(players):
        raise ValueError(f"{len(scopes)} scopes for {len(players)} players")
    if len(set(scopes)) <= 1:  # the common case: one scope for the whole round
        s = scopes[0] if scopes else "round"
        return {
            "player_round_stats": [(round_id, *t, s) for t in players],
            "weapon_stats": [(round_id, *t, s) for t in weapons],
        }
    return {
        "player_round_stats": [(round_id, *t, s) for t, s in zip(players, scopes, strict=True)],
        "weapon_stats": [(round_id, *t, scopes[t[0]]) for t in weapons],
    }


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


def legacy_lua_tails(model: Any) -> Tails:
    """Tails of a :class:`etstats.model.legacy_gametimes.LegacyGametimes` (the timing row's
    from ``format`` on)."""
    meta, pay = model.meta, model.payload
    timing: Tail = (
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
        (p.n, p.start_unix, p.end_unix, float(p.seconds))
        for p in ((pay.pauses or ()) if pay else ())
    ]
    pauses = list({r[0]: r for r in pauses}.values())  # one row per pause number
    spawns = [
        (
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


def v1_lua_tails(model: Any) -> Tails:
    """Tails of an etstats v1 :class:`etstats.model.gametimes.Gametimes` (ms -> seconds; the
    timing row's from ``format`` on)."""
    end = model.end
    timing: Tail = (
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
        (i + 1, p.start_unix, p.end_unix, p.duration_ms / 1000.0)
        for i, p in enumerate(model.pauses)
    ]
    spawns = [
        (
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


def lua_rows(tails: Tails, sha: str, round_id: int) -> dict[str, list[Row]]:
    """Rows of a gametimes artifact (``sha``) from its :func:`legacy_lua_tails` or
    :func:`v1_lua_tails`."""
    return {
        "lua_timing": [(round_id, sha, *t) for t in tails["lua_timing"]],
        "pauses": [(round_id, *t) for t in tails["pauses"]],
        "spawn_stats": [(round_id, *t) for t in tails["spawn_stats"]],
    }


def legacy_lua_rows(model: Any, sha: str, round_id: int) -> dict[str, list[Row]]:
    """Rows of a :class:`etstats.model.legacy_gametimes.LegacyGametimes`."""
    return lua_rows(legacy_lua_tails(model), sha, round_id)


def v1_lua_rows(model: Any, sha: str, round_id: int) -> dict[str, list[Row]]:
    """Rows of an etstats v1 :class:`etstats.model.gametimes.Gametimes` (ms -> seconds)."""
    return lua_rows(v1_lua_tails(model), sha, round_id)


def endstats_tails(model: Any) -> Tails:
    """Award and versus tails of a :class:`etstats.model.endstats.EndstatsRound`."""
    return {
        "endstats_awards": [
            (i, a.name, a.player_name, a.value_text, a.value) for i, a in enumerate(model.awards)
        ],
        "endstats_versus": [
            (i, v.subject_name, v.subject_guid, v.opponent_name, v.kills, v.deaths)
            for i, v in enumerate(model.versus)
        ],
    }


def endstats_rows(model: Any, round_id: int, tails: Tails | None = None) -> dict[str, list[Row]]:
    """Award and versus rows of a :class:`etstats.model.endstats.EndstatsRound`
    (``tails``: ``endstats_tails(model)`` when already built)."""
    if tails is None:
        tails = endstats_tails(model)
    return {table: [(round_id, *t) for t in rows] for table, rows in tails.items()}


_TAILS_OF = {
    ArtifactKind.STATS: stats_tails,
    ArtifactKind.ENDSTATS: endstats_tails,
    ArtifactKind.GAMETIMES_LEGACY: legacy_lua_tails,
    ArtifactKind.GAMETIMES: v1_lua_tails,
}


def file_tails(parsed: Any) -> Tails:
    """The tails of a :class:`etstats.ingest.extract.ParsedArtifact`'s own model, built on
    the first call and kept on it (``parsed.tails``) for the next (a parse worker builds
    them and they travel with the model)."""
    tails: Tails = parsed.tails
    if not tails:
        tails.update(_TAILS_OF[parsed.kind](parsed.model))
    return tails


def prebuild_tails(parsed: Any) -> None:
    """:func:`file_tails` ahead of need, for a parse worker: every file's except a round-2
    stats file's, whose round usually stores values differenced against its round 1 (built
    then, in the main process) rather than the file's own."""
    if parsed.kind is not ArtifactKind.STATS or parsed.facts.round_number != 2:
        file_tails(parsed)
