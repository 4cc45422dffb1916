"""The posts a community sees: the round post, the map result (docs/discord.md, "Posts").

Each renderer reads one subject from the store through indexed per-round reads and returns
message payloads already within Discord's limits (:func:`etstats_discord.limits.pack`). Times
are Discord time tags (``<t:UNIX:f>``), shown in each reader's own timezone.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from attrs import frozen

from etstats.errors import EtStatsError
from etstats.storage.base import ROUND_TABLES, Row, Storage, StoredRound
from etstats_discord import limits
from etstats_discord.limits import cell, md

RENDERER_VERSION = 1
"""Part of every post's idempotency key: bump it to post anew instead of editing."""

TEAMS = {1: "Axis", 2: "Allies"}
COLOURS = {1: 0xC0392B, 2: 0x2E86C1, None: 0x5865F2}
"""Embed colour by winner team (Axis red, Allies blue; neutral when unknown)."""

_P = {name: i for i, name in enumerate(ROUND_TABLES["player_round_stats"])}
_W = {name: i for i, name in enumerate(ROUND_TABLES["weapon_stats"])}
_L = {name: i for i, name in enumerate(ROUND_TABLES["lua_timing"])}


class SubjectGone(EtStatsError):
    """The round (or map) to render is not in the store (any more)."""


@frozen
class PlayerLine:
    """One player of a round post (values of this round; minutes/seconds as named)."""

    name: str
    team: int
    kills: int
    deaths: int
    damage_given: int | None
    damage_received: int | None
    headshots: int | None
    revives: int | None
    gibs: int | None
    played_minutes: float | None
    dead_minutes: float | None
    denied_seconds: int | None
    hits: int
    shots: int
    multikills: dict[int, int]
    """Multikill size (3..6) -> times."""

    @property
    def dpm(self) -> float | None:
        """Damage given per minute played."""
        if not self.damage_given or not self.played_minutes:
            return None
        return self.damage_given / self.played_minutes

    @property
    def accuracy(self) -> float | None:
        """Hits per shot, in percent."""
        return None if not self.shots else 100.0 * self.hits / self.shots

    @property
    def dead_share(self) -> float | None:
        """Time dead as a percentage of time played."""
        if self.dead_minutes is None or not self.played_minutes:
            return None
        return 100.0 * self.dead_minutes / self.played_minutes


def load_round(storage: Storage, round_id: int) -> StoredRound:
    rows = storage.table_rows("rounds", [round_id])
    if not rows:
        raise SubjectGone(f"round {round_id} is not in the store")
    return StoredRound(*rows[0])


def find_round(storage: Storage, keys: list[str], ref: str) -> StoredRound:
    """The round an outbox row names: its ``ref`` id if that round still has one of the
    row's artifacts, else the round holding any of them (ids change on ``rebuild``)."""
    shas = {k[4:] for k in keys if k.startswith("sha:")}
    if ref.startswith("round:"):
        try:
            rnd = load_round(storage, int(ref[6:]))
        except SubjectGone:
            rnd = None
        if rnd is not None and (not shas or shas & set(rnd.linked.values())):
            return rnd
    with storage.transaction() as tx:
        found = tx.rounds_with_artifacts(sorted(shas))
    if not found:
        raise SubjectGone(f"no stored round has the artifacts of {ref}")
    return found[0]


