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
import json.encoder
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from etstats.model.common import Finding, Provenance
from etstats.model.stats import (
    TAB_FIELDS_38,
    TAB_LAYOUTS,
    WEAPON_NAMES,
    PlayerStats,
    StatsRound,
    TabStats,
    WeaponStats,
)

HEADER_KEYS: tuple[str, ...] = (
    "server_name",
    "map_name",
    "config",
    "round_number",
    "defender_team",
    "winner_team",
    "time_limit_seconds",
    "clock_seconds",
    "playtime_ms",
    "field_count",
)


def _weapon(w: WeaponStats) -> dict[str, int]:
    return {
        "hits": w.hits,
        "shots": w.shots,
        "kills": w.kills,
        "deaths": w.deaths,
        "headshots": w.headshots,
    }


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


def provenance_record(prov: Provenance) -> dict[str, Any]:
    """The provenance's JSON object: what :func:`etstats.serde.to_builtins` gives (a test
    keeps them equal), without importing cattrs (a third of ``etstats parse``'s import time)."""
    ts = prov.file_timestamp
    return {
        "sha256": prov.sha256,
        "size_bytes": prov.size_bytes,
        "path": prov.path,
        "file_timestamp": None if ts is None else ts.isoformat(),
        "file_map": prov.file_map,
        "file_round": prov.file_round,
    }


def finding_record(f: Finding) -> dict[str, Any]:
    """A finding's JSON object, as :func:`provenance_record` (``severity`` as its value)."""
    return {
        "code": f.code,
        "severity": f.severity.value,
        "message": f.message,
        "source": f.source,
        "line": f.line,
        "field": f.field,
        "expected": f.expected,
        "actual": f.actual,
        "player_guid": f.player_guid,
    }


def stats_round_record(rnd: StatsRound, *, source: str | None = None) -> dict[str, Any]:
    """The JSON object of a whole file (``source`` defaults to the provenance path)."""
    prov = rnd.provenance
    if source is None:
        source = prov.path if prov is not None and prov.path is not None else "<input>"
    return {
        "source": source,
        "header": {key: getattr(rnd.header, key) for key in HEADER_KEYS},
        "provenance": provenance_record(prov) if prov is not None else None,
        "tab_layout": rnd.tab_layout,
        "players": [player_record(p) for p in rnd.players],
        "findings": [finding_record(f) for f in rnd.findings],
    }


def stats_round_json(
    rnd: StatsRound, *, source: str | None = None, ascii_only: bool = False
) -> str:
    """:func:`stats_round_record` as one line of JSON.

    The same text as ``json.dumps(stats_round_record(rnd), ensure_ascii=ascii_only,
    allow_nan=False)`` (a test checks it), about 3x faster: ``etstats parse`` spends most of
    its time here. Every number of the players (about 60 a player) goes through one call of
    the standard library's C encoder, as one list; its text is split on the list separator
    and laid into templates holding the keys. Each piece is then exactly what ``json.dumps``
    writes for that value. If the count of pieces differs from the count of values (a value
    that is not a number, whose text holds the separator) or a player repeats a weapon (a
    dict would merge the two), the record is written with ``json.dumps`` instead.
    """
    dumps = _DUMPS_ASCII if ascii_only else _DUMPS
    text = _encode_string_ascii if ascii_only else _encode_string
    prov = rnd.provenance
    if source is None:
        source = prov.path if prov is not None and prov.path is not None else "<input>"
    players = rnd.players
    numbers: list[Any] = []
    add = numbers.extend
    for p in players:
        tab = p.tab
        add((p.team, p.rounds, p.line, None if tab is None else tab.layout))
        for w in p.weapons:
            add((w.hits, w.shots, w.kills, w.deaths, w.headshots))
        if tab is not None:
            add(
                _TAB_VALUES[tab.layout](tab)
                if tab.layout in _TAB_VALUES
                else [getattr(tab, n) if n in tab.field_names else None for n in TAB_FIELDS_38]
            )
    pieces = _NUMBERS(numbers)[1:-1].split(", ") if numbers else []
    if len(pieces) != len(numbers):
        return dumps(stats_round_record(rnd, source=source))
    out: list[str] = []
    k = 0
    templates = _PLAYER_TEMPLATES
    for p in players:
        tab = p.tab
        shape = (tuple([w.index for w in p.weapons]), tab is not None)
        template = templates.get(shape)
        if template is None:
            if len(set(shape[0])) != len(shape[0]):  # a repeated weapon: a dict merges them
                return dumps(stats_round_record(rnd, source=source))
            template = _player_template(shape)
        n = 4 + 5 * len(shape[0]) + (38 if shape[1] else 0)
        out.append(template % (text(p.guid), text(p.name), text(p.raw_name), *pieces[k : k + n]))
        k += n
    header = rnd.header
    return (
        f'{{"source": {text(source)}, '
        f'"header": {dumps({key: getattr(header, key) for key in HEADER_KEYS})}, '
        f'"provenance": {dumps(provenance_record(prov) if prov is not None else None)}, '
        f'"tab_layout": {dumps(rnd.tab_layout)}, "players": [{", ".join(out)}], '
        f'"findings": {dumps([finding_record(f) for f in rnd.findings])}}}'
    )


