"""The map-result post: round 2 completed a stopwatch map (docs/discord.md, "Posts").

Stopwatch: the team attacking in round 1 sets a time (the whole limit if it failed); the
other team attacks in round 2 and wins the map by beating that time. Sides swap between the
rounds, so teams are named by what they did ("attacked first"), not by Axis/Allies.
"""

from __future__ import annotations

from typing import Any

from etstats.storage.base import Storage, StoredRound
from etstats_discord import limits, posts
from etstats_discord.limits import md


def _attackers(rnd: StoredRound) -> int | None:
    if rnd.defender_team in posts.TEAMS:
        return 3 - int(rnd.defender_team)  # 1 <-> 2
    return None


def _time(rnd: StoredRound) -> float | None:
    return None if rnd.clock_seconds is None else float(rnd.clock_seconds)


def _top(storage: Storage, rnd: StoredRound, n: int = 3) -> str:
    players = sorted(posts.player_lines(storage, rnd.id),
                     key=lambda p: (-(p.dpm or 0), -p.kills))[:n]  # fmt: skip
    return "\n".join(f"{md(p.name)}: {p.kills} kills, {posts._num(p.dpm)} DPM"
                     for p in players) or "no player lines"  # fmt: skip


def map_post(storage: Storage, r2: StoredRound, *, compact: bool = False) -> list[dict[str, Any]]:
    """The result of the map ``r2`` completed (``r2.r1_round_id`` must be set)."""
    if r2.r1_round_id is None:
        raise posts.SubjectGone(f"round {r2.id} has no round 1 to make a map result")
    r1 = posts.load_round(storage, r2.r1_round_id)
    set_time, r2_time = _time(r1), _time(r2)
    r1_att, r2_att = _attackers(r1), _attackers(r2)
    r1_done = r1_att is not None and r1.winner_team == r1_att
    r2_done = r2_att is not None and r2.winner_team == r2_att
    lines = [f"🕒 <t:{r2.round_start_unix}:f>"]
    first = f"The team attacking first {'set' if r1_done else 'failed; time to beat'} " \
            f"**{posts._clock(set_time if r1_done else r1.time_limit_seconds)}**."  # fmt: skip
    lines.append(first)
    if r2_done:
        lines.append(f"The other team beat it in **{posts._clock(r2_time)}**: "
                     "🏆 **the team attacking second wins the map**.")  # fmt: skip
    elif r1_done:
        lines.append("The other team did not beat it: 🏆 **the team attacking first wins "
                     "the map**.")  # fmt: skip
    else:
        lines.append("Neither team completed the objective: **the map is a draw**.")
    fields = [] if compact else [
        {"name": "Round 1 top players (by DPM)", "value": _top(storage, r1), "inline": True},
        {"name": "Round 2 top players (by DPM)", "value": _top(storage, r2), "inline": True},
    ]  # fmt: skip
    return limits.pack(f"{md(r2.map_name)}: map result", "\n".join(lines), fields,
                       colour=0xF1C40F, footer="etstats")  # fmt: skip
