"""The summable TAB fields of a player line as PostgreSQL columns (migration 0014).

PostgreSQL keeps each summable TAB field (:data:`etstats.queries.statdefs.TAB_FIELDS`) in a
column ``tab_<field>`` beside the line's ``tab_json``, so neither the running totals' insert
trigger nor the objectives record index parses the JSON on the server (about a third of the
server's work on the lines; docs/performance.md, "Stats-only against the reference (tenth
session)"). The writer fills the columns from the line's JSON text as it sends the line:
:func:`with_tab_columns` adds them to the rows of every ``player_round_stats`` write
(:meth:`etstats.storage.postgres.PgTx.bulk_insert`), so the bulk path and a single arrival
store the same values. SQLite has no such columns (its rows stay as :mod:`etstats.ingest.rows`
builds them).

A column holds exactly what ``json_to_record(tab_json::json)`` gave the server for a ``double
precision`` field: the JSON number as the nearest double (orjson and PostgreSQL both round
correctly), NULL where the field is missing or ``null`` or the line has no TAB JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from operator import itemgetter
from typing import Any

import orjson

from etstats.errors import StorageError
from etstats.storage.base import ROUND_TABLES, Row


@cache
def _fields() -> tuple[str, ...]:
    from etstats.queries.statdefs import TAB_FIELDS

    return TAB_FIELDS


def tab_columns() -> tuple[str, ...]:
    """The columns migration 0014 added to ``player_round_stats``, in its order."""
    return tuple(f"tab_{field}" for field in _fields())


_LINE_COLUMNS = ROUND_TABLES["player_round_stats"]
_TAB_JSON = _LINE_COLUMNS.index("tab_json")


def tab_values(text: str | None) -> tuple[Any, ...]:
    """The summable TAB fields of one line's ``tab_json``: numbers (ints or floats, sent as
    doubles), None where absent.

    :raises StorageError: the text is not a JSON object (the server refused it before 0014
        too: its trigger cast every line's text to ``json``).
    """
    fields = _fields()
    if text is None:
        return (None,) * len(fields)
    try:
        found = orjson.loads(text)
    except orjson.JSONDecodeError:
        # orjson refuses integers beyond 64 bits and NaN/Infinity, which json.dumps writes;
        # the standard library reads both (a huge integer then rounds to the nearest double,
        # as the server's text-to-double cast did).
        try:
            found = json.loads(text)
        except ValueError as exc:
            raise StorageError(f"player line: TAB JSON is not JSON: {exc}") from None
    if not isinstance(found, dict):
        raise StorageError("player line: TAB JSON is not an object")
    try:
        values: tuple[Any, ...] = _getter()(found)  # the common line: every field there
    except KeyError:
        values = tuple(found.get(f) for f in fields)
    # Ints stay ints: the binary COPY sends each as the nearest double, as float() would.
    # Anything but numbers and nulls is refused, as the server's cast refused it (sum() is the
    # quick test of the common line; it refuses a None too, which is allowed).
    try:
        sum(values)
    except TypeError:
        for v in values:
            if v is not None and type(v) is not int and type(v) is not float:
                raise StorageError(
                    f"player line: a summable TAB field is not a number: {v!r}"
                ) from None
    return values


@cache
def _getter() -> itemgetter[Any]:
    return itemgetter(*_fields())


def with_tab_columns(columns: Sequence[str], rows: list[Row]) -> tuple[list[str], list[Row]]:
    """``columns`` and ``rows`` of a ``player_round_stats`` write with the TAB columns added
    at the end (each row's values from its ``tab_json``)."""
    if tuple(columns) != _LINE_COLUMNS:
        raise StorageError(f"player_round_stats: unexpected columns {tuple(columns)!r}")
    at = _TAB_JSON
    values = tab_values
    out: list[Any] = [row + values(row[at]) for row in rows]
    return [*columns, *tab_columns()], out
