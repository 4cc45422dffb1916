"""Gaming sessions: consecutive rounds of one server with gaps below a threshold.

A round starts a new session when its key time is at least ``gap_seconds`` after the end of
every earlier round of its server (a round's end: ``round_end_unix``, else its key time; capped
at :data:`MAX_ROUND_SECONDS` after its start, so one bogus end cannot glue days together).
Earlier means an earlier key time, or the same key time and a smaller id; because the test
takes every earlier round, the sessions do not depend on the order files were ingested
(docs/sessions.md). A session's id is its first round's key time (Unix
seconds), unique per server and independent of ingest order.

Reads walk the ``rounds_server_time`` index in chunks from a known round until a gap; only
:func:`list_sessions` asks SQL (a window function) for every session start.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from etstats.queries import identity
from etstats.queries.careers import totals_from, totals_select
from etstats.queries.maps import map_result as build_map
from etstats.queries.rounds import (
    SUMMARY_SELECT,
    chunks,
    dialect,
    lines_of,
    summaries,
    summary_from_row,
)
from etstats.queries.statdefs import ALIAS_JOIN, NOT_BOT, PLAYER_GUID
from etstats.queries.types import (
    AwardCount,
    MapResult,
    PlayerLine,
    PlayerRef,
    PlayerTotals,
    RoundSummary,
    Session,
    SessionSummary,
    SideRoster,
)

CHUNK = 40
"""Rounds fetched per step of a forward walk (most sessions fit in one)."""
MAX_ROUND_SECONDS = 6 * 3600
"""Longest a round's end may lie after its start (a later end is capped there)."""
END_SQL = (
    "(CASE WHEN r.round_end_unix IS NULL OR r.round_end_unix < r.round_start_unix "
    "THEN r.round_start_unix WHEN r.round_end_unix > r.round_start_unix + "
    f"{MAX_ROUND_SECONDS} THEN r.round_start_unix + {MAX_ROUND_SECONDS} "
    "ELSE r.round_end_unix END)"
)
"""A round's capped end (``r`` = rounds), the same rule as :func:`_end`."""
MVP_RULE = ("highest DPM (damage given / minutes played) among players with at least half the "
            "session's longest time played; ties by kills, then GUID")  # fmt: skip


def _end(r: RoundSummary) -> int:
    end = r.end_unix if r.end_unix is not None else r.start_unix
    return min(max(r.start_unix, end), r.start_unix + MAX_ROUND_SECONDS)


def _server_id(tx: Any, server: str) -> int:
    row = tx.fetchone("SELECT id FROM servers WHERE name = ?", (server,))
    return int(row[0]) if row else -1


def _server_rounds(tx: Any, server: str, cond: str, params: tuple[Any, ...],
                   order: str, limit: int = 0) -> list[RoundSummary]:  # fmt: skip
    """A chunk of one server's rounds: ``cond`` bounds ``r.round_start_unix`` so that the
    ``rounds_server_time`` index answers it with a range, not a scan."""
    rows = tx.fetchall(f"{SUMMARY_SELECT} WHERE r.server_id = ? AND {cond} "
                       f"ORDER BY r.round_start_unix {order}, r.id {order} LIMIT ?",
                       (_server_id(tx, server), *params, limit or CHUNK))  # fmt: skip
    return [summary_from_row(r) for r in rows]


def walk_forward(tx: Any, first: RoundSummary, gap: float) -> list[RoundSummary]:
    """``first`` and every following round of its server until one starts ``gap`` seconds
    or more after the latest end so far."""
    out = [first]
    latest_end = _end(first)
    while True:
        last = out[-1]
        batch = _server_rounds(
            tx, first.server,
            "r.round_start_unix >= ? AND NOT (r.round_start_unix = ? AND r.id <= ?)",
            (last.start_unix, last.start_unix, last.id), "ASC")  # fmt: skip
        for r in batch:
            if r.start_unix - latest_end >= gap:
                return out
            out.append(r)
            latest_end = max(latest_end, _end(r))
        if len(batch) < CHUNK:
            return out


def _range(tx: Any, server: str, lo: float, last: RoundSummary) -> list[RoundSummary]:
    """The server's rounds from key time ``lo`` up to ``last`` (inclusive), oldest first: one
    index range."""
    rows = tx.fetchall(
        f"{SUMMARY_SELECT} WHERE r.server_id = ? AND r.round_start_unix >= ? "
        "AND r.round_start_unix <= ? AND NOT (r.round_start_unix = ? AND r.id > ?) "
        "ORDER BY r.round_start_unix, r.id",
        (_server_id(tx, server), int(lo), last.start_unix, last.start_unix, last.id))  # fmt: skip
    return [summary_from_row(r) for r in rows]


