"""Discord's message limits, checked before sending, and packing of long posts into
continuation messages (never silent truncation). Pure functions; no discord import.

Limits count code points after trimming leading/trailing whitespace, as Discord does
(shared/spec/discord-and-http-facts.md §1.2). The 6000-character budget is per message, across
all its embeds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from etstats.model.common import strip_colours

CONTENT = 2000
EMBEDS = 10
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
TOTAL = 6000
NO_MENTIONS: dict[str, list[str]] = {"parse": []}
"""``allowed_mentions`` of every message: nothing in a post ever pings anyone."""

_SPECIAL = re.compile(r"([\\*_`~|>#\[\]()<:@-])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def n(text: str) -> int:
    """Length as Discord counts it: code points after trimming whitespace."""
    return len(text.strip())


def clean(raw: object) -> str:
    """ET colour codes stripped (``^1Bob`` -> ``Bob``); control characters (C0, C1 such as
    NEL, and line separators) as spaces."""
    return _CONTROL.sub(" ", strip_colours(str(raw))).strip()


def md(raw: object) -> str:
    """A player/map name for embed text: cleaned, Markdown and mention syntax escaped."""
    return _SPECIAL.sub(r"\\\1", clean(raw)) or "?"


def cell(raw: object, width: int) -> str:
    """A name for a code-block table: cleaned, no backticks, cut to ``width`` with ``…``."""
    text = clean(raw).replace("`", "ˋ") or "?"
    return text if len(text) <= width else text[: width - 1] + "…"


def embed_size(embed: dict[str, Any]) -> int:
    """The characters of one embed that count toward the 6000 budget."""
    return (
        n(embed.get("title", ""))
        + n(embed.get("description", ""))
        + n(embed.get("footer", {}).get("text", ""))
        + n(embed.get("author", {}).get("name", ""))
        + sum(n(f.get("name", "")) + n(f.get("value", "")) for f in embed.get("fields", []))
    )


def violations(message: dict[str, Any]) -> list[str]:
    """Every way ``message`` breaks Discord's limits (empty: it may be sent)."""
    out: list[str] = []
    embeds = message.get("embeds", [])
    if message.get("allowed_mentions") != NO_MENTIONS:
        out.append("allowed_mentions must be {'parse': []}")
    if not (n(message.get("content", "")) or embeds or message.get("attachments")):
        out.append("empty message")
    if n(message.get("content", "")) > CONTENT:
        out.append("content over 2000")
    if len(embeds) > EMBEDS:
        out.append("more than 10 embeds")
    total = 0
    for i, e in enumerate(embeds):
        for key, limit in (("title", TITLE), ("description", DESCRIPTION)):
            if n(e.get(key, "")) > limit:
                out.append(f"embeds.{i}.{key} over {limit}")
        if n(e.get("footer", {}).get("text", "")) > FOOTER:
            out.append(f"embeds.{i}.footer over {FOOTER}")
        fields = e.get("fields", [])
        if len(fields) > FIELDS:
            out.append(f"embeds.{i} has more than 25 fields")
        for j, f in enumerate(fields):
            if not n(f.get("name", "")) or n(f["name"]) > FIELD_NAME:
                out.append(f"embeds.{i}.fields.{j}.name empty or over {FIELD_NAME}")
            if not n(f.get("value", "")) or n(f["value"]) > FIELD_VALUE:
                out.append(f"embeds.{i}.fields.{j}.value empty or over {FIELD_VALUE}")
        total += embed_size(e)
    if total > TOTAL:
        out.append(f"embeds total {total} over {TOTAL}")
    return out


def chunks(lines: Iterable[str], limit: int) -> list[str]:
    """Lines joined by newlines into pieces of at most ``limit`` characters; a line longer
    than ``limit`` is split across pieces (nothing is dropped)."""
    out: list[str] = []
    cur = ""
    for line in lines:
        while len(line) > limit:
            if cur:
                out.append(cur)
                cur = ""
            out.append(line[:limit])
            line = line[limit:]
        if cur and len(cur) + 1 + len(line) > limit:
            out.append(cur)
            cur = line
        else:
            cur = f"{cur}\n{line}" if cur else line
    if cur:
        out.append(cur)
    return out


def code_fields(name: str, lines: Sequence[str]) -> list[dict[str, Any]]:
    """A table as code-block fields of at most 1024 characters (``name (2)`` for the rest)."""
    pieces = chunks(lines, FIELD_VALUE - 8)
    return [
        {
            "name": name if i == 0 else f"{name} ({i + 1})"[:FIELD_NAME],
            "value": f"```\n{p}\n```",
            "inline": False,
        }
        for i, p in enumerate(pieces)
    ]


def pack(
    title: str, description: str, fields: Sequence[dict[str, Any]], *, colour: int, footer: str
) -> list[dict[str, Any]]:
    """Message payloads (one embed each) holding the whole post: fields beyond 25 or beyond
    the 6000 budget move to continuation messages titled ``… (continued)``. A title over 256
    characters is shown cut with ``…`` and kept whole as the description's first line."""
    title = title.strip()
    if len(title) > TITLE:
        description = f"{title}\n{description}" if description else title
        title = title[: TITLE - 1] + "…"
    desc_parts = chunks(description.splitlines(), DESCRIPTION) or [""]
    extra = [
        {"name": "\u2026", "value": v, "inline": False}
        for p in desc_parts[1:]
        for v in chunks(p.splitlines(), FIELD_VALUE)
    ]
    queue = [*extra, *fields]
    messages: list[dict[str, Any]] = []
    first = True
    while first or queue:
        head = title if first else f"{title[: TITLE - 12]} (continued)"
        embed: dict[str, Any] = {"title": head, "color": colour, "footer": {"text": footer}}
        if first and desc_parts[0]:
            embed["description"] = desc_parts[0]
        budget = TOTAL - embed_size(embed)
        taken: list[dict[str, Any]] = []
        while queue and len(taken) < FIELDS:
            size = n(queue[0]["name"]) + n(queue[0]["value"])
            if size > budget:
                break
            budget -= size
            taken.append(queue.pop(0))
        if taken:
            embed["fields"] = taken
        messages.append({"embeds": [embed], "allowed_mentions": dict(NO_MENTIONS)})
        first = False
    return messages


def alert_message(text: str) -> dict[str, Any]:
    """A plain, mention-free admin alert (content cut to 2000 only if absurdly long: the
    alert texts are ours)."""
    body = clean(text)
    return {
        "content": body[:CONTENT],
        "allowed_mentions": dict(NO_MENTIONS),
        "flags": 1 << 12,
    }  # SUPPRESS_NOTIFICATIONS
