"""Parse slomix's legacy gametimes JSON files (``gametime-<map>-R<round>-<ts>.json``).

Public functions raise only :class:`etstats.errors.ParseError`: JSON syntax errors and
undecodable bytes as ``ParseError`` with line/column, wrong structure (missing ``meta`` keys,
wrong JSON types, a malformed webhook body) as :class:`etstats.errors.ValidationError` whose
``problems`` read ``"<message> @ $.path"``. Everything else (defects of the producing script,
meta/payload disagreements, Discord limits...) becomes a :class:`Finding` on the result; see
docs/formats/gametimes-legacy.md.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from attrs import evolve, frozen

from etstats.errors import ParseError, ValidationError
from etstats.model.common import Finding, Provenance, Severity
from etstats.model.legacy_gametimes import (
    LegacyGametimes,
    LegacyMeta,
    LegacySpawnStat,
    WebhookRound,
)
from etstats.parsing._legacy_json import (
    Problems,
    as_array,
    as_object,
    child,
    get_int,
    get_str,
)
from etstats.parsing.input_file import read_input_file
from etstats.parsing.jsontext import MAX_JSON_BYTES, check_storable_text, load_json
from etstats.parsing.legacy_findings import all_findings, check_filename, check_payload
from etstats.parsing.legacy_webhook import read_webhook_payload

FILENAME_RE = re.compile(r"gametime-(?P<map>[A-Za-z0-9_.+-]+)-R(?P<round>\d+)-(?P<ts>\d+)\.json")
"""The names slomix's bot accepts: ``gametime-<safe_map>-R<round>-<unix seconds>.json``."""

META_KEYS = (
    "map",
    "round",
    "round_start_unix",
    "round_end_unix",
    "actual_duration_seconds",
    "warmup_seconds",
    "pause_seconds",
    "pause_count",
    "server_ip",
    "server_port",
    "match_id",
    "spawn_stats",
)
"""``meta`` keys in the order the Lua script writes them."""

SPAWN_KEYS = ("guid", "name", "spawns", "deaths", "dead_seconds", "avg_respawn", "max_respawn")
"""``meta.spawn_stats[]`` keys in the order the Lua script writes them."""

_MAX_TS = 253402300799  # 9999-12-31T23:59:59Z


@frozen
class LegacyFileName:
    """The parts of a legacy gametimes file name."""

    map_name: str
    """Map name with characters outside ``[A-Za-z0-9_-]`` replaced by ``_``."""
    round_number: int
    timestamp_unix: int
    """``<ts>``: ``round_end_unix`` (Unix seconds, UTC epoch) or the write time."""

    @property
    def timestamp(self) -> datetime | None:
        """:attr:`timestamp_unix` as an aware UTC datetime (``None`` if out of range)."""
        if self.timestamp_unix > _MAX_TS:
            return None
        return datetime.fromtimestamp(self.timestamp_unix, tz=UTC)