def player_lines(storage: Storage, round_id: int) -> list[PlayerLine]:
    """The round's players, most kills first."""
    hits: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for w in storage.table_rows("weapon_stats", [round_id]):
        acc = hits[int(w[_W["player_index"]])]
        acc[0] += int(w[_W["hits"]])
        acc[1] += int(w[_W["shots"]])
    out = []
    for r in storage.table_rows("player_round_stats", [round_id]):
        tab = _tab(r)
        multi = {k: int(tab.get(f"multikill_{k}x", 0) or 0) for k in (3, 4, 5, 6)}
        h, s = hits.get(int(r[_P["player_index"]]), [0, 0])
        out.append(
            PlayerLine(
                name=str(r[_P["raw_name"]] or r[_P["name"]]),
                team=int(r[_P["team"]]),
                kills=int(r[_P["kills"]]),
                deaths=int(r[_P["deaths"]]),
                damage_given=r[_P["damage_given"]],
                damage_received=r[_P["damage_received"]],
                headshots=r[_P["headshot_kills"]],
                revives=r[_P["revives_given"]],
                gibs=r[_P["gibs"]],
                played_minutes=r[_P["time_played_minutes"]],
                dead_minutes=r[_P["time_dead_minutes"]],
                denied_seconds=r[_P["denied_playtime_seconds"]],
                hits=h,
                shots=s,
                multikills={k: v for k, v in multi.items() if v},
            )
        )
    out.sort(key=lambda p: (-p.kills, p.deaths, limits.clean(p.name).casefold()))
    return out


