"""Gaming sessions: consecutive rounds of one server with gaps below a threshold.

A round starts a new session when its key time is at least ``gap_seconds`` after the end of
every earlier round of its server (a round's end: ``round_end_unix``, else its key time; capped
at :data:`MAX_ROUND_SECONDS` after its start, so one bogus end cannot glue days together).
Earlier means an earlier key time, or the same key time and a smaller id; because the test
takes every earlier round, the sessions do not depend on the order files were ingested
(docs/sessions.md). A session's id is its first round's key time (Unix
seconds), unique per server and independent of ingest order.

Reads take index ranges of one server's rounds (``rounds_server_time``) around a known round
and find the starts in Python from the rounds' ends; only a deep page of :func:`list_sessions`
asks SQL (a window function over every round) for the session starts. What a session holds
(maps, sides, totals, MVP) is built by :mod:`etstats.queries.session_summary`.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from etstats.queries import identity
from etstats.queries.rounds import (
    SUMMARY_SELECT,
    chunks,
    summaries,
    summary_from_row,
)
from etstats.queries.session_summary import (
    MAX_ROUND_SECONDS,
    build_session,
    by_name,
    round_end,
)
from etstats.queries.statdefs import ALIAS_JOIN, NOT_BOT, PLAYER_GUID
from etstats.queries.types import (
    RoundSummary,
    Session,
    SessionSummary,
)

CHUNK = 40
"""Rounds fetched per step of a forward walk (most sessions fit in one)."""
END_SQL = (
    "(CASE WHEN r.round_end_unix IS NULL OR r.round_end_unix < r.round_start_unix "
    "THEN r.round_start_unix WHEN r.round_end_unix > r.round_start_unix + "
    f"{MAX_ROUND_SECONDS} THEN r.round_start_unix + {MAX_ROUND_SECONDS} "
    "ELSE r.round_end_unix END)"
)
"""A round's capped end (``r`` = rounds), the same rule as :func:`_end`."""

IN_SESSION = "EXISTS (SELECT 1 FROM player_round_stats ps WHERE ps.round_id = r.id)"
"""Rounds that make sessions (``r`` = rounds): those with player lines, i.e. a stats file. A
round known only by its endstats or Lua file has no player lines; on its own it would show as
an empty session (the real corpus ends with such an endstats file), and between two evenings
it would glue them together. It joins its session when its stats file arrives."""


def _server_id(tx: Any, server: str) -> int:
    row = tx.fetchone("SELECT id FROM servers WHERE name = ?", (server,))
    return int(row[0]) if row else -1


def _server_rounds(
    tx: Any, server: str, cond: str, params: tuple[Any, ...], order: str, limit: int = 0
) -> list[RoundSummary]:
    """A chunk of one server's rounds: ``cond`` bounds ``r.round_start_unix`` so that the
    ``rounds_server_time`` index answers it with a range, not a scan."""
    rows = tx.fetchall(
        f"{SUMMARY_SELECT} WHERE r.server_id = ? AND {IN_SESSION} AND {cond} "
        f"ORDER BY r.round_start_unix {order}, r.id {order} LIMIT ?",
        (_server_id(tx, server), *params, limit or CHUNK),
    )
    return [summary_from_row(r) for r in rows]


def walk_forward(tx: Any, first: RoundSummary, gap: float) -> list[RoundSummary]:
    """``first`` and every following round of its server until one starts ``gap`` seconds
    or more after the latest end so far."""
    out = [first]
    latest_end = round_end(first)
    while True:
        last = out[-1]
        batch = _server_rounds(
            tx,
            first.server,
            "r.round_start_unix >= ? AND NOT (r.round_start_unix = ? AND r.id <= ?)",
            (last.start_unix, last.start_unix, last.id),
            "ASC",
        )
        for r in batch:
            if r.start_unix - latest_end >= gap:
                return out
            out.append(r)
            latest_end = max(latest_end, round_end(r))
        if len(batch) < CHUNK:
            return out


def _range(tx: Any, server: str, lo: float, last: RoundSummary) -> list[RoundSummary]:
    """The server's rounds from key time ``lo`` up to ``last`` (inclusive), oldest first: one
    index range."""
    rows = tx.fetchall(
        f"{SUMMARY_SELECT} WHERE r.server_id = ? AND {IN_SESSION} AND r.round_start_unix >= ? "
        "AND r.round_start_unix <= ? AND NOT (r.round_start_unix = ? AND r.id > ?) "
        "ORDER BY r.round_start_unix, r.id",
        (_server_id(tx, server), int(lo), last.start_unix, last.start_unix, last.id),
    )
    return [summary_from_row(r) for r in rows]


def _has_before(tx: Any, server: str, lo: float) -> bool:
    row = tx.fetchone(
        f"SELECT 1 FROM rounds r WHERE r.server_id = ? AND {IN_SESSION} "
        "AND r.round_start_unix < ? LIMIT 1",
        (_server_id(tx, server), int(lo)),
    )
    return row is not None


