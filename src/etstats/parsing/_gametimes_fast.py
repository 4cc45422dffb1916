"""Private: the fast path of the gametimes v1 parser, for documents that are valid.

:func:`fast_gametimes` checks a decoded document against exactly the rules of the strict
cattrs converter in :mod:`etstats.parsing.gametimes` (every key present, none extra; exact
JSON types, no ``true`` for an integer; enum values; the model's validators) and builds the
model with the sealed builders of :mod:`etstats.model.gametimes`, without cattrs' generated
hooks or the attrs validators (most of the parse time: a file has about 100 deaths).

It only ever accepts: any value it does not vouch for raises :class:`NotFast`, and the caller
then runs the cattrs path, whose result or error messages are thus the same as before by
construction. ``tests/parsing/test_gametimes_fast_props.py`` keeps the cattrs path as the
oracle: the fast path never accepts what cattrs rejects, and builds the equal model.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from etstats.model.gametimes import (
    ClosedBy,
    Death,
    Emit,
    End,
    EndReason,
    Gametimes,
    KillKind,
    Limbo,
    Pause,
    Player,
    Producer,
    Server,
    build_death,
    build_end,
    build_gametimes,
    build_limbo,
    build_pause,
    build_player,
    build_producer,
    build_server,
)


class NotFast(Exception):
    """The fast path does not vouch for this document: use the cattrs path."""


_HEX = "0123456789ABCDEF"


def _fields(cls: type) -> tuple[str, ...]:
    return tuple(a.name for a in cls.__attrs_attrs__)  # type: ignore[attr-defined]


def _keys(cls: type) -> frozenset[str]:
    return frozenset(_fields(cls))


_PRODUCER_KEYS, _get_producer = _keys(Producer), itemgetter(*_fields(Producer))
_SERVER_KEYS, _get_server = _keys(Server), itemgetter(*_fields(Server))
_PAUSE_KEYS, _get_pause = _keys(Pause), itemgetter(*_fields(Pause))
_END_KEYS, _get_end = _keys(End), itemgetter(*_fields(End))
_LIMBO_KEYS, _get_limbo = _keys(Limbo), itemgetter(*_fields(Limbo))
_DEATH_KEYS, _get_death = _keys(Death), itemgetter(*_fields(Death))
_DEATH_SIZE = len(_DEATH_KEYS)
_PLAYER_KEYS = _keys(Player)
_PLAYER_SIZE = len(_PLAYER_KEYS)  # deaths_detail may be missing: it has a default, ()
_get_player_head = itemgetter("guid", "slot", "name", "team", "connected_at_end")
_PLAYER_COUNTS = _fields(Player)[5:-1]  # spawns .. team_changes: each an int >= 0
_get_player_counts = itemgetter(*_PLAYER_COUNTS)
_GAMETIMES_KEYS = _keys(Gametimes)
_GAMETIMES_ORDER = (
    "schema_version",
    "producer",
    "server",
    "map",
    "gametype",
    "round",
    "emit",
    "round_start_unix",
    "round_end_unix",
    "round_start_level_ms",
    "round_end_level_ms",
    "play_ms",
    "timelimit_ms",
    "warmup_ms",
    "warmup_start_unix",
    "started_mid_round",
    "pauses",
    "pause_total_ms",
    "end",
    "limbo_ms",
    "players",
)
"""The order :func:`fast_gametimes` passes the fields in (checked against the model below)."""
if (
    _fields(Gametimes) != _GAMETIMES_ORDER
    or _fields(Player)[:5] != _get_player_head({k: k for k in _PLAYER_KEYS})
    or _fields(Player)[-1] != "deaths_detail"
):
    raise RuntimeError("the gametimes model changed: update etstats.parsing._gametimes_fast")

# enum value -> member; a lookup of anything else is a KeyError (or TypeError: unhashable)
_EMIT: dict[object, Emit] = {m.value: m for m in Emit}
_END_REASON: dict[object, EndReason] = {m.value: m for m in EndReason}
_KILL_KIND: dict[object, KillKind] = {m.value: m for m in KillKind}
_CLOSED_BY: dict[object, ClosedBy] = {m.value: m for m in ClosedBy}

_INT_ONLY = {int}


_GOOD_GUIDS: set[str] = set()
"""GUIDs already found good: a round names each player's about ten times (set lookups are
several times cheaper than the test). Cleared when it reaches :data:`_GOOD_GUIDS_MAX`."""
_GOOD_GUIDS_MAX = 10_000


def _new_guid_ok(value: str) -> bool:
    """32 upper-case hex digits (the model's ``_guid_ok`` rule, :data:`GUID_RE`); remembered."""
    if len(value) != 32 or value.strip(_HEX):
        return False
    if len(_GOOD_GUIDS) >= _GOOD_GUIDS_MAX:
        _GOOD_GUIDS.clear()
    _GOOD_GUIDS.add(value)
    return True


def _guid_ok(value: object) -> bool:
    """``None`` or 32 upper-case hex digits (the model's ``_guid_ok`` rule)."""
    return value is None or (type(value) is str and (value in _GOOD_GUIDS or _new_guid_ok(value)))


def _object(value: object, keys: frozenset[str]) -> dict[str, Any]:
    """``value`` if it is an object of ``len(keys)`` keys. Whether they are ``keys`` is the
    caller's to find out, by reading every one of them (a ``KeyError`` unless all are there;
    then, at that size, no other key is)."""
    if type(value) is not dict or len(value) != len(keys):
        raise NotFast
    return value


def _producer(value: object) -> Producer:
    name, version, lua = _get_producer(_object(value, _PRODUCER_KEYS))
    if type(name) is str and type(version) is str and type(lua) is str:
        return build_producer(name, version, lua)
    raise NotFast


def _server(value: object) -> Server:
    hostname, ip, port = _get_server(_object(value, _SERVER_KEYS))
    if type(hostname) is str and type(ip) is str and type(port) is int:
        return build_server(hostname, ip, port)
    raise NotFast


def _pause(value: object) -> Pause:
    start, end, duration, start_unix, end_unix = _get_pause(_object(value, _PAUSE_KEYS))
    if (
        type(start) is int
        and type(end) is int
        and type(duration) is int
        and type(start_unix) is int
        and type(end_unix) is int
        and duration >= 0
    ):
        return build_pause(start, end, duration, start_unix, end_unix)
    raise NotFast


def _end(value: object) -> End:
    reason, line, winner, defender, team, guid, name = _get_end(_object(value, _END_KEYS))
    if (
        (line is None or type(line) is str)
        and type(winner) is int
        and type(defender) is int
        and type(team) is int
        and _guid_ok(guid)
        and (name is None or type(name) is str)
    ):
        return build_end(_END_REASON[reason], line, winner, defender, team, guid, name)
    raise NotFast


def _limbo(value: object) -> Limbo:
    axis, allies = _get_limbo(_object(value, _LIMBO_KEYS))
    if type(axis) is int and type(allies) is int:
        return build_limbo(axis, allies)
    raise NotFast


def _death(value: object) -> Death:
    """The hot one (about 100 a file): one key-set test, one itemgetter, plain type tests
    (the GUID test inlined)."""
    if type(value) is not dict or len(value) != _DEATH_SIZE:  # the getter finds the keys
        raise NotFast
    at, end, guid, slot, kind, mod, dead, paused, closed = _get_death(value)
    if (
        type(at) is type(end) is type(slot) is type(mod) is type(dead) is type(paused) is int
        and dead >= 0 <= paused
        and (guid is None or (type(guid) is str and (guid in _GOOD_GUIDS or _new_guid_ok(guid))))
    ):
        return build_death(
            at, end, guid, slot, _KILL_KIND[kind], mod, dead, paused, _CLOSED_BY[closed]
        )
    raise NotFast


def _array(value: object) -> list[Any]:
    if type(value) is not list:
        raise NotFast
    return value


def _player(value: object) -> Player:
    if type(value) is not dict:
        raise NotFast
    size = len(value)  # with every key the getters read present, no other key is there
    if size == _PLAYER_SIZE:
        detail = tuple(map(_death, _array(value["deaths_detail"])))
    elif size == _PLAYER_SIZE - 1 and "deaths_detail" not in value:
        detail = ()  # its default
    else:
        raise NotFast
    guid, slot, name, team, connected = _get_player_head(value)
    counts = _get_player_counts(value)
    if (
        _guid_ok(guid)
        and type(slot) is int
        and type(name) is str
        and type(team) is int
        and type(connected) is bool
        and set(map(type, counts)) == _INT_ONLY
        and min(counts) >= 0
    ):
        # mypy cannot count a starred tuple: the 13 counts fill the 13 int parameters
        return build_player(guid, slot, name, team, connected, *counts, detail)  # type: ignore[call-arg]
    raise NotFast


def _optional_int(value: object) -> int | None:
    if value is None or type(value) is int:
        return value
    raise NotFast


def _int(value: object) -> int:
    if type(value) is int:
        return value
    raise NotFast


def _non_negative(value: object) -> int:
    if type(value) is int and value >= 0:
        return value
    raise NotFast


def _str(value: object) -> str:
    if type(value) is str:
        return value
    raise NotFast


def _bool(value: object) -> bool:
    if type(value) is bool:
        return value
    raise NotFast


def fast_gametimes(obj: object) -> Gametimes:
    """The :class:`Gametimes` of a valid decoded v1 document; :class:`NotFast` otherwise.

    May also raise ``KeyError`` or ``TypeError`` (an enum value that is not one, or not
    hashable): the caller treats them as :class:`NotFast`.
    """
    doc = _object(obj, _GAMETIMES_KEYS)
    if doc["schema_version"] != 1 or type(doc["schema_version"]) is not int:
        raise NotFast
    return build_gametimes(
        1,
        _producer(doc["producer"]),
        _server(doc["server"]),
        _str(doc["map"]),
        _int(doc["gametype"]),
        _non_negative(doc["round"]),
        _EMIT[doc["emit"]],
        _int(doc["round_start_unix"]),
        _int(doc["round_end_unix"]),
        _int(doc["round_start_level_ms"]),
        _int(doc["round_end_level_ms"]),
        _int(doc["play_ms"]),
        _int(doc["timelimit_ms"]),
        _optional_int(doc["warmup_ms"]),
        _optional_int(doc["warmup_start_unix"]),
        _bool(doc["started_mid_round"]),
        tuple(map(_pause, _array(doc["pauses"]))),
        _non_negative(doc["pause_total_ms"]),
        _end(doc["end"]),
        _limbo(doc["limbo_ms"]),
        tuple(map(_player, _array(doc["players"]))),
    )


__all__ = ["NotFast", "fast_gametimes"]
