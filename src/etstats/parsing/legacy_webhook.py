"""Parse slomix's ``STATS_READY`` Discord webhook body into a typed :class:`WebhookRound`.

The body is an object (or a JSON text) ``{"username", "content", "embeds": [{"title",
"description", "fields": [{"name", "value", "inline"}], "footer": {"text"}}]}``. Only embed 0 is
read. Field names are matched case-insensitively after trimming; older names (``Duration``,
``Time Limit``, ``Pauses``, ``End Reason``, ``Start Unix``, ``End Unix``, ``Axis``/``Allies``)
are aliases. Empty and placeholder values (``-``, ``n/a``, ``none``...) count as missing.

Broken *structure* (body not an object, ``embeds`` not an array, a field without a string
``value``...) raises :class:`etstats.errors.ValidationError`; a field *value* that cannot be
read becomes an error finding ``legacy-bad-field-value`` and the attribute stays ``None``.
Embedded JSON (``Axis_JSON``...) is decoded once, as JSON (no extra ``\\"`` unescaping).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from etstats.errors import ParseError, ValidationError
from etstats.model.common import Finding, Severity
from etstats.model.legacy_gametimes import PauseEvent, SpawnSummary, TeamMember, WebhookRound
from etstats.parsing._legacy_json import (
    Problems,
    as_array,
    as_int,
    as_number,
    as_object,
    child,
    get_str,
)
from etstats.parsing.jsontext import load_json

PLACEHOLDERS: frozenset[str] = frozenset(
    {"", "-", "--", "—", "–", "n/a", "na", "none", "null", "nil", "\u200b"}
)
"""Field values (trimmed, lower-cased) that mean "no value"."""

DISCORD_MAX_FIELDS = 25
DISCORD_MAX_FIELD_NAME = 256
DISCORD_MAX_FIELD_VALUE = 1024
DISCORD_MAX_TITLE = 256
DISCORD_MAX_DESCRIPTION = 4096
DISCORD_MAX_FOOTER = 2048
DISCORD_MAX_EMBED_TOTAL = 6000
"""Discord embed limits (characters); a message breaking one is rejected with HTTP 400."""

_INT = re.compile(r"[+-]?\d+(?:\.0*)?")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_SECONDS = re.compile(rf"({_NUMBER})\s*(?:s|sec|secs|second|seconds)?", re.IGNORECASE)
_CLOCK = re.compile(r"(\d+):([0-5]\d)")
_MINUTES = re.compile(rf"({_NUMBER})\s*(?:m|min|mins|minute|minutes)?", re.IGNORECASE)
_PAUSES = re.compile(
    rf"(\d+)\s*(?:\(\s*({_NUMBER})\s*(?:s|sec|secs|seconds)?\s*\))?", re.IGNORECASE
)
_SUMMARY = re.compile(
    r"players:\s*(\d+)\s*\|\s*spawns:\s*(\d+)\s*\|\s*avgrespawn:\s*(\d+)\s*s?\s*\|"
    r"\s*maxrespawn:\s*(\d+)\s*s?",
    re.IGNORECASE,
)
_VERSION = re.compile(r"v(\d{1,6})\.(\d{1,6})(?:\.(\d{1,6}))?")
_TEAM_WORDS = {"axis": 1, "allies": 2}


class _BadValue(ValueError):
    """A field value that does not match its format."""


def is_placeholder(value: str) -> bool:
    """True for empty and placeholder field values (``-``, ``n/a``, ``none``...)."""
    return value.strip().strip("\u200b").strip().lower() in PLACEHOLDERS


def _int(text: str) -> int:
    text = text.strip()
    if not _INT.fullmatch(text):
        raise _BadValue("an integer")
    return int(text.split(".", 1)[0])


def _team(text: str) -> int:
    word = text.strip().lower()
    return _TEAM_WORDS[word] if word in _TEAM_WORDS else _int(text)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadValue("a finite number")
    return value


def _seconds(text: str) -> int:
    text = text.strip()
    clock = _CLOCK.fullmatch(text)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    match = _SECONDS.fullmatch(text)
    if not match:
        raise _BadValue('seconds such as "610 sec"')
    return math.floor(_finite(match.group(1)))


def _minutes(text: str) -> float:
    match = _MINUTES.fullmatch(text.strip())
    if not match:
        raise _BadValue('minutes such as "12 min" or "7.35 min"')
    return _finite(match.group(1))


def _pauses(text: str) -> tuple[int, int | None]:
    match = _PAUSES.fullmatch(text.strip())
    if not match:
        raise _BadValue('pauses such as "1 (62 sec)"')
    seconds = None if match.group(2) is None else math.floor(_finite(match.group(2)))
    return int(match.group(1)), seconds


def _summary(text: str) -> SpawnSummary:
    match = _SUMMARY.fullmatch(text.strip())
    if not match:
        raise _BadValue('"Players:N | Spawns:N | AvgRespawn:Ns | MaxRespawn:Ns"')
    players, spawns, avg, mx = (int(g) for g in match.groups())
    return SpawnSummary(players=players, spawns=spawns, avg_respawn=avg, max_respawn=mx)


def _embedded_json(text: str) -> Any:
    try:
        return load_json(text, source="<field>")
    except ParseError as exc:
        raise _BadValue(f"a JSON array ({exc.reason})") from exc


def _team_json(text: str) -> tuple[TeamMember, ...]:
    problems = Problems()
    items = as_array(_embedded_json(text), "$", problems) or []
    members: list[TeamMember] = []
    for i, item in enumerate(items):
        obj = as_object(item, child("$", i), problems)
        if obj is None:
            continue
        name = get_str(obj, "name", child("$", i), problems, required=True)
        guid = get_str(obj, "guid", child("$", i), problems)
        if name is not None:
            members.append(TeamMember(name=name, guid=guid))
    if problems:
        raise _BadValue('[{"guid": ..., "name": ...}] (' + "; ".join(problems.items) + ")")
    return tuple(members)


def _name_list(text: str) -> tuple[TeamMember, ...]:
    parts = re.split(r"[,\n]", text)
    return tuple(TeamMember(name=p.strip()) for p in parts if not is_placeholder(p))


def _pause_json(text: str) -> tuple[PauseEvent, ...]:
    problems = Problems()
    items = as_array(_embedded_json(text), "$", problems) or []
    events: list[PauseEvent] = []
    for i, item in enumerate(items):
        path = child("$", i)
        obj = as_object(item, path, problems)
        if obj is None:
            continue
        values: list[object] = []
        for key in ("n", "start", "end", "sec"):
            if obj.get(key) is None:
                problems.add("required field missing", child(path, key))
                values.append(None)
            elif key == "sec":
                values.append(as_number(obj[key], child(path, key), problems))
            else:
                values.append(as_int(obj[key], child(path, key), problems))
        n, start, end, sec = values
        if (
            isinstance(n, int)
            and isinstance(start, int)
            and isinstance(end, int)
            and isinstance(sec, float)
        ):
            events.append(PauseEvent(n=n, start_unix=start, end_unix=end, seconds=sec))
    if problems:
        raise _BadValue('[{"n", "start", "end", "sec"}] (' + "; ".join(problems.items) + ")")
    return tuple(events)


_Reader = Callable[[str], object]
_FIELDS: dict[str, tuple[str, _Reader]] = {
    "map": ("map", str),
    "round": ("round", _int),
    "winner": ("winner", _team),
    "defender": ("defender", _team),
    "lua_playtime": ("playtime_seconds", _seconds),
    "duration": ("playtime_seconds", _seconds),
    "lua_timelimit": ("timelimit_minutes", _minutes),
    "time limit": ("timelimit_minutes", _minutes),
    "lua_pauses": ("pauses_text", _pauses),
    "pauses": ("pauses_text", _pauses),
    "lua_endreason": ("end_reason", str),
    "end reason": ("end_reason", str),
    "lua_warmup": ("warmup_seconds", _seconds),
    "lua_warmupstart": ("warmup_start_unix", _int),
    "lua_warmupend": ("warmup_end_unix", _int),
    "lua_roundstart": ("round_start_unix", _int),
    "start unix": ("round_start_unix", _int),
    "lua_roundend": ("round_end_unix", _int),
    "end unix": ("round_end_unix", _int),
    "lua_surrenderteam": ("surrender_team", _team),
    "lua_surrendercaller": ("surrender_caller", str),
    "lua_surrendercallername": ("surrender_caller_name", str),
    "lua_axisscore": ("axis_score", _int),
    "lua_alliesscore": ("allies_score", _int),
    "axis_json": ("axis", _team_json),
    "allies_json": ("allies", _team_json),
    "axis": ("axis_names", _name_list),
    "allies": ("allies_names", _name_list),
    "lua_pauses_json": ("pauses", _pause_json),
    "lua_spawnsummary": ("spawn_summary", _summary),
}
"""Lower-cased field name -> (attribute, value reader). Current names first, aliases after."""


def read_webhook_payload(
    obj: object, *, source: str = "<payload>", path: str = "$"
) -> tuple[WebhookRound, list[Finding]]:
    """Decode a webhook body (object, JSON text or bytes): the model and its findings.

    The returned model's own ``findings`` is empty; callers decide where findings go.
    Raises :class:`ValidationError` (structure) or :class:`ParseError` (JSON syntax).
    """
    if isinstance(obj, str | bytes):
        obj = load_json(obj, source=source)
    problems = Problems()
    body = as_object(obj, path, problems)
    if body is None:
        raise ValidationError("not a webhook body", problems=problems.items, source=source)
    username = get_str(body, "username", path, problems)
    content = get_str(body, "content", path, problems)
    embeds = body.get("embeds")
    embed: Mapping[str, Any] | None = None
    if embeds is None:
        problems.add("required field missing", child(path, "embeds"))
    else:
        epath = child(path, "embeds")
        lst = as_array(embeds, epath, problems)
        if lst is not None and not lst:
            problems.add("expected at least one embed", epath)
        elif lst:
            embed = as_object(lst[0], child(epath, 0), problems)
    fields: list[tuple[str, str]] = []
    texts: dict[str, str] = {}
    if embed is not None:
        epath = child(child(path, "embeds"), 0)
        for key in ("title", "description"):
            text = get_str(embed, key, epath, problems)
            if text is not None:
                texts[key] = text
        footer = embed.get("footer")
        if footer is not None:
            fobj = as_object(footer, child(epath, "footer"), problems)
            if fobj is not None:
                text = get_str(fobj, "text", child(epath, "footer"), problems)
                if text is not None:
                    texts["footer"] = text
        raw_fields = embed.get("fields")
        if raw_fields is not None:
            fpath = child(epath, "fields")
            for i, item in enumerate(as_array(raw_fields, fpath, problems) or []):
                if type(item) is dict:  # the common case first: no paths to build
                    name, value = item.get("name"), item.get("value")
                    if type(name) is str and type(value) is str:
                        fields.append((name, value))
                        continue
                fobj = as_object(item, child(fpath, i), problems)
                if fobj is None:
                    continue
                name = get_str(fobj, "name", child(fpath, i), problems, required=True)
                value = get_str(fobj, "value", child(fpath, i), problems, required=True)
                if name is not None and value is not None:
                    fields.append((name, value))
    if problems:
        raise ValidationError("not a valid webhook body", problems=problems.items, source=source)
    return _typed(fields, texts, username, content, source)


def _typed(
    fields: list[tuple[str, str]],
    texts: dict[str, str],
    username: str | None,
    content: str | None,
    source: str,
) -> tuple[WebhookRound, list[Finding]]:
    findings: list[Finding] = []

    def note(code: str, severity: Severity, message: str, **kw: str | None) -> None:
        findings.append(Finding(code=code, severity=severity, message=message, source=source, **kw))  # type: ignore[arg-type]

    values: dict[str, object] = {}
    seen: set[str] = set()
    for name, value in fields:
        key = name.strip().lower()
        if key in seen:
            note(
                "legacy-duplicate-field",
                Severity.WARNING,
                f"embed field {name!r} appears more than once; the first is used",
                field=name,
            )
            continue
        seen.add(key)
        spec = _FIELDS.get(key)
        if spec is None:
            note(
                "legacy-unknown-field",
                Severity.INFO,
                f"unknown embed field {name!r} ignored",
                field=name,
            )
            continue
        attribute, reader = spec
        if is_placeholder(value):
            continue
        if attribute in values:  # an alias after the current name (or vice versa)
            continue
        try:
            values[attribute] = reader(value)
        except (_BadValue, ValueError, OverflowError) as exc:
            expected = str(exc) if isinstance(exc, _BadValue) else "a readable value"
            note(
                "legacy-bad-field-value",
                Severity.ERROR,
                f"embed field {name!r} cannot be read; treated as missing",
                field=name,
                expected=expected,
                actual=value[:80],
            )
    pauses_text = values.pop("pauses_text", None)
    if isinstance(pauses_text, tuple):
        values["pause_count"], values["pause_seconds"] = pauses_text
    axis_names = values.pop("axis_names", None)
    allies_names = values.pop("allies_names", None)
    values.setdefault("axis", axis_names)
    values.setdefault("allies", allies_names)
    footer = texts.get("footer")
    version_match = _VERSION.search(footer) if footer else None
    if version_match:
        a, b, c = version_match.groups()
        values["version"] = (int(a), int(b), int(c or 0))
    round_ = WebhookRound(username=username, content=content, **values)  # type: ignore[arg-type]
    findings.extend(_limits(fields, texts, source))
    if content is not None and content != "STATS_READY":
        note(
            "legacy-not-stats-ready",
            Severity.WARNING,
            'content is not "STATS_READY"; the bot would ignore this message',
            field="content",
            expected="STATS_READY",
            actual=content[:80],
        )
    return round_, findings


def _limits(fields: list[tuple[str, str]], texts: dict[str, str], source: str) -> list[Finding]:
    out: list[Finding] = []

    def over(what: str, size: int, limit: int, field: str | None = None) -> None:
        out.append(
            Finding(
                code="legacy-discord-limit",
                severity=Severity.WARNING,
                message=f"{what} exceeds Discord's limit; Discord rejects the whole message "
                "(HTTP 400), so only this file kept the round",
                source=source,
                field=field,
                expected=f"<= {limit}",
                actual=str(size),
            )
        )

    if len(fields) > DISCORD_MAX_FIELDS:
        over("number of embed fields", len(fields), DISCORD_MAX_FIELDS)
    for name, value in fields:
        if len(name) > DISCORD_MAX_FIELD_NAME:
            over("field name length", len(name), DISCORD_MAX_FIELD_NAME, name[:40])
        if len(value) > DISCORD_MAX_FIELD_VALUE:
            over(f"length of field {name[:40]!r}", len(value), DISCORD_MAX_FIELD_VALUE, name[:40])
    for key, limit in (
        ("title", DISCORD_MAX_TITLE),
        ("description", DISCORD_MAX_DESCRIPTION),
        ("footer", DISCORD_MAX_FOOTER),
    ):
        if len(texts.get(key, "")) > limit:
            over(f"embed {key} length", len(texts[key]), limit, key)
    total = sum(len(t) for t in texts.values()) + sum(len(n) + len(v) for n, v in fields)
    if total > DISCORD_MAX_EMBED_TOTAL:
        over("total embed text", total, DISCORD_MAX_EMBED_TOTAL)
    return out


__all__ = ["PLACEHOLDERS", "is_placeholder", "read_webhook_payload"]
