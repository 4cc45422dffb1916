"""What one gaming session or stopwatch map holds: map results, sides and rosters, player
totals, MVP and awards (docs/sessions.md). :mod:`etstats.queries.sessions` finds the rounds."""

from __future__ import annotations

from collections import Counter
from typing import Any

from etstats.queries import identity
from etstats.queries.careers import totals_from, totals_select
from etstats.queries.maps import map_result as build_map
from etstats.queries.rounds import (
    SUMMARY_SELECT,
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
    SideRoster,
)

MAX_ROUND_SECONDS = 6 * 3600
"""Longest a round's end may lie after its start (a later end is capped there)."""

MVP_RULE = (
    "highest DPM (damage given / minutes played) among players with at least half the "
    "session's longest time played; ties by kills, then GUID"
)


def round_end(r: RoundSummary) -> int:
    """A round's end for the session gap: ``round_end_unix``, else its key time, capped at
    :data:`MAX_ROUND_SECONDS` after its start."""
    end = r.end_unix if r.end_unix is not None else r.start_unix
    return min(max(r.start_unix, end), r.start_unix + MAX_ROUND_SECONDS)


def _line_names(lines: dict[int, list[PlayerLine]]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for v in lines.values():
        for ln in v:
            counts[(ln.player_guid, ln.name)] = counts.get((ln.player_guid, ln.name), 0) + 1
    return counts


def maps_of(
    rounds: list[RoundSummary], lines: dict[int, list[PlayerLine]], refs: dict[str, PlayerRef]
) -> list[MapResult]:
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
        row = tx.fetchone(
            f"{SUMMARY_SELECT} WHERE r.r1_round_id = ? ORDER BY r.id LIMIT 1", (r.id,)
        )
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
        id=rounds[0].start_unix,
        server=rounds[0].server,
        start_unix=rounds[0].start_unix,
        end_unix=max(round_end(r) for r in rounds),
        gap_minutes=gap / 60,
        round_ids=tuple(ids),
        maps=tuple(maps),
        side_a=side_a,
        side_b=side_b,
        score_a=score["A"],
        score_b=score["B"],
        draws=score["draw"],
        players=tuple(totals),
        mvp=_mvp(totals),
        mvp_rule=MVP_RULE,
        awards=tuple(_awards(tx, ids)),
    )


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


def _rosters(
    maps: list[MapResult], side_of: list[dict[str, str]], refs: dict[str, PlayerRef]
) -> tuple[SideRoster, SideRoster]:
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
        out.append(
            SideRoster(label, tuple(sorted(regular, key=by_name)), tuple(sorted(subs, key=by_name)))
        )
    return out[0], out[1]


def by_name(p: PlayerRef) -> tuple[str, str]:
    return (p.name.casefold(), p.guid)


def _player_totals(tx: Any, ids: list[int], refs: dict[str, PlayerRef]) -> list[PlayerTotals]:
    marks = ", ".join("?" * len(ids))
    rows = tx.fetchall(
        f"SELECT {PLAYER_GUID}, {totals_select(dialect(tx))} FROM player_round_stats p "
        f"{ALIAS_JOIN} WHERE p.round_id IN ({marks}) AND {NOT_BOT} "
        f"GROUP BY {PLAYER_GUID}",
        ids,
    )
    out = [
        PlayerTotals(refs.get(str(r[0]), PlayerRef(str(r[0]), str(r[0]))), totals_from(r[1:]))
        for r in rows
    ]
    return sorted(out, key=lambda t: (-t.totals.damage_given, t.player.guid))


def _mvp(players: list[PlayerTotals]) -> PlayerRef | None:
    if not players:
        return None
    longest = max(p.totals.time_played_minutes for p in players)
    eligible = [
        p
        for p in players
        if p.totals.time_played_minutes * 2 >= longest and p.totals.dpm is not None
    ]
    if not eligible:
        return None
    best = min(eligible, key=lambda p: (-(p.totals.dpm or 0.0), -p.totals.kills, p.player.guid))
    return best.player


def _awards(tx: Any, ids: list[int]) -> list[AwardCount]:
    marks = ", ".join("?" * len(ids))
    rows = tx.fetchall(
        f"SELECT name, player_name, COUNT(*) FROM endstats_awards "
        f"WHERE round_id IN ({marks}) GROUP BY name, player_name",
        ids,
    )
    found = [AwardCount(str(n), str(p), int(c)) for n, p, c in rows]
    return sorted(found, key=lambda a: (-a.times, a.name, a.player_name))
