"""Gaming sessions: consecutive rounds of one server with gaps below a threshold.

The gap between two consecutive rounds (by key time) is the later round's start minus the
earlier round's end (its key time when the end is unknown); a gap of ``gap_seconds`` or more
starts a new session (docs/sessions.md). A session's id is its first round's key time (Unix
seconds), unique per server and independent of ingest order.

Reads walk the ``rounds_server_time`` index in chunks from a known round until a gap; only
:func:`list_sessions` asks SQL (a window function) for every session start.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from etstats.queries import identity
from etstats.queries.careers import totals_from, totals_select
from etstats.queries.maps import map_result as build_map
from etstats.queries.rounds import SUMMARY_SELECT, dialect, lines_of, summaries, summary_from_row
from etstats.queries.statdefs import ALIAS_JOIN, NOT_BOT, PLAYER_GUID
from etstats.queries.types import (
    MapResult,
    PlayerLine,
    PlayerRef,
    PlayerTotals,
    RoundSummary,
    Session,
    SessionSummary,
    SideRoster,
)

CHUNK = 200
"""Rounds fetched per step of a walk."""
MVP_RULE = ("highest DPM (damage given / minutes played) among players with at least half the "
            "session's longest time played; ties by kills, then GUID")  # fmt: skip


def _end(r: RoundSummary) -> int:
    return max(r.start_unix, r.end_unix or r.start_unix)


def _server_rounds(tx: Any, server: str, cond: str, params: tuple[Any, ...],
                   order: str) -> list[RoundSummary]:  # fmt: skip
    rows = tx.fetchall(f"{SUMMARY_SELECT} WHERE s.name = ? AND {cond} "
                       f"ORDER BY r.round_start_unix {order}, r.id {order} LIMIT ?",
                       (server, *params, CHUNK))  # fmt: skip
    return [summary_from_row(r) for r in rows]


def walk_forward(tx: Any, first: RoundSummary, gap: float) -> list[RoundSummary]:
    """``first`` and every following round of its server until a gap of ``gap`` seconds."""
    out = [first]
    while True:
        last = out[-1]
        batch = _server_rounds(
            tx, first.server, "(r.round_start_unix > ? OR (r.round_start_unix = ? AND r.id > ?))",
            (last.start_unix, last.start_unix, last.id), "ASC")  # fmt: skip
        for r in batch:
            if r.start_unix - max(_end(x) for x in out[-1:]) >= gap:
                return out
            out.append(r)
        if len(batch) < CHUNK:
            return out


def walk_back(tx: Any, last: RoundSummary, gap: float) -> RoundSummary:
    """The first round of the session containing ``last``."""
    cur = last
    while True:
        batch = _server_rounds(
            tx, last.server, "(r.round_start_unix < ? OR (r.round_start_unix = ? AND r.id < ?))",
            (cur.start_unix, cur.start_unix, cur.id), "DESC")  # fmt: skip
        for prev in batch:
            if cur.start_unix - _end(prev) >= gap:
                return cur
            cur = prev
        if len(batch) < CHUNK:
            return cur


def _is_start(tx: Any, r: RoundSummary, gap: float) -> bool:
    prev = _server_rounds(
        tx, r.server, "(r.round_start_unix < ? OR (r.round_start_unix = ? AND r.id < ?))",
        (r.start_unix, r.start_unix, r.id), "DESC")[:1]  # fmt: skip
    return not prev or r.start_unix - _end(prev[0]) >= gap


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


def latest_session(tx: Any, *, server: str | None, gap_seconds: float) -> Session | None:
    cond, params = ("WHERE s.name = ?", (server,)) if server is not None else ("", ())
    row = tx.fetchone(f"{SUMMARY_SELECT} {cond} ORDER BY r.round_start_unix DESC, r.id DESC "
                      "LIMIT 1", params)  # fmt: skip
    if row is None:
        return None
    first = walk_back(tx, summary_from_row(row), gap_seconds)
    return build_session(tx, walk_forward(tx, first, gap_seconds), gap_seconds)


def session_of_round(tx: Any, round_id: int, *, gap_seconds: float) -> Session | None:
    found = summaries(tx, [round_id])
    if not found:
        return None
    first = walk_back(tx, found[0], gap_seconds)
    return build_session(tx, walk_forward(tx, first, gap_seconds), gap_seconds)


def list_sessions(tx: Any, *, server: str | None, limit: int, offset: int,
                  gap_seconds: float) -> list[SessionSummary]:  # fmt: skip
    cond, params = (
        ("WHERE server_id IN (SELECT id FROM servers WHERE name = ?)", [server])
        if server is not None
        else ("", [])
    )
    starts = tx.fetchall(
        "SELECT id FROM (SELECT id, round_start_unix, LAG(CASE WHEN round_end_unix > "
        "round_start_unix THEN round_end_unix ELSE round_start_unix END) OVER "
        "(PARTITION BY server_id ORDER BY round_start_unix, id) AS prev_end "
        f"FROM rounds {cond}) t WHERE prev_end IS NULL OR round_start_unix - prev_end >= ? "
        "ORDER BY round_start_unix DESC, id DESC LIMIT ? OFFSET ?",
        (*params, gap_seconds, max(0, min(int(limit), 200)), max(0, int(offset))))  # fmt: skip
    out = []
    for (rid,) in starts:
        first = summaries(tx, [int(rid)])[0]
        rounds = walk_forward(tx, first, gap_seconds)
        players = _session_players(tx, [r.id for r in rounds])
        out.append(SessionSummary(
            id=first.start_unix, server=first.server, start_unix=first.start_unix,
            end_unix=max(_end(r) for r in rounds), round_ids=tuple(r.id for r in rounds),
            maps=tuple(_map_names(rounds)), players=tuple(players)))  # fmt: skip
    return out


def _map_names(rounds: list[RoundSummary]) -> list[str]:
    ids = {r.id for r in rounds}
    return [r.map_name for r in rounds if r.values_scope is not None and
            (r.round_number == 1 or r.r1_round_id not in ids)]  # fmt: skip


def _session_players(tx: Any, round_ids: list[int]) -> list[PlayerRef]:
    marks = ", ".join("?" * len(round_ids))
    rows = tx.fetchall(f"SELECT DISTINCT {PLAYER_GUID} FROM player_round_stats p {ALIAS_JOIN} "
                       f"WHERE p.round_id IN ({marks}) AND {NOT_BOT}", round_ids)  # fmt: skip
    refs = identity.refs(tx, [str(r[0]) for r in rows])
    return sorted(refs.values(), key=lambda p: (p.name.casefold(), p.guid))


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
    refs = identity.refs(tx, sorted({ln.player_guid for v in lines.values() for ln in v}))
    return build_map(pair[0], pair[1], lines, refs)


def build_session(tx: Any, rounds: list[RoundSummary], gap: float) -> Session:
    ids = [r.id for r in rounds]
    lines = lines_of(tx, ids)
    guids = sorted({ln.player_guid for v in lines.values() for ln in v})
    refs = identity.refs(tx, guids)
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


def _awards(tx: Any, ids: list[int]) -> list[tuple[str, str, int]]:
    marks = ", ".join("?" * len(ids))
    rows = tx.fetchall(f"SELECT name, player_name, COUNT(*) FROM endstats_awards "
                       f"WHERE round_id IN ({marks}) GROUP BY name, player_name", ids)  # fmt: skip
    return sorted(((str(n), str(p), int(c)) for n, p, c in rows),
                  key=lambda a: (-a[2], a[0], a[1]))  # fmt: skip
