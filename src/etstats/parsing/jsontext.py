"""Strict JSON text loading with errors that name the source, line and column."""

from __future__ import annotations

import json
import math
from typing import Any

from etstats.errors import ParseError

MAX_JSON_BYTES = 16 * 1024 * 1024
"""Largest JSON artifact accepted (bytes); real gametimes files are a few KiB."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (RFC 8259)")


def load_json(text: str | bytes, *, source: str = "<json>") -> Any:
    """Decode RFC 8259 JSON; NaN/Infinity, invalid UTF-8 and oversized input raise ParseError."""
    if isinstance(text, bytes):
        if len(text) > MAX_JSON_BYTES:
            raise ParseError(
                "file too large",
                source=source,
                expected=f"<= {MAX_JSON_BYTES} bytes",
                actual=f"{len(text)} bytes",
            )
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(
                "not UTF-8",
                source=source,
                column=exc.start + 1,
                expected="UTF-8 text",
                actual=repr(text[exc.start : exc.start + 8]),
            ) from exc
    elif len(text) > MAX_JSON_BYTES:
        raise ParseError(
            "text too large",
            source=source,
            expected=f"<= {MAX_JSON_BYTES} characters",
            actual=f"{len(text)} characters",
        )
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise ParseError(
            exc.msg,
            source=source,
            line=exc.lineno,
            column=exc.colno,
            expected="JSON",
            actual=text[exc.pos : exc.pos + 20],
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise ParseError(
            str(exc) or "invalid JSON", source=source, expected="JSON", actual=None
        ) from exc


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value
