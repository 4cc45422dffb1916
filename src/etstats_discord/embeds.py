"""Discord embeds (plain dicts, as ``discord.Embed.from_dict`` and webhooks take them) for the
answers of :mod:`etstats_discord.queries` and :mod:`etstats_discord.reconcile_summary`.

Pure functions, no discord import. Every embed is cut to Discord's limits (:data:`LIMITS`):
long texts end in ``…``, surplus fields become one ``…and N more`` field. Text from the data
(player names, maps, file names) is escaped with :func:`escape_markdown`, so ``*``, ``_``, a
backtick, ``|``, ``~`` or ``>`` in a name is shown as written instead of formatting the message.
Units are always written next to the numbers: minutes as ``min``, seconds as ``s``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from etstats_discord.queries import (
    PlayerLookup,
    RoundLine,
    Scoreboard,
    ScoreLine,
    StoreStatus,
)
from etstats_discord.reconcile_summary import ReconcileSummary

Embed = dict[str, Any]

LIMITS = {
    "title": 256,
    "description": 4096,
    "field_name": 256,
    "field_value": 1024,
    "fields": 25,
    "footer": 2048,
    "total": 6000,
}
"""Discord's embed limits (characters; ``fields`` is a count, ``total`` counts title,
description, field names and values and footer together)."""

COLOURS = {
    "agree": 0x2ECC71,
    "tolerated": 0x3498DB,
    "explained": 0xF1C40F,
    "conflict": 0xE74C3C,
    "info": 0x5865F2,
    "error": 0xE74C3C,
}
"""Embed colour per reconciliation verdict (``info`` for plain answers, ``error`` for errors)."""

ELLIPSIS = "…"
_SPECIAL = re.compile(r"([\\*_`~|>#\[\]])")
_ESCAPED = re.compile(r"\\([\\*_`~|>#\[\]])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def escape_markdown(text: str) -> str:
    """Backslash-escape Discord markdown characters (``\\ * _ ` ~ | > # [ ]``)."""
    return _SPECIAL.sub(r"\\\1", text)


def unescape_markdown(text: str) -> str:
    """Inverse of :func:`escape_markdown`."""
    return _ESCAPED.sub(r"\1", text)


def safe(text: object) -> str:
    """Data text for an embed: control characters as spaces, markdown escaped."""
    return escape_markdown(_CONTROL.sub(" ", str(text)))


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters ending in ``…``; never ends inside an escape."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    cut = text[: limit - 1]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:  # a lone backslash would escape the ellipsis
        cut = cut[:-1]
    return cut + ELLIPSIS


def _size(embed: Embed) -> int:
    fields = embed.get("fields", [])
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + len(embed.get("footer", {}).get("text", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
    )


def _more(n: int) -> dict[str, Any]:
    return {"name": ELLIPSIS, "value": f"…and {n} more", "inline": False}


def make_embed(
    title: str,
    description: str = "",
    fields: list[tuple[str, str]] | None = None,
    *,
    colour: str = "info",
    footer: str | None = None,
    inline: bool = False,
) -> Embed:
    """An embed within :data:`LIMITS`; ``fields`` are (name, value) pairs (already escaped).

    Texts are truncated; fields beyond 25, or beyond the 6000-character total, are replaced
    by one ``…and N more`` field.
    """
    embed: Embed = {"title": truncate(title, LIMITS["title"]), "color": COLOURS[colour]}
    if description:
        embed["description"] = truncate(description, LIMITS["description"])
    if footer:
        embed["footer"] = {"text": truncate(footer, LIMITS["footer"])}
    out: list[dict[str, Any]] = [
        {
            "name": truncate(n or "\u200b", LIMITS["field_name"]),
            "value": truncate(v or "\u200b", LIMITS["field_value"]),
            "inline": inline,
        }
        for n, v in fields or []
    ]
    if len(out) > LIMITS["fields"]:
        hidden = len(out) - (LIMITS["fields"] - 1)
        out = [*out[: LIMITS["fields"] - 1], _more(hidden)]
    embed["fields"] = out
    if _size(embed) > LIMITS["total"]:
        shown = [f for f in out if f["name"] != ELLIPSIS]
        total = len(fields or [])
        embed["fields"] = []
        room = LIMITS["total"] - _size(embed) - len(ELLIPSIS) - len(_more(total)["value"])
        kept: list[dict[str, Any]] = []
        for f in shown:
            room -= len(f["name"]) + len(f["value"])
            if room < 0:
                break
            kept.append(f)
        embed["fields"] = [*kept, _more(total - len(kept))]
        if _size(embed) > LIMITS["total"]:  # title + description + footer alone too long
            embed["description"] = truncate(embed.get("description", ""), 1000)
    if not embed["fields"]:
        del embed["fields"]
    return embed


def utc(unix: int | None) -> str:
    """``YYYY-MM-DD HH:MM:SS UTC`` of Unix seconds (``?`` for ``None``)."""
    if unix is None:
        return "?"
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def minutes(value: float | None) -> str:
    """``8.7 min (522 s)``: minutes as stored and the same time in whole seconds."""
    if value is None:
        return "n/a"
    return f"{value:.1f} min ({round(value * 60)} s)"


def _round_title(r: RoundLine) -> str:
    return f"#{r.round_id} {safe(r.map_name)} round {r.round_number}"


def _round_text(r: RoundLine) -> str:
    source = r.start_source.replace("-", " ")
    scope = " · R1+R2 totals (no round 1 stored)" if r.values_scope == "cumulative_r1_r2" else ""
    return (
        f"{utc(r.start_unix)} ({source} time)\nwinner {r.winner or 'unknown'} · "
        f"{r.players} players · {', '.join(r.sources) or 'no files'}{scope}"
    )


def rounds_embed(rounds: list[RoundLine]) -> Embed:
    """``etstats last``: one field per round, newest first."""
    if not rounds:
        return make_embed("Latest rounds", "The store has no rounds yet.")
    fields = [(_round_title(r), _round_text(r)) for r in rounds]
    return make_embed(f"Latest {len(rounds)} round(s)", fields=fields)


def _score_value(p: ScoreLine) -> str:
    dmg = "n/a" if p.damage_given is None else str(p.damage_given)
    note = "" if p.values_scope == "round" else f"\n(values: {p.values_scope})"
    return (
        f"kills {p.kills} · deaths {p.deaths} · damage {dmg}\n"
        f"played {minutes(p.time_played_minutes)}\n"
        f"dead {minutes(p.time_dead_minutes)}{note}"
    )


def scoreboard_embed(board: Scoreboard) -> Embed:
    """``etstats round``: the round header and one field per player (by kills or damage)."""
    r = board.round
    fields = [
        (f"{i}. {safe(p.name)} ({p.team or '?'})", _score_value(p))
        for i, p in enumerate(board.players, 1)
    ]
    desc = _round_text(r)
    if not fields:
        desc += "\nNo player lines are stored for this round."
    footer = f"sorted by {board.sort}; dead time is the stats file's TAB[25]"
    return make_embed(_round_title(r), desc, fields, inline=True, footer=footer)


def player_embed(found: PlayerLookup) -> Embed:
    """``etstats player``: totals, the candidates of an ambiguous name, or no match."""
    query = safe(found.query)
    if found.totals is None and not found.candidates:
        return make_embed("Player not found", f'No player matches "{query}".', colour="error")
    if found.totals is None:
        fields = [
            (c.guid, f"{', '.join(safe(n) for n in c.names)} · {c.rounds} round(s)")
            for c in found.candidates
        ]
        return make_embed(
            f"{len(found.candidates)} players match {query}",
            "The name is ambiguous; ask again with a GUID prefix below.",
            fields,
        )
    t = found.totals
    kd = f"{t.kills / t.deaths:.2f}" if t.deaths else "n/a"
    fields = [
        ("GUID", f"{t.guid} (matched by {found.matched_by})"),
        ("Names", ", ".join(safe(n) for n in t.names)),
        ("Rounds", f"{t.rounds} ({utc(t.first_unix)} … {utc(t.last_unix)})"),
        ("Kills / deaths", f"{t.kills} / {t.deaths} (K/D {kd})"),
        ("Damage given", str(t.damage_given)),
        ("Time played", minutes(t.time_played_minutes)),
        ("Time dead", minutes(t.time_dead_minutes)),
    ]
    if t.cumulative_rows:
        fields.append(
            (
                "Note",
                f"{t.cumulative_rows} line(s) hold R1+R2 totals or a round-2 "
                "line as written (their round 1 was not differenced)",
            )
        )
    return make_embed(safe(t.names[0] if t.names else t.guid), fields=fields)


def reconcile_embed(s: ReconcileSummary) -> Embed:
    """``etstats reconcile``: verdict, counts and the comparisons that did not agree."""
    counts = ", ".join(f"{k} {v}" for k, v in s.counts.items())
    desc = (
        f"verdict **{s.verdict}** ({counts})\nstored verdict: {s.stored_verdict or 'none'}"
        f"\nfiles: {', '.join(safe(a) for a in s.artifacts)}"
    )
    fields = []
    for i in s.issues:
        diff = "n/a" if i.difference is None else f"{i.difference:+.1f} {i.unit}"
        who = f" · {safe(i.player)}" if i.player else ""
        causes = ", ".join(i.causes) or "none named"
        fields.append((f"{i.verdict} · {i.check}{who}", f"difference {diff}; causes: {causes}"))
    return make_embed(
        f"Reconciliation of {_round_title(s.round)}",
        desc,
        fields,
        colour=s.verdict if s.verdict in COLOURS else "info",
    )


def status_embed(st: StoreStatus) -> Embed:
    """``etstats status``: schema version and counts."""
    arts = ", ".join(f"{k} {v}" for k, v in st.artifacts.items()) or "none"
    verdicts = ", ".join(f"{k} {v}" for k, v in st.verdicts.items()) or "none"
    fields = [
        ("Store", safe(st.url)),
        ("Schema version", str(st.schema_version)),
        ("Rounds", str(st.rounds)),
        ("Player lines", str(st.player_lines)),
        ("Artifacts", arts),
        ("Reconciliation verdicts", verdicts),
    ]
    return make_embed("etstats store", fields=fields)


def error_embed(message: str) -> Embed:
    """A short user-facing error (no traceback)."""
    return make_embed("etstats", safe(message), colour="error")