def _has_before(tx: Any, server: str, lo: float) -> bool:
    row = tx.fetchone("SELECT 1 FROM rounds WHERE server_id = ? AND round_start_unix < ? LIMIT 1",
                      (_server_id(tx, server), int(lo)))  # fmt: skip
    return row is not None


def _starts(rows: list[RoundSummary], gap: float, exact_from: float) -> list[int]:
    """Indexes of the rows that start a session, among those whose history lies in ``rows``
    (key time at least ``exact_from``): nothing earlier ended within ``gap`` of their start."""
    out = []
    latest_end: int | None = None
    for i, r in enumerate(rows):
        if r.start_unix >= exact_from and (latest_end is None or
                                           r.start_unix - latest_end >= gap):  # fmt: skip
            out.append(i)
        latest_end = _end(r) if latest_end is None else max(latest_end, _end(r))
    return out


def _recent(tx: Any, last: RoundSummary, gap: float,
            sessions: int) -> tuple[list[RoundSummary], list[int]]:  # fmt: skip
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
    row = tx.fetchone(
        "SELECT 1 FROM rounds r WHERE r.server_id = ? "
        "AND r.round_start_unix >= ? AND r.round_start_unix <= ? "
        f"AND NOT (r.round_start_unix = ? AND r.id >= ?) AND {END_SQL} > ? LIMIT 1",
        (_server_id(tx, r.server), r.start_unix - gap - MAX_ROUND_SECONDS, r.start_unix,
         r.start_unix, r.id, r.start_unix - gap))  # fmt: skip
    return row is None


def _rounds_at(tx: Any, start_unix: int, server: str | None) -> list[RoundSummary]:
    cond = "r.round_start_unix = ?"
    params: list[Any] = [start_unix]
    if server is not None:
        cond += " AND s.name = ?"
        params.append(server)
    rows = tx.fetchall(f"{SUMMARY_SELECT} WHERE {cond} ORDER BY s.name, r.id", params)
    return [summary_from_row(r) for r in rows]


def session_rounds(tx: Any, session_id: int, server: str | None,
                   gap: float) -> list[RoundSummary]:  # fmt: skip
    for r in _rounds_at(tx, session_id, server):
        if _is_start(tx, r, gap):
            return walk_forward(tx, r, gap)
    return []


def session_round_ids(tx: Any, session_id: int, server: str | None,
                      gap: float = 3600.0) -> list[int]:  # fmt: skip
    return [r.id for r in session_rounds(tx, session_id, server, gap)]


def session_by_id(tx: Any, session_id: int, *, server: str | None,
                  gap_seconds: float) -> Session | None:  # fmt: skip
    found = session_rounds(tx, session_id, server, gap_seconds)
    return build_session(tx, found, gap_seconds) if found else None


def _newest(tx: Any, server: str | None) -> RoundSummary | None:
    """The newest round (of ``server``): its id from the time index alone (a lean query the
    planner answers from the index end), then its summary."""
    if server is None:
        row = tx.fetchone("SELECT id FROM rounds ORDER BY round_start_unix DESC, id DESC LIMIT 1")
    else:
        row = tx.fetchone("SELECT id FROM rounds WHERE server_id = ? "
                          "ORDER BY round_start_unix DESC, id DESC LIMIT 1",
                          (_server_id(tx, server),))  # fmt: skip
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
    if not found:
        return None
    first = walk_back(tx, found[0], gap_seconds)
    return build_session(tx, walk_forward(tx, first, gap_seconds), gap_seconds)


WALK_LIST_MAX = 100
"""Pages reaching at most this many sessions back are found by walking the time index from the
newest round; deeper pages use one window-function query over every round."""


def list_sessions(tx: Any, *, server: str | None, limit: int, offset: int,
                  gap_seconds: float) -> list[SessionSummary]:  # fmt: skip
    limit, offset = max(0, min(int(limit), 200)), max(0, int(offset))
    groups: list[list[RoundSummary]] = []
    if offset + limit <= WALK_LIST_MAX:
        servers = [server] if server is not None else [
            str(r[0]) for r in tx.fetchall("SELECT name FROM servers ORDER BY name")]
        for name in servers:
            groups += _recent_sessions(tx, name, offset + limit, gap_seconds)
        groups.sort(key=lambda g: (-g[0].start_unix, g[0].server, g[0].id))
        groups = groups[offset:offset + limit]
    else:
        for (rid,) in _window_starts(tx, server, limit, offset, gap_seconds):
            groups.append(walk_forward(tx, summaries(tx, [int(rid)])[0], gap_seconds))
    players, names = _players_by_round(tx, [r.id for g in groups for r in g])
    refs = identity.refs_from_counts(tx, names)
    out = []
    for rounds in groups:
        first = rounds[0]
        guids = {g for r in rounds for g in players.get(r.id, ())}
        out.append(SessionSummary(
            id=first.start_unix, server=first.server, start_unix=first.start_unix,
            end_unix=max(_end(r) for r in rounds), round_ids=tuple(r.id for r in rounds),
            maps=tuple(_map_names(rounds)),
            players=tuple(sorted((refs[g] for g in guids), key=_by_name))))  # fmt: skip
    return out