def _tab(row: Row) -> dict[str, Any]:
    try:
        value = json.loads(row[_P["tab_json"]] or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _num(value: float | None, fmt: str = "{:.0f}") -> str:
    return "-" if value is None else fmt.format(value)


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def combat_table(players: list[PlayerLine], width: int = 14) -> list[str]:
    """``Player K D DMG DMGR DPM ACC HS`` rows (damage in hit points, accuracy in %)."""
    head = (
        f"{'Player':<{width}} {'K':>3} {'D':>3} {'DMG':>5} {'DMGR':>5} {'DPM':>4} "
        f"{'ACC':>4} {'HS':>3}"
    )
    rows = [
        f"{cell(p.name, width):<{width}} {p.kills:>3} {p.deaths:>3} "
        f"{_num(p.damage_given):>5} {_num(p.damage_received):>5} {_num(p.dpm):>4} "
        f"{_num(p.accuracy, '{:.0f}%'):>4} {_num(p.headshots):>3}"
        for p in players
    ]
    return [head, *rows]


def support_table(players: list[PlayerLine], width: int = 14) -> list[str]:
    """``Player REV GIB TIME DEAD DENIED`` rows (time played m:ss, dead % of it, denied s)."""
    head = f"{'Player':<{width}} {'REV':>3} {'GIB':>3} {'TIME':>5} {'DEAD':>4} {'DENY':>5}"
    rows = [
        f"{cell(p.name, width):<{width}} {_num(p.revives):>3} {_num(p.gibs):>3} "
        f"{_clock(None if p.played_minutes is None else p.played_minutes * 60):>5} "
        f"{_num(p.dead_share, '{:.0f}%'):>4} {_num(p.denied_seconds, '{:.0f}s'):>5}"
        for p in players
    ]
    return [head, *rows]


def compact_table(players: list[PlayerLine], width: int = 12) -> list[str]:
    """The smaller shape used after Discord rejected a post: ``Player K D DMG``."""
    return [
        f"{'Player':<{width}} {'K':>3} {'D':>3} {'DMG':>5}",
        *(
            f"{cell(p.name, width):<{width}} {p.kills:>3} {p.deaths:>3} {_num(p.damage_given):>5}"
            for p in players
        ),
    ]


def _verdict_line(storage: Storage, round_id: int) -> str | None:
    rows = storage.table_rows("reconciliations", [round_id])
    if not rows:
        return None
    verdict = str(rows[0][1])
    if verdict == "agree":
        return "✅ The stats sources agree."
    try:
        report = json.loads(rows[0][4])
    except ValueError:
        report = {}
    causes: dict[str, int] = defaultdict(int)
    for c in report.get("comparisons", []) if isinstance(report, dict) else []:
        if c.get("verdict") != "agree":
            for k in c.get("causes", []) or [{"code": c.get("check", "?")}]:
                causes[str(k.get("code", "?"))] += 1
    top = sorted(causes.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    named = ", ".join(code.replace("-", " ") for code, _ in top) or "no named cause"
    icon = {"tolerated": "☑️", "explained": "ℹ️"}.get(verdict, "⚠️")
    return f"{icon} Sources {verdict}: {named}."


def _lua(storage: Storage, round_id: int) -> Row | None:
    rows = storage.table_rows("lua_timing", [round_id])
    return rows[0] if rows else None


def round_header(storage: Storage, rnd: StoredRound) -> list[str]:
    """Description lines: when, how long against the limit, how it ended, who won."""
    lua = _lua(storage, rnd.id)
    lines = [f"🕒 <t:{rnd.round_start_unix}:f> (<t:{rnd.round_start_unix}:R>)"]
    limit = rnd.time_limit_seconds
    took: float | None
    if lua is not None and lua[_L["duration_seconds"]] is not None:
        took, source = float(lua[_L["duration_seconds"]]), "Lua timing"
    else:
        took = None if rnd.clock_seconds is None else float(rnd.clock_seconds)
        source = "stats file"
    if took is not None:
        of = f" of {_clock(limit)}" if limit else ""
        lines.append(f"⏱️ **{_clock(took)}**{of} ({source})")
    winner = lua[_L["winner_team"]] if lua is not None and lua[_L["winner_team"]] else None
    winner = winner or rnd.winner_team
    defender = rnd.defender_team if rnd.defender_team in TEAMS else None
    parts = [f"🏆 **{TEAMS[winner]}** won" if winner in TEAMS else "🏆 winner not known yet"]
    if defender:
        parts.append(f"{TEAMS[defender]} defended")
    if lua is not None and lua[_L["end_reason"]]:
        parts.append(f"ended by {md(lua[_L['end_reason']])}")
    lines.append(" · ".join(parts))
    verdict = _verdict_line(storage, rnd.id)
    if verdict:
        lines.append(verdict)
    return lines


def _multikills(players: list[PlayerLine], most: int = 8) -> list[str]:
    """``Bob: 5x, 3x ×2`` for the players with a multikill of 3 or more, best first."""
    ranked = sorted(
        (p for p in players if p.multikills),
        key=lambda p: (-max(p.multikills), -sum(p.multikills.values())),
    )
    return [
        f"{md(p.name)}: "
        + ", ".join(
            f"{k}x" + (f" ×{v}" if v > 1 else "")
            for k, v in sorted(p.multikills.items(), reverse=True)
        )
        for p in ranked[:most]
    ]


def round_post(
    storage: Storage, rnd: StoredRound, *, compact: bool = False, footer: str = "etstats"
) -> list[dict[str, Any]]:
    """The round post of a stored round (see :func:`render_round`)."""
    return render_round(
        rnd,
        player_lines(storage, rnd.id),
        round_header(storage, rnd),
        compact=compact,
        footer=footer,
    )


def render_round(
    rnd: StoredRound,
    players: list[PlayerLine],
    header: list[str],
    *,
    compact: bool = False,
    footer: str = "etstats",
) -> list[dict[str, Any]]:
    """Header lines, then each team's tables (combat and support; only ``Player K D DMG``
    when ``compact``), then multikills worth mentioning; continuation messages when long."""
    fields: list[dict[str, Any]] = []
    teams = sorted({p.team for p in players}, key=lambda t: (t not in TEAMS, t))
    for team in teams:
        members = [p for p in players if p.team == team]
        label = f"{TEAMS.get(team, 'Other')} ({len(members)})"
        if compact:
            fields += limits.code_fields(label, compact_table(members))
        else:
            fields += limits.code_fields(f"{label}: combat", combat_table(members))
            fields += limits.code_fields(f"{label}: support", support_table(members))
    multi = _multikills(players)
    if multi and not compact:
        for i, part in enumerate(limits.chunks(multi, limits.FIELD_VALUE)):
            fields.append(
                {
                    "name": "Multikills" if i == 0 else "Multikills (more)",
                    "value": part,
                    "inline": False,
                }
            )
    if not players:
        fields.append({"name": "Players", "value": "No player lines stored yet.", "inline": False})
    title = f"{md(rnd.map_name)} · round {rnd.round_number}"
    colour = COLOURS.get(rnd.winner_team if rnd.winner_team in TEAMS else None, 0x5865F2)
    return limits.pack(title, "\n".join(header), fields, colour=colour, footer=footer)
