"""The map-result and session-summary posts (docs/discord.md, "Posts"), rendered from the
store's typed read API (:mod:`etstats.queries`: stopwatch rules and session rules live there).

Stopwatch sides swap between the rounds, so a map names its sides by their regulars (side A
attacked first), not by Axis/Allies.
"""

from __future__ import annotations

import re
from typing import Any

from etstats.queries.types import MapResult, PlayerTotals, Session, SideRoster
from etstats.storage.base import Storage, StoredRound
from etstats_discord import limits, posts
from etstats_discord.limits import md

_ROUND_ID = re.compile(r"^round \d+: ")
_OUTCOME = {
    "beaten": "🏆 **{b}** beat the time and win the map.",
    "held": "🏆 **{a}** win the map: the time held.",
    "double_full_hold": "🤝 Neither side completed the objective: a draw.",
    "incomplete": "⏳ Round 2 has not been played (or stored) yet.",
}


def side_name(letter: str, side: SideRoster, limit: int = 3) -> str:
    """``Side A (Alice, Bob, Carol +2)``: the side's regulars, escaped."""
    names = [md(p.name) for p in side.players]
    more = f" +{len(names) - limit}" if len(names) > limit else ""
    return f"Side {letter} ({', '.join(names[:limit])}{more})" if names else f"Side {letter}"


def top_players(storage: Storage, round_id: int | None, n: int = 3) -> list[posts.PlayerLine]:
    """A round's ``n`` best players by DPM (then kills); empty for a round not stored."""
    if round_id is None:
        return []
    lines = posts.player_lines(storage, round_id)
    return sorted(lines, key=lambda p: (-(p.dpm or 0), -p.kills))[:n]


def _top(round_id: int | None, players: list[posts.PlayerLine]) -> str:
    if round_id is None:
        return "not stored"
    return (
        "\n".join(f"{md(p.name)}: {p.kills} kills, {posts._num(p.dpm)} DPM" for p in players)
        or "no player lines"
    )


def map_lines(m: MapResult) -> list[str]:
    a, b = side_name("A", m.side_a), side_name("B", m.side_b)
    limit = posts._clock(m.time_limit_seconds) if m.time_limit_seconds else "?"
    set_time = (
        f"held off for the full **{limit}**"
        if m.r1_full_hold
        else f"done in **{posts._clock(m.r1_seconds)}** of {limit}"
    )
    lines = [f"🕒 <t:{m.start_unix}:f>", f"{a} attacked first: {set_time}"]
    if m.r2_round_id is not None:
        r2 = (
            "held off (the time stood)"
            if m.r2_full_hold
            else f"done in **{posts._clock(m.r2_seconds)}**"
        )
        lines.append(f"{b} attacked second: {r2}")
    lines.append(_OUTCOME.get(m.outcome, m.outcome).format(a=a, b=b))
    # the notes name rounds by store id ("round 12: ..."), which readers never see and which
    # changes on rebuild: drop that prefix so the post stays stable and readable
    lines += [f"ℹ️ {md(_ROUND_ID.sub('', note))}" for note in m.notes]
    return lines


def map_post(storage: Storage, rnd: StoredRound, *, compact: bool = False) -> list[dict[str, Any]]:
    """The result of the stopwatch map ``rnd`` (a round 2) completed."""
    m = storage.map_result(rnd.id)
    if m is None or m.r2_round_id is None:
        raise posts.SubjectGone(f"round {rnd.id} completes no map yet")
    return render_map(
        m,
        top_players(storage, m.r1_round_id),
        top_players(storage, m.r2_round_id),
        compact=compact,
    )


def render_map(
    m: MapResult,
    r1_top: list[posts.PlayerLine],
    r2_top: list[posts.PlayerLine],
    *,
    compact: bool = False,
) -> list[dict[str, Any]]:
    """The map-result messages of ``m`` with each round's top players (no store access)."""
    fields = (
        []
        if compact
        else [
            {
                "name": "Round 1: top players by DPM",
                "value": _top(m.r1_round_id, r1_top),
                "inline": True,
            },
            {
                "name": "Round 2: top players by DPM",
                "value": _top(m.r2_round_id, r2_top),
                "inline": True,
            },
        ]
    )
    return limits.pack(
        f"{md(m.map_name)}: map result",
        "\n".join(map_lines(m)),
        fields,
        colour=0xF1C40F,
        footer="etstats",
    )


def _leader(players: tuple[PlayerTotals, ...], label: str, key: Any, fmt: str) -> str | None:
    ranked = [p for p in players if key(p.totals) is not None]
    if not ranked:
        return None
    best = max(ranked, key=lambda p: (key(p.totals), p.totals.kills))
    return f"{label}: **{md(best.player.name)}** ({fmt.format(key(best.totals))})"


def session_post(
    storage: Storage,
    session: Session,
    *,
    compact: bool = False,
) -> list[dict[str, Any]]:
    """The evening's summary: score, maps, MVP, leaders, awards and a player table."""
    a, b = side_name("A", session.side_a), side_name("B", session.side_b)
    lines = [
        f"🕒 <t:{session.start_unix}:f> – <t:{session.end_unix}:t> · "
        f"{len(session.maps)} map(s), {len(session.round_ids)} round(s)",
        f"Score: {a} **{session.score_a}** : **{session.score_b}** {b}"
        + (f" · {session.draws} draw(s)" if session.draws else ""),
    ]
    if session.mvp is not None:
        lines.append(f"⭐ MVP: **{md(session.mvp.name)}** ({session.mvp_rule.split(';')[0]})")
    leaders = [
        _leader(session.players, "Most kills", lambda t: t.kills, "{}"),
        _leader(session.players, "Most damage", lambda t: t.damage_given, "{}"),
        _leader(session.players, "Most revives", lambda t: t.revives_given or None, "{}"),
        _leader(
            session.players,
            "Best accuracy",
            lambda t: t.accuracy if t.shots >= 50 else None,
            "{:.0%}",
        ),
    ]
    lines += [x for x in leaders if x]
    fields: list[dict[str, Any]] = []
    maps = [
        f"{md(m.map_name)}: "
        + {"beaten": "B won", "held": "A won", "double_full_hold": "draw"}.get(m.outcome, m.outcome)
        for m in session.maps
    ]
    for i, part in enumerate(limits.chunks(maps, limits.FIELD_VALUE)):
        fields.append({"name": "Maps" if i == 0 else "Maps (more)", "value": part, "inline": False})
    if not compact:
        width = 14
        table = [f"{'Player':<{width}} {'K':>4} {'D':>4} {'DMG':>6} {'DPM':>4}"] + [
            f"{limits.cell(p.player.name, width):<{width}} {p.totals.kills:>4} "
            f"{p.totals.deaths:>4} {p.totals.damage_given:>6} {posts._num(p.totals.dpm):>4}"
            for p in session.players
        ]
        fields += limits.code_fields("Players (by damage)", table)
    if session.awards and not compact:
        awards = [
            f"{md(a.name)}: {md(a.player_name)}" + (f" ×{a.times}" if a.times > 1 else "")
            for a in session.awards
        ]
        for i, part in enumerate(limits.chunks(awards, limits.FIELD_VALUE)):
            fields.append(
                {"name": "Awards" if i == 0 else "Awards (more)", "value": part, "inline": False}
            )
    return limits.pack(
        f"Session on {md(session.server)}",
        "\n".join(lines),
        fields,
        colour=0x9B59B6,
        footer="etstats",
    )