_DUMPS = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
_DUMPS_ASCII = json.JSONEncoder(ensure_ascii=True, allow_nan=False).encode
_NUMBERS = json.JSONEncoder(allow_nan=False).encode
_encode_string: Callable[[str], str] = getattr(json.encoder, "c_encode_basestring", None) or (
    json.encoder.py_encode_basestring
)
_encode_string_ascii: Callable[[str], str] = (
    getattr(json.encoder, "c_encode_basestring_ascii", None)
    or json.encoder.py_encode_basestring_ascii
)
_PLAYER_TEMPLATES: dict[tuple[tuple[int, ...], bool], str] = {}
"""Per player shape (the WS indexes of its weapons, whether it has a TAB section): the
player's JSON object with a ``%s`` for each string and number (a few hundred a season)."""


def _player_template(shape: tuple[tuple[int, ...], bool]) -> str:
    indexes, has_tab = shape
    weapons = ", ".join(
        f'"{WEAPON_NAMES[i]}": {{"hits": %s, "shots": %s, "kills": %s, "deaths": %s, '
        f'"headshots": %s}}'
        for i in indexes
    )
    tab = ", ".join(f'"{name}": {"%s" if has_tab else "null"}' for name in TAB_FIELDS_38)
    template = (
        f'{{"guid": %s, "name": %s, "raw_name": %s, "team": %s, "rounds": %s, '
        f'"line": %s, "tab_layout": %s, "weapons": {{{weapons}}}, {tab}}}'
    )
    if len(_PLAYER_TEMPLATES) >= 4096:
        _PLAYER_TEMPLATES.clear()
    _PLAYER_TEMPLATES[shape] = template
    return template


def _layout_values(layout: int) -> Callable[[TabStats], list[Any]]:
    """The 38 record values of a ``layout`` TAB section (``None`` where it lacks the field)."""
    present = TAB_LAYOUTS[layout]
    get = attrgetter(*present)
    if present == TAB_FIELDS_38:
        return lambda tab: list(get(tab))
    slots = [TAB_FIELDS_38.index(n) for n in present]

    def values(tab: TabStats) -> list[Any]:
        row: list[Any] = [None] * len(TAB_FIELDS_38)
        for i, v in zip(slots, get(tab), strict=True):
            row[i] = v
        return row

    return values


_TAB_VALUES = {layout: _layout_values(layout) for layout in TAB_LAYOUTS}


__all__ = [
    "HEADER_KEYS",
    "finding_record",
    "player_record",
    "provenance_record",
    "stats_round_json",
    "stats_round_record",
]