def _starts(rows: list[RoundSummary], gap: float, exact_from: float) -> list[int]:
    """Indexes of the rows that start a session, among those whose history lies in ``rows``
    (key time at least ``exact_from``): nothing earlier ended within ``gap`` of their start."""
    out = []
    latest_end: int | None = None
    for i, r in enumerate(rows):
        if r.start_unix >= exact_from and (latest_end is None or r.start_unix - latest_end >= gap):
            out.append(i)
        latest_end = round_end(r) if latest_end is None else max(latest_end, round_end(r))
    return out


def _recent(
    tx: Any, last: RoundSummary, gap: float, sessions: int
) -> tuple[list[RoundSummary], list[int]]:
    """Rounds up to ``last`` and the indexes of the session starts among them, reaching back
    far enough for ``sessions`` starts (or to the server's first round): usually one index
    range, a four times wider one each time more history is needed."""
    span = 2 * 86_400.0
    while True:
        lo = last.start_unix - span
        rows = _range(tx, last.server, lo, last)
        complete = not _has_before(tx, last.server, lo)
        # a row's history is all fetched once it starts gap + MAX_ROUND after lo
        exact_from = float("-inf") if complete else lo + gap + MAX_ROUND_SECONDS
        found = _starts(rows, gap, exact_from)
        if complete or len(found) >= sessions:
            return rows, found
        span *= 4


def walk_back(tx: Any, last: RoundSummary, gap: float) -> RoundSummary:
    """The first round of the session containing ``last``."""
    rows, found = _recent(tx, last, gap, 1)
    return rows[found[-1]]


def _is_start(tx: Any, r: RoundSummary, gap: float) -> bool:
    """No earlier round of the server ends less than ``gap`` seconds before ``r`` starts
    (only rounds starting after ``start - gap - MAX_ROUND_SECONDS`` can: an index range)."""
    # Whole-second bounds: the columns are integers, and on PostgreSQL a float parameter
    # turns the comparison into one of doubles that no index serves (a scan of every round of
    # the server: 65 ms per session at 100,000 rounds). ceil keeps ">= x" exact; the capped
    # end is an integer too, so "> x" is "> floor(x)".
    row = tx.fetchone(
        f"SELECT 1 FROM rounds r WHERE r.server_id = ? AND {IN_SESSION} "
        "AND r.round_start_unix >= ? AND r.round_start_unix <= ? "
        f"AND NOT (r.round_start_unix = ? AND r.id >= ?) AND {END_SQL} > ? LIMIT 1",
        (
            _server_id(tx, r.server),
            math.ceil(r.start_unix - gap - MAX_ROUND_SECONDS),
            r.start_unix,
            r.start_unix,
            r.id,
            math.floor(r.start_unix - gap),
        ),
    )
    return row is None


def _rounds_at(tx: Any, start_unix: int, server: str | None) -> list[RoundSummary]:
    cond = f"r.round_start_unix = ? AND {IN_SESSION}"
    params: list[Any] = [start_unix]
    if server is not None:
        cond += " AND s.name = ?"
        params.append(server)
    rows = tx.fetchall(f"{SUMMARY_SELECT} WHERE {cond} ORDER BY s.name, r.id", params)
    return [summary_from_row(r) for r in rows]


def session_rounds(tx: Any, session_id: int, server: str | None, gap: float) -> list[RoundSummary]:
    for r in _rounds_at(tx, session_id, server):
        if _is_start(tx, r, gap):
            return walk_forward(tx, r, gap)
    return []


def session_round_ids(
    tx: Any, session_id: int, server: str | None, gap: float = 3600.0
) -> list[int]:
    return [r.id for r in session_rounds(tx, session_id, server, gap)]


def session_by_id(
    tx: Any, session_id: int, *, server: str | None, gap_seconds: float
) -> Session | None:
    found = session_rounds(tx, session_id, server, gap_seconds)
    return build_session(tx, found, gap_seconds) if found else None


def _newest(tx: Any, server: str | None) -> RoundSummary | None:
    """The newest round (of ``server``): its id from the time index alone (a lean query the
    planner answers from the index end), then its summary."""
    if server is None:
        row = tx.fetchone(
            f"SELECT r.id FROM rounds r WHERE {IN_SESSION} "
            "ORDER BY r.round_start_unix DESC, r.id DESC LIMIT 1"
        )
    else:
        row = tx.fetchone(
            f"SELECT r.id FROM rounds r WHERE r.server_id = ? AND {IN_SESSION} "
            "ORDER BY r.round_start_unix DESC, r.id DESC LIMIT 1",
            (_server_id(tx, server),),
        )
    found = summaries(tx, [int(row[0])]) if row else []
    return found[0] if found else None


def latest_session(tx: Any, *, server: str | None, gap_seconds: float) -> Session | None:
    newest = _newest(tx, server)
    if newest is None:
        return None
    first = walk_back(tx, newest, gap_seconds)
    return build_session(tx, walk_forward(tx, first, gap_seconds), gap_seconds)


