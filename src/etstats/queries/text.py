"""Plain-text tables and JSON data of the read API's results (the CLI's output).

Times print as UTC (``YYYY-MM-DD HH:MM``); JSON keeps Unix seconds. :func:`to_data` turns any
result into JSON-ready data (attrs classes to objects, tuples to arrays).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from etstats.queries.types import (
    Career,
    IdentityLink,
    Leaderboard,
    MapResult,
    RecordEntry,
    Session,
    SessionSummary,
    StatTotals,
)

RATE_PROPERTIES = ("kd", "dpm", "accuracy", "headshot_share", "dead_share")


def to_data(value: Any) -> Any:
    """JSON-ready data of a result; :class:`StatTotals` also carry their rates."""
    if isinstance(value, StatTotals):
        data = {f.name: to_data(getattr(value, f.name)) for f in attrs.fields(StatTotals)}
        data.update({name: getattr(value, name) for name in RATE_PROPERTIES})
        return data
    if attrs.has(type(value)):
        return {f.name: to_data(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, (list, tuple)):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def when(unix: int | None) -> str:
    if unix is None:
        return "-"
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M")


def clock(seconds: int | None) -> str:
    return "-" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"


def num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if float(value).is_integer() and digits <= 1:
        return str(int(value))
    return f"{value:.{digits}f}"


def mins(value: float | None) -> str:
    """Minutes with one decimal (as the stats file writes them)."""
    return "-" if value is None else f"{value:.1f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A left/right aligned text table (numbers right-aligned)."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    numeric = [all(_numeric(r[i]) for r in cells) and bool(cells) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        padded = (
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        )
        return "  ".join(padded).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _numeric(text: str) -> bool:
    return text.replace(".", "", 1).replace("-", "", 1).replace(":", "", 1).isdigit() or text == "-"


def sessions_text(items: Sequence[SessionSummary]) -> str:
    if not items:
        return "no sessions"
    rows = [
        (
            s.id,
            s.server,
            when(s.start_unix),
            when(s.end_unix),
            len(s.round_ids),
            len(s.players),
            ", ".join(s.maps) or "-",
        )
        for s in items
    ]
    return table(("id", "server", "start (UTC)", "end (UTC)", "rounds", "players", "maps"), rows)


def _names(refs: Sequence[Any]) -> str:
    return ", ".join(p.name for p in refs) or "-"


def map_line(m: MapResult) -> tuple[Any, ...]:
    winner = {"A": "A", "B": "B"}.get(
        m.winner or "", "draw" if m.outcome == "double_full_hold" else "-"
    )
    return (
        m.map_name,
        clock(m.r1_seconds) + (" FH" if m.r1_full_hold else ""),
        clock(m.r2_seconds) if m.r2_round_id else "-",
        m.outcome,
        winner,
        "; ".join(m.notes) or "",
    )


def session_text(s: Session) -> str:
    head = [
        f"session {s.id} on {s.server}: {when(s.start_unix)} - {when(s.end_unix)} UTC, "
        f"{len(s.round_ids)} rounds (gap {num(s.gap_minutes)} min)",
        f"score: side A {s.score_a} - {s.score_b} side B"
        + (f", {s.draws} draw(s)" if s.draws else ""),
        f"side A: {_names(s.side_a.players)}"
        + (f" (subs: {_names(s.side_a.substitutes)})" if s.side_a.substitutes else ""),
        f"side B: {_names(s.side_b.players)}"
        + (f" (subs: {_names(s.side_b.substitutes)})" if s.side_b.substitutes else ""),
        f"MVP: {s.mvp.name if s.mvp else '-'} (highest DPM with at least half the longest "
        "time played)",
        "",
        table(
            ("map", "A set", "B time", "outcome", "winner", "notes"), [map_line(m) for m in s.maps]
        )
        if s.maps
        else "no maps with a stats file",
        "",
        table(
            (
                "player",
                "rounds",
                "min",
                "kills",
                "deaths",
                "K/D",
                "dmg",
                "DPM",
                "acc %",
                "gibs",
                "revives",
            ),
            [
                (
                    p.player.name,
                    t.rounds,
                    mins(t.time_played_minutes),
                    t.kills,
                    t.deaths,
                    num(t.kd, 2),
                    t.damage_given,
                    num(t.dpm),
                    num(_pct(t.accuracy)),
                    t.gibs,
                    t.revives_given,
                )
                for p in s.players
                for t in (p.totals,)
            ],
        ),
    ]
    if s.awards:
        head += [
            "",
            "awards: "
            + "; ".join(
                f"{a.name} - {a.player_name}" + (f" x{a.times}" if a.times > 1 else "")
                for a in s.awards[:12]
            ),
        ]
    return "\n".join(head)


def _pct(v: float | None) -> float | None:
    return None if v is None else v * 100


def career_text(c: Career) -> str:
    t = c.totals
    lines = [
        f"{c.player.name} ({', '.join(c.guids)}); names: {', '.join(c.names[:6])}",
        f"{t.rounds} rounds, {mins(t.time_played_minutes)} min, {when(c.first_unix)} - "
        f"{when(c.last_unix)} UTC",
        "",
        table(
            (
                "kills",
                "deaths",
                "K/D",
                "dmg given",
                "dmg recv",
                "DPM",
                "acc %",
                "HS %",
                "gibs",
                "revives",
                "team dmg",
                "dead %",
                "denied s",
                "objectives",
            ),
            [
                (
                    t.kills,
                    t.deaths,
                    num(t.kd, 2),
                    t.damage_given,
                    t.damage_received,
                    num(t.dpm),
                    num(_pct(t.accuracy)),
                    num(_pct(t.headshot_share)),
                    t.gibs,
                    t.revives_given,
                    t.team_damage_given,
                    num(_pct(t.dead_share)),
                    t.denied_playtime_seconds,
                    t.objectives,
                )
            ],
        ),
        "",
        table(
            ("map", "rounds", "min", "kills", "deaths", "DPM"),
            [
                (
                    m.map_name,
                    m.totals.rounds,
                    mins(m.totals.time_played_minutes),
                    m.totals.kills,
                    m.totals.deaths,
                    num(m.totals.dpm),
                )
                for m in c.by_map
            ],
        ),
        "",
        table(
            ("weapon", "kills", "deaths", "hits", "shots", "acc %", "headshots"),
            [
                (w.weapon, w.kills, w.deaths, w.hits, w.shots, num(_pct(w.accuracy)), w.headshots)
                for w in c.by_weapon
            ],
        ),
    ]
    if c.links:
        lines += ["", "links: " + ", ".join(f"{x.kind} {x.value}" for x in c.links)]
    return "\n".join(lines)


def leaderboard_text(b: Leaderboard) -> str:
    gate = f"gate: {b.min_rounds} rounds" + (f", {num(b.min_minutes)} min" if b.min_minutes else "")
    if not b.entries:
        return f"{b.stat}: nobody passes the gate ({gate})"
    digits = 2 if b.stat in RATE_PROPERTIES else 1
    rows = [
        (e.rank, e.name, e.guid, num(e.value, digits), e.rounds, mins(e.time_played_minutes))
        for e in b.entries
    ]
    return f"{b.stat} ({gate})\n" + table(("#", "player", "guid", b.stat, "rounds", "min"), rows)


def records_text(items: Sequence[RecordEntry]) -> str:
    if not items:
        return "no records"
    rows = [
        (
            r.stat,
            r.scope,
            num(r.value, 2 if r.stat in RATE_PROPERTIES else 1),
            r.name,
            r.map_name,
            when(r.when_unix),
            ",".join(map(str, r.round_ids)),
        )
        for r in items
    ]
    return table(("stat", "scope", "value", "player", "map", "when (UTC)", "rounds"), rows)


def links_text(items: Sequence[IdentityLink]) -> str:
    if not items:
        return "no identity links"
    rows = [(x.player_guid, x.kind, x.value, when(x.created_unix)) for x in items]
    return table(("player", "kind", "value", "since (UTC)"), rows)