def _recent_sessions(tx: Any, server: str, count: int,
                     gap: float) -> list[list[RoundSummary]]:  # fmt: skip
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
                f"{ALIAS_JOIN} WHERE p.round_id IN ({marks}) AND {NOT_BOT}", chunk):  # fmt: skip
            out.setdefault(int(rid), set()).add(str(guid))
            key = (str(guid), str(name))
            names[key] = names.get(key, 0) + 1
    return out, names


def _line_names(lines: dict[int, list[PlayerLine]]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for v in lines.values():
        for ln in v:
            counts[(ln.player_guid, ln.name)] = counts.get((ln.player_guid, ln.name), 0) + 1
    return counts


def _window_starts(tx: Any, server: str | None, limit: int, offset: int,
                   gap_seconds: float) -> list[tuple[Any, ...]]:  # fmt: skip
    """Session starts by one window function over every round (deep pages)."""
    cond, params = (
        ("WHERE server_id IN (SELECT id FROM servers WHERE name = ?)", [server])
        if server is not None
        else ("", [])
    )
    rows: list[tuple[Any, ...]] = tx.fetchall(
        f"SELECT t.id FROM (SELECT r.id, r.server_id, r.round_start_unix, MAX({END_SQL}) OVER "
        "(PARTITION BY r.server_id ORDER BY r.round_start_unix, r.id "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end "
        f"FROM rounds r {cond}) t JOIN servers s ON s.id = t.server_id "
        "WHERE prev_end IS NULL OR round_start_unix - prev_end >= ? "
        "ORDER BY round_start_unix DESC, s.name, t.id LIMIT ? OFFSET ?",
        (*params, gap_seconds, limit, offset))  # fmt: skip
    return rows


def _map_names(rounds: list[RoundSummary]) -> list[str]:
    ids = {r.id for r in rounds}
    return [r.map_name for r in rounds if r.values_scope is not None and
            (r.round_number == 1 or r.r1_round_id not in ids)]  # fmt: skip


def maps_of(rounds: list[RoundSummary], lines: dict[int, list[PlayerLine]],
            refs: dict[str, PlayerRef]) -> list[MapResult]:  # fmt: skip
    """Map results in play order: each round 1 with the round 2 paired to it (``r1_round_id``),
    and each orphan round 2 alone. Rounds without a stats file are left out."""
    by_r1 = {r.r1_round_id: r for r in rounds if r.round_number == 2 and r.r1_round_id}
    ids = {r.id for r in rounds}
    out = []
    for r in rounds:
        if r.values_scope is None:
            continue
        if r.round_number == 1:
            out.append(build_map(r, by_r1.get(r.id), lines, refs))
        elif r.r1_round_id is None or r.r1_round_id not in ids:
            out.append(build_map(None, r, lines, refs))
    return out


def map_result(tx: Any, round_id: int) -> MapResult | None:
    found = summaries(tx, [round_id])
    if not found or found[0].values_scope is None:
        return None
    r = found[0]
    pair: tuple[RoundSummary | None, RoundSummary | None]
    if r.round_number == 2:
        r1 = summaries(tx, [r.r1_round_id]) if r.r1_round_id else []
        pair = (r1[0] if r1 else None, r)
    else:
        row = tx.fetchone(f"{SUMMARY_SELECT} WHERE r.r1_round_id = ? ORDER BY r.id LIMIT 1",
                          (r.id,))  # fmt: skip
        pair = (r, summary_from_row(row) if row else None)
    ids = [x.id for x in pair if x is not None]
    lines = lines_of(tx, ids)
    refs = identity.refs_from_counts(tx, _line_names(lines))
    return build_map(pair[0], pair[1], lines, refs)


def build_session(tx: Any, rounds: list[RoundSummary], gap: float) -> Session:
    ids = [r.id for r in rounds]
    lines = lines_of(tx, ids)
    refs = identity.refs_from_counts(tx, _line_names(lines))
    maps = maps_of(rounds, lines, refs)
    side_of, score = _session_sides(maps)
    totals = _player_totals(tx, ids, refs)
    side_a, side_b = _rosters(maps, side_of, refs)
    return Session(
        id=rounds[0].start_unix, server=rounds[0].server, start_unix=rounds[0].start_unix,
        end_unix=max(_end(r) for r in rounds), gap_minutes=gap / 60, round_ids=tuple(ids),
        maps=tuple(maps), side_a=side_a, side_b=side_b, score_a=score["A"], score_b=score["B"],
        draws=score["draw"], players=tuple(totals), mvp=_mvp(totals), mvp_rule=MVP_RULE,
        awards=tuple(_awards(tx, ids)),
    )  # fmt: skip


def _session_sides(maps: list[MapResult]) -> tuple[list[dict[str, str]], Counter[str]]:
    """For each map, which session side (``A``/``B``) its sides are, and the score. The first
    map's sides define the session's; a later map's sides are matched by GUID overlap."""
    ref_a: set[str] = set()
    ref_b: set[str] = set()
    side_of: list[dict[str, str]] = []
    score: Counter[str] = Counter(A=0, B=0, draw=0)
    for m in maps:
        a = {p.guid for p in m.side_a.players}
        b = {p.guid for p in m.side_b.players}
        if not ref_a and not ref_b:
            ref_a, ref_b = set(a), set(b)
        same = len(a & ref_a) + len(b & ref_b)
        crossed = len(a & ref_b) + len(b & ref_a)
        mapping = {"A": "A", "B": "B"} if same >= crossed else {"A": "B", "B": "A"}
        side_of.append(mapping)
        if m.winner is not None:
            score[mapping[m.winner]] += 1
        elif m.outcome == "double_full_hold":
            score["draw"] += 1
    return side_of, score


def _rosters(maps: list[MapResult], side_of: list[dict[str, str]],
             refs: dict[str, PlayerRef]) -> tuple[SideRoster, SideRoster]:  # fmt: skip
    """Regulars play for a side in at least half of the maps; the others are substitutes."""
    counts: dict[str, Counter[str]] = {}
    for m, mapping in zip(maps, side_of, strict=True):
        for label, roster in (("A", m.side_a), ("B", m.side_b)):
            for p in roster.players:
                counts.setdefault(p.guid, Counter())[mapping[label]] += 1
    out = []
    for label in ("A", "B"):
        regular: list[PlayerRef] = []
        subs: list[PlayerRef] = []
        for g, c in counts.items():
            if c[label] == 0 or c[label] < c["B" if label == "A" else "A"]:
                continue
            (regular if 2 * c[label] >= len(maps) else subs).append(refs.get(g, PlayerRef(g, g)))
        out.append(SideRoster(label, tuple(sorted(regular, key=_by_name)),
                              tuple(sorted(subs, key=_by_name))))  # fmt: skip
    return out[0], out[1]


def _by_name(p: PlayerRef) -> tuple[str, str]:
    return (p.name.casefold(), p.guid)


def _player_totals(tx: Any, ids: list[int], refs: dict[str, PlayerRef]) -> list[PlayerTotals]:
    marks = ", ".join("?" * len(ids))
    rows = tx.fetchall(
        f"SELECT {PLAYER_GUID}, {totals_select(dialect(tx))} FROM player_round_stats p "
        f"{ALIAS_JOIN} WHERE p.round_id IN ({marks}) AND {NOT_BOT} "
        f"GROUP BY {PLAYER_GUID}", ids)  # fmt: skip
    out = [PlayerTotals(refs.get(str(r[0]), PlayerRef(str(r[0]), str(r[0]))), totals_from(r[1:]))
           for r in rows]  # fmt: skip
    return sorted(out, key=lambda t: (-t.totals.damage_given, t.player.guid))


def _mvp(players: list[PlayerTotals]) -> PlayerRef | None:
    if not players:
        return None
    longest = max(p.totals.time_played_minutes for p in players)
    eligible = [p for p in players if p.totals.time_played_minutes * 2 >= longest
                and p.totals.dpm is not None]  # fmt: skip
    if not eligible:
        return None
    best = min(eligible, key=lambda p: (-(p.totals.dpm or 0.0), -p.totals.kills, p.player.guid))
    return best.player


def _awards(tx: Any, ids: list[int]) -> list[AwardCount]:
    marks = ", ".join("?" * len(ids))
    rows = tx.fetchall(f"SELECT name, player_name, COUNT(*) FROM endstats_awards "
                       f"WHERE round_id IN ({marks}) GROUP BY name, player_name", ids)  # fmt: skip
    found = [AwardCount(str(n), str(p), int(c)) for n, p, c in rows]
    return sorted(found, key=lambda a: (-a.times, a.name, a.player_name))