def parse_legacy_filename(name: str) -> LegacyFileName | None:
    """Split ``gametime-<map>-R<round>-<ts>.json`` (a base name or a path); ``None`` if not."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    match = FILENAME_RE.fullmatch(base)
    if match is None:
        return None
    return LegacyFileName(
        map_name=match["map"], round_number=int(match["round"]), timestamp_unix=int(match["ts"])
    )


def parse_webhook_payload(obj: object, *, source: str = "<payload>") -> WebhookRound:
    """Parse a ``STATS_READY`` webhook body (dict, JSON text or bytes) into a WebhookRound.

    The result's ``findings`` hold the payload's findings (bad values, Discord limits...).
    """
    try:
        round_, findings = read_webhook_payload(obj, source=source)
    except ParseError:
        raise
    except (RecursionError, MemoryError) as exc:  # pathological nesting
        raise ParseError("input too deeply nested", source=source) from exc
    findings += check_payload(round_, source)
    return evolve(round_, findings=tuple(findings))


def _read_spawn(item: object, spath: str, i: int, problems: Problems) -> LegacySpawnStat | None:
    """``meta.spawn_stats[i]`` (``spath``: the array's JSON path)."""
    if type(item) is dict:  # the common case first: every value of its exact type
        guid, name = item.get("guid"), item.get("name")
        ints = [item.get(k) for k in SPAWN_KEYS[2:]]
        if type(guid) is str and type(name) is str and all(type(v) is int for v in ints):
            return LegacySpawnStat(guid, name, *cast("list[int]", ints))
    # anything else: the typed readers name each problem by its path
    path = child(spath, i)
    obj = as_object(item, path, problems)
    if obj is None:
        return None
    guid = get_str(obj, "guid", path, problems, required=True)
    name = get_str(obj, "name", path, problems, required=True)
    ints = [get_int(obj, k, path, problems, required=True) for k in SPAWN_KEYS[2:]]
    if guid is None or name is None or any(v is None for v in ints):
        return None
    spawns, deaths, dead, avg, mx = (int(v or 0) for v in ints)
    return LegacySpawnStat(
        guid=guid,
        name=name,
        spawns=spawns,
        deaths=deaths,
        dead_seconds=dead,
        avg_respawn=avg,
        max_respawn=mx,
    )


def _read_meta(
    meta: Mapping[str, Any], problems: Problems, findings: list[Finding], source: str
) -> LegacyMeta | None:
    path = "$.meta"
    map_ = get_str(meta, "map", path, problems, required=True)
    required = {
        k: get_int(meta, k, path, problems, required=True)
        for k in ("round", "round_start_unix", "round_end_unix", "actual_duration_seconds")
    }
    optional = {
        k: get_int(meta, k, path, problems)
        for k in ("warmup_seconds", "pause_seconds", "pause_count")
    }
    texts = {k: get_str(meta, k, path, problems) for k in ("server_ip", "server_port", "match_id")}
    stats: list[LegacySpawnStat] = []
    raw_stats = meta.get("spawn_stats")
    if raw_stats is not None:
        spath = child(path, "spawn_stats")
        for i, item in enumerate(as_array(raw_stats, spath, problems) or []):
            stat = _read_spawn(item, spath, i, problems)
            if stat is not None:
                stats.append(stat)
    for key in meta:
        if key not in META_KEYS:
            findings.append(
                Finding(
                    code="legacy-unknown-field",
                    severity=Severity.INFO,
                    message=f"unknown meta key {key!r} ignored",
                    source=source,
                    field=f"meta.{key}",
                )
            )
    if problems or map_ is None:
        return None
    return LegacyMeta(
        map=map_,
        round=int(required["round"] or 0),
        round_start_unix=int(required["round_start_unix"] or 0),
        round_end_unix=int(required["round_end_unix"] or 0),
        actual_duration_seconds=int(required["actual_duration_seconds"] or 0),
        warmup_seconds=optional["warmup_seconds"],
        pause_seconds=optional["pause_seconds"],
        pause_count=optional["pause_count"],
        server_ip=texts["server_ip"],
        server_port=texts["server_port"],
        match_id=texts["match_id"],
        spawn_stats=tuple(stats),
    )


def parse_legacy_gametimes_data(
    data: object, *, source: str = "<json>", provenance: Provenance | None = None
) -> LegacyGametimes:
    """Build a :class:`LegacyGametimes` from already decoded JSON (``{"meta", "payload"}``).

    ``provenance`` (optional) is attached and, when it carries a legacy file name's parts,
    checked against ``meta``.
    """
    try:
        return _from_data(data, source, provenance)
    except ParseError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise ParseError("input too deeply nested", source=source) from exc


def _from_data(data: object, source: str, provenance: Provenance | None) -> LegacyGametimes:
    problems = Problems()
    findings: list[Finding] = []
    top = as_object(data, "$", problems)
    if top is None:
        raise ValidationError("not a legacy gametimes file", problems=problems.items, source=source)
    raw_meta = top.get("meta")
    meta: LegacyMeta | None = None
    if raw_meta is None:
        problems.add("required field missing", "$.meta")
    else:
        meta_obj = as_object(raw_meta, "$.meta", problems)
        if meta_obj is not None:
            meta = _read_meta(meta_obj, problems, findings, source)
    for key in top:
        if key not in ("meta", "payload"):
            findings.append(
                Finding(
                    code="legacy-unknown-field",
                    severity=Severity.INFO,
                    message=f"unknown top-level key {key!r} ignored",
                    source=source,
                    field=key,
                )
            )
    payload: WebhookRound | None = None
    raw_payload = top.get("payload")
    if raw_payload is None:
        findings.append(
            Finding(
                code="legacy-no-payload",
                severity=Severity.INFO,
                message="the file has no webhook payload",
                source=source,
                field="payload",
            )
        )
    else:
        try:
            payload, payload_findings = read_webhook_payload(
                raw_payload, source=source, path="$.payload"
            )
            findings += payload_findings
        except ValidationError as exc:
            problems.items.extend(exc.problems)
        except ParseError as exc:  # payload given as a JSON string that does not parse
            problems.add(f"payload string is not JSON: {exc.reason}", "$.payload")
    if problems or meta is None:
        raise ValidationError(
            "not a valid legacy gametimes file", problems=problems.items, source=source
        )
    findings += all_findings(meta, payload, source)
    if provenance is not None and provenance.file_map is not None:
        ts = provenance.file_timestamp
        findings += check_filename(
            meta,
            provenance.file_map,
            provenance.file_round,
            None if ts is None else int(ts.timestamp()),
            source,
        )
    return LegacyGametimes(
        meta=meta, payload=payload, provenance=provenance, findings=tuple(findings)
    )


def _provenance(data: bytes, path: str | None) -> Provenance:
    name = parse_legacy_filename(path) if path is not None else None
    return Provenance(
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        path=path,
        file_timestamp=None if name is None else name.timestamp,
        file_map=None if name is None else name.map_name,
        file_round=None if name is None else name.round_number,
    )


def parse_legacy_gametimes_bytes(
    data: bytes, *, source: str = "<bytes>", path: str | None = None
) -> LegacyGametimes:
    """Parse the raw bytes of a legacy gametimes file (UTF-8, BOM tolerated).

    ``path`` (optional) names the file: its ``gametime-<map>-R<round>-<ts>.json`` parts go
    into the provenance (``file_timestamp`` as an aware UTC datetime) and are checked.
    """
    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    decoded, lenient = _load(data, source)
    g = parse_legacy_gametimes_data(decoded, source=source, provenance=_provenance(data, path))
    if lenient is not None:
        g = evolve(g, findings=(lenient, *g.findings))
    return g


def parse_legacy_gametimes_decoded(
    decoded: object, data: bytes, *, source: str = "<bytes>"
) -> LegacyGametimes:
    """:func:`parse_legacy_gametimes_bytes` of ``data`` (no ``path``) when ``decoded`` is
    already ``load_json(data, source=source, storable=True)``: the dispatcher
    (:func:`etstats.parsing.gametimes.parse_any_gametimes`) decodes once, not twice."""
    return parse_legacy_gametimes_data(decoded, source=source, provenance=_provenance(data, None))


def _load(data: bytes, source: str) -> tuple[Any, Finding | None]:
    """Decode strictly; retry allowing raw control characters inside strings.

    Before v1.6.4 the script escaped only backslash and quote, so a name containing a control
    byte (``\x08``, ESC...) made the file invalid JSON. Such a file is read anyway, with a
    warning, because the rest of it is intact.
    """
    try:
        return load_json(data, source=source, storable=True), None
    except ParseError as exc:
        if not exc.reason.startswith("Invalid control character"):
            raise
        try:
            text = data.decode("utf-8-sig")
            decoded = json.loads(
                text,
                strict=False,
                parse_constant=_reject_constant,
                parse_float=_finite_float,
            )
        except (ValueError, RecursionError):
            raise exc from None
        check_storable_text(decoded, text, source=source)
        return decoded, Finding(
            code="legacy-raw-control-chars",
            severity=Severity.WARNING,
            message="raw control characters inside JSON strings (not RFC 8259; the pre-v1.6.4 "
            "escaping bug); read leniently",
            source=source,
            line=exc.line,
            expected="escaped control characters",
        )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def parse_legacy_gametimes_text(text: str, *, source: str = "<text>") -> LegacyGametimes:
    """Parse a legacy gametimes file given as text."""
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParseError(
            "text is not encodable as UTF-8 (lone surrogate)", source=source, column=exc.start + 1
        ) from exc
    return parse_legacy_gametimes_bytes(data, source=source)


def parse_legacy_gametimes_file(path: str | os.PathLike[str]) -> LegacyGametimes:
    """Read and parse a legacy gametimes file; unreadable files raise ParseError."""
    p = Path(path)
    data = read_input_file(p, MAX_JSON_BYTES)
    return parse_legacy_gametimes_bytes(data, source=p.name, path=str(p))


__all__ = [
    "FILENAME_RE",
    "LegacyFileName",
    "parse_legacy_filename",
    "parse_legacy_gametimes_bytes",
    "parse_legacy_gametimes_data",
    "parse_legacy_gametimes_decoded",
    "parse_legacy_gametimes_file",
    "parse_legacy_gametimes_text",
    "parse_webhook_payload",
]
