"""The JSON record of a parsed stats file, as ``etstats parse`` prints it (one per line).

Keys: ``source``; ``header`` (server_name, map_name, config, round_number, defender_team,
winner_team, time_limit_seconds, clock_seconds, playtime_ms, field_count); ``provenance``;
``tab_layout``; ``players`` (guid, name, raw_name, team, rounds, line, tab_layout, ``weapons``
keyed by WS name with hits/shots/kills/deaths/headshots, then the 38 TAB fields under the
spec's key names, ``null`` when the line's layout lacks the field or has no TAB section);
``findings``. Units as in the model: clocks in seconds, f9 in milliseconds.
"""

from __future__ import annotations

import json
from typing import Any

from etstats.model.stats import TAB_FIELDS_38, PlayerStats, StatsRound, WeaponStats
from etstats.serde import to_builtins

HEADER_KEYS: tuple[str, ...] = (
    "server_name", "map_name", "config", "round_number", "defender_team", "winner_team",
    "time_limit_seconds", "clock_seconds", "playtime_ms", "field_count",
)  # fmt: skip


def _weapon(w: WeaponStats) -> dict[str, int]:
    return {"hits": w.hits, "shots": w.shots, "kills": w.kills, "deaths": w.deaths,
            "headshots": w.headshots}  # fmt: skip


def player_record(player: PlayerStats) -> dict[str, Any]:
    """One player's JSON object."""
    record: dict[str, Any] = {
        "guid": player.guid,
        "name": player.name,
        "raw_name": player.raw_name,
        "team": player.team,
        "rounds": player.rounds,
        "line": player.line,
        "tab_layout": player.tab.layout if player.tab is not None else None,
        "weapons": {w.name: _weapon(w) for w in player.weapons},
    }
    tab = player.tab
    for name in TAB_FIELDS_38:
        record[name] = getattr(tab, name) if tab is not None and name in tab.field_names else None
    return record


def stats_round_record(rnd: StatsRound, *, source: str | None = None) -> dict[str, Any]:
    """The JSON object of a whole file (``source`` defaults to the provenance path)."""
    prov = rnd.provenance
    if source is None:
        source = prov.path if prov is not None and prov.path is not None else "<input>"
    return {
        "source": source,
        "header": {key: getattr(rnd.header, key) for key in HEADER_KEYS},
        "provenance": to_builtins(prov) if prov is not None else None,
        "tab_layout": rnd.tab_layout,
        "players": [player_record(p) for p in rnd.players],
        "findings": [to_builtins(f) for f in rnd.findings],
    }


def stats_round_json(
    rnd: StatsRound, *, source: str | None = None, ascii_only: bool = False
) -> str:
    """:func:`stats_round_record` as one line of JSON."""
    return json.dumps(stats_round_record(rnd, source=source), ensure_ascii=ascii_only,
                      allow_nan=False)  # fmt: skip


__all__ = ["HEADER_KEYS", "player_record", "stats_round_json", "stats_round_record"]