def session_of_round(tx: Any, round_id: int, *, gap_seconds: float) -> Session | None:
    found = summaries(tx, [round_id])
    if not found or found[0].players == 0:  # no player lines: in no session (IN_SESSION)
        return None
    first = walk_back(tx, found[0], gap_seconds)
    return build_session(tx, walk_forward(tx, first, gap_seconds), gap_seconds)


WALK_LIST_MAX = 100
"""Pages reaching at most this many sessions back are found by walking the time index from the
newest round; deeper pages use one window-function query over every round."""


def list_sessions(
    tx: Any, *, server: str | None, limit: int, offset: int, gap_seconds: float
) -> list[SessionSummary]:
    limit, offset = max(0, min(int(limit), 200)), max(0, int(offset))
    groups: list[list[RoundSummary]] = []
    if offset + limit <= WALK_LIST_MAX:
        servers = (
            [server]
            if server is not None
            else [str(r[0]) for r in tx.fetchall("SELECT name FROM servers ORDER BY name")]
        )
        for name in servers:
            groups += _recent_sessions(tx, name, offset + limit, gap_seconds)
        groups.sort(key=lambda g: (-g[0].start_unix, g[0].server, g[0].id))
        groups = groups[offset : offset + limit]
    else:
        for (rid,) in _window_starts(tx, server, limit, offset, gap_seconds):
            groups.append(walk_forward(tx, summaries(tx, [int(rid)])[0], gap_seconds))
    players, names = _players_by_round(tx, [r.id for g in groups for r in g])
    refs = identity.refs_from_counts(tx, names)
    out = []
    for rounds in groups:
        first = rounds[0]
        guids = {g for r in rounds for g in players.get(r.id, ())}
        out.append(
            SessionSummary(
                id=first.start_unix,
                server=first.server,
                start_unix=first.start_unix,
                end_unix=max(round_end(r) for r in rounds),
                round_ids=tuple(r.id for r in rounds),
                maps=tuple(_map_names(rounds)),
                players=tuple(sorted((refs[g] for g in guids), key=by_name)),
            )
        )
    return out


def _recent_sessions(tx: Any, server: str, count: int, gap: float) -> list[list[RoundSummary]]:
    """The server's ``count`` newest sessions (their rounds), newest first."""
    newest = _newest(tx, server)
    if newest is None or count <= 0:
        return []
    rows, found = _recent(tx, newest, gap, count)
    bounds = [*found, len(rows)]
    groups = [rows[a:b] for a, b in itertools.pairwise(bounds)]
    return groups[::-1][:count]


def _players_by_round(
    tx: Any, round_ids: list[int]
) -> tuple[dict[int, set[str]], dict[tuple[str, str], int]]:
    """Canonical GUIDs (bots left out) of each round, and the lines per (GUID, name) over all of
    them, in chunked ``IN`` queries."""
    out: dict[int, set[str]] = {}
    names: dict[tuple[str, str], int] = {}
    for chunk in chunks(round_ids):
        marks = ", ".join("?" * len(chunk))
        for rid, guid, name in tx.fetchall(
            f"SELECT p.round_id, {PLAYER_GUID}, p.name FROM player_round_stats p "
            f"{ALIAS_JOIN} WHERE p.round_id IN ({marks}) AND {NOT_BOT}",
            chunk,
        ):
            out.setdefault(int(rid), set()).add(str(guid))
            key = (str(guid), str(name))
            names[key] = names.get(key, 0) + 1
    return out, names


def _window_starts(
    tx: Any, server: str | None, limit: int, offset: int, gap_seconds: float
) -> list[tuple[Any, ...]]:
    """Session starts by one window function over every round (deep pages)."""
    cond, params = (
        (f"WHERE {IN_SESSION} AND r.server_id IN (SELECT id FROM servers WHERE name = ?)", [server])
        if server is not None
        else (f"WHERE {IN_SESSION}", [])
    )
    rows: list[tuple[Any, ...]] = tx.fetchall(
        f"SELECT t.id FROM (SELECT r.id, r.server_id, r.round_start_unix, MAX({END_SQL}) OVER "
        "(PARTITION BY r.server_id ORDER BY r.round_start_unix, r.id "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end "
        f"FROM rounds r {cond}) t JOIN servers s ON s.id = t.server_id "
        "WHERE prev_end IS NULL OR round_start_unix - prev_end >= ? "
        "ORDER BY round_start_unix DESC, s.name, t.id LIMIT ? OFFSET ?",
        (*params, gap_seconds, limit, offset),
    )
    return rows


def _map_names(rounds: list[RoundSummary]) -> list[str]:
    ids = {r.id for r in rounds}
    return [
        r.map_name
        for r in rounds
        if r.values_scope is not None and (r.round_number == 1 or r.r1_round_id not in ids)
    ]
