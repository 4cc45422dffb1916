"""Strict JSON text loading with errors that name the source, line and column.

Two decoders, one result: :mod:`orjson` (about 3.5 times faster on a gametimes file) reads
every text it accepts and that has no run of 19 or more digits; the strict stdlib decoder
reads everything else and words every error (message, line, column) as before. orjson
refuses whatever the stdlib decoder refuses here (NaN/Infinity, numbers that overflow to
infinity, invalid UTF-8, lone surrogates, a BOM) and reads the rest to equal values, except
integers past 64 bits (orjson makes them floats): a text that could hold one (a 19-digit
run) therefore goes to the stdlib decoder. tests/parsing/test_jsontext_orjson.py checks that
both give the same value or the same error.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

from etstats.errors import ParseError

MAX_JSON_BYTES = 16 * 1024 * 1024
"""Largest JSON artifact accepted (bytes); real gametimes files are a few KiB."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (RFC 8259)")


def load_json(text: str | bytes, *, source: str = "<json>", storable: bool = False) -> Any:
    """Decode RFC 8259 JSON; NaN/Infinity, invalid UTF-8 and oversized input raise ParseError.

    With ``storable`` (artifact parsers: what is read is stored), every integer must also fit
    64 bits and no string may hold a lone surrogate (:func:`check_storable`).
    """
    if len(text) > MAX_JSON_BYTES:
        what, unit = ("file", "bytes") if isinstance(text, bytes) else ("text", "characters")
        raise ParseError(
            f"{what} too large",
            source=source,
            expected=f"<= {MAX_JSON_BYTES} {unit}",
            actual=f"{len(text)} {unit}",
        )
    value = _orjson_value(text)
    if value is not _NOT_READ:
        return value
    raw = None
    if isinstance(text, bytes):
        raw = text
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
    try:
        value = _decode(text)
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
    if storable:
        if raw is not None:  # the bytes just decoded as UTF-8: no need to encode the text again
            _check_storable_utf8(value, raw, source)
        else:
            check_storable_text(value, text, source=source)
    return value


INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
"""The integer range both stores hold (SQLite INTEGER, PostgreSQL BIGINT)."""


def check_storable(value: Any, *, source: str = "<json>", path: str = "$") -> None:
    """Raise :class:`ParseError` for a JSON value no store can hold.

    Every integer must lie in [:data:`INT64_MIN`, :data:`INT64_MAX`], and no string (key or
    value) may hold a lone UTF-16 surrogate (JSON allows ``"\\ud800"``; UTF-8 text, and so
    both stores, does not). The error names the JSON path. Iterative: deep nesting is fine.
    """
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, bool) or item is None or isinstance(item, float):
            continue
        if isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                raise ParseError(
                    "integer outside the 64-bit range a store holds",
                    source=source,
                    field=where,
                    expected=f"{INT64_MIN} .. {INT64_MAX}",
                    actual=_clip_digits(item),
                )
        elif isinstance(item, str):
            _check_text(item, source, where)
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_text(key, source, f"{where} (key)")
                stack.append(
                    (f"{where}.{key}" if key.isidentifier() else f"{where}[{key!r}]", child)
                )
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", child) for i, child in enumerate(item))


_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_INTEGER = b"0" * 19
"""Every 18-digit integer is below 2**63: an integer outside the 64-bit range needs a run of
19 or more digits in the text."""
_TEXT_TO_ZERO = str.maketrans("123456789", "000000000")
_LONG_TEXT_INTEGER = "0" * 19
""":data:`_TO_ZERO` and :data:`_LONG_INTEGER` for text given as ``str``."""
_NOT_READ = object()
"""What :func:`_orjson_value` returns for a text it leaves to the stdlib decoder."""


def _orjson_value(text: str | bytes) -> Any:
    """orjson's value of ``text`` (bytes or str), or :data:`_NOT_READ` for a text that may
    hold an integer past 64 bits (a run of 19 digits: orjson would make it a float) or that
    orjson refuses (the stdlib decoder then words the error). What orjson reads is storable
    as it is: no such integer, and orjson refuses lone surrogates."""
    if isinstance(text, bytes):
        long_run = _LONG_INTEGER in text.translate(_TO_ZERO)
    else:
        long_run = _LONG_TEXT_INTEGER in text.translate(_TEXT_TO_ZERO)
    if long_run:
        return _NOT_READ
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return _NOT_READ


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
"""A ``\\u`` escape of a UTF-16 surrogate (the only way a lone one gets into UTF-8 JSON)."""


def check_storable_text(value: Any, text: str, *, source: str = "<json>") -> None:
    """:func:`check_storable` for ``value`` decoded from the JSON ``text``, with the same
    result: the walk over every value runs only when the text has what an unstorable value
    needs (a run of 19 digits, a surrogate escape, a raw surrogate). Those are searched in
    its UTF-8 bytes at C speed; a match is only a maybe (a long float, an escaped backslash
    before ``ud800``), and then the walk decides."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # a raw lone surrogate (only in text given as str)
        check_storable(value, source=source)
        return
    _check_storable_utf8(value, raw, source)


def _check_storable_utf8(value: Any, raw: bytes, source: str) -> None:
    """:func:`check_storable_text` given the text's valid UTF-8 bytes (a BOM is harmless)."""
    # UTF-8 encodes non-ASCII characters with bytes >= 0x80 only: every digit byte is a digit.
    # ``b"\\" in raw`` first: a one-byte search is a memchr, the two-byte ``\\u`` search
    # about 100 times slower (most files have no backslash at all).
    if _LONG_INTEGER in raw.translate(_TO_ZERO) or (
        b"\\" in raw and b"\\u" in raw and _SURROGATE_ESCAPE.search(raw) is not None
    ):
        check_storable(value, source=source)


def _clip_digits(number: int) -> str:
    digits = str(number)
    return digits if len(digits) <= 24 else f"{digits[:20]}... ({len(digits)} characters)"


def _check_text(text: str, source: str, where: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParseError(
            "string holds a lone UTF-16 surrogate (not storable as UTF-8 text)",
            source=source,
            field=where,
            column=None,
            expected="a valid Unicode string",
            actual=f"U+{ord(text[exc.start]):04X} at character {exc.start + 1}",
        ) from None


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
"""One strict decoder: ``json.loads`` with options builds a new one per call."""


def _decode(text: str) -> Any:
    """``json.loads(text, parse_constant=..., parse_float=...)`` with :data:`_DECODER`."""
    if text.startswith("\ufeff"):  # as json.loads does for str
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _DECODER.decode(text)
