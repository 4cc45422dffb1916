"""Parse versioned gametimes files (``schema_version`` 1) written by ``lua/etstats.lua``.

Public functions raise only :class:`etstats.errors.ParseError`: undecodable bytes and JSON
syntax errors with line/column, a missing or unsupported ``schema_version`` naming the value,
and wrong structure as :class:`etstats.errors.ValidationError` whose ``problems`` read
``"<message> @ $.path"``. :func:`parse_any_gametimes` also reads slomix's legacy files.
"""

from __future__ import annotations

import functools
import operator
import os
import re
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
import cattrs
from attrs import frozen

from etstats.errors import ParseError, ValidationError
from etstats.model.gametimes import SCHEMA_VERSION, Gametimes
from etstats.parsing._gametimes_fast import NotFast, fast_gametimes
from etstats.parsing.input_file import read_input_file
from etstats.parsing.jsontext import MAX_JSON_BYTES, load_json
from etstats.serde import format_problems, make_converter

if TYPE_CHECKING:
    from etstats.model.legacy_gametimes import LegacyGametimes

FILENAME_RE = re.compile(
    r"etstats-(?P<map>[A-Za-z0-9_-]+)-R(?P<round>\d)-(?P<start>\d{1,12})-(?P<port>\d{1,5})\.json"
)
"""``etstats-<safe_map>-R<round>-<round_start_unix>-<port>.json``."""

SUPPORTED_VERSIONS = (SCHEMA_VERSION,)
"""``schema_version`` values this library reads."""


def _strict_int(value: object, _type: object) -> int:
    if type(value) is not int:
        raise TypeError(f"expected a JSON integer, got {type(value).__name__} {value!r:.40}")
    return value


def _strict_str(value: object, type_: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a JSON string, got {type(value).__name__}")
    if type_ is not str:  # a class hook also catches subclasses: the StrEnums
        return type_(value)  # type: ignore[no-any-return]
    return value


def _strict_bool(value: object, _type: object) -> bool:
    if type(value) is not bool:
        raise TypeError(f"expected true or false, got {type(value).__name__}")
    return value


_Hook = Callable[[Any, Any], Any]


def _json_kind(json_type: type, name: str, hook: _Hook) -> _Hook:
    """``hook`` behind a check that the value is a JSON ``name`` (cattrs' own hooks would read
    a string as a list of characters, or fail on a number with an AttributeError)."""

    def checked(value: Any, type_: Any) -> Any:
        if not isinstance(value, json_type):
            raise TypeError(f"expected a JSON {name}, got {type(value).__name__}")
        return hook(value, type_)

    return checked


def _nested_types(tp: Any, out: list[Any]) -> list[Any]:
    """``tp`` and the attrs classes and ``tuple[X, ...]`` types reachable from its fields,
    inner types first (a generated hook binds its fields' hooks when it is made)."""
    if tp in out:
        return out
    for arg in typing.get_args(tp):
        _nested_types(arg, out)
    if attrs.has(tp):
        hints = typing.get_type_hints(tp)
        for field in attrs.fields(tp):
            _nested_types(hints[field.name], out)
        out.append(tp)
    elif typing.get_origin(tp) is tuple:
        out.append(tp)
    return out


def _make_strict_converter() -> cattrs.Converter:
    converter = make_converter()
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(bool, _strict_bool)
    for tp in _nested_types(Gametimes, []):
        hook = converter.get_structure_hook(tp)
        if attrs.has(tp):
            converter.register_structure_hook(tp, _json_kind(dict, "object", hook))
        else:  # a generic alias: registered by equality, not by class
            converter.register_structure_hook_func(
                functools.partial(operator.eq, tp), _json_kind(list, "array", hook)
            )
    return converter


@functools.cache
def _strict() -> cattrs.Converter:
    """etstats' wire rules plus exact JSON types (no ``"12"`` or ``12.5`` for an integer).

    Made on first use (about 14 ms): a valid file never needs it (the fast path reads it),
    so a process that reads only valid files, or only legacy ones, never builds it."""
    return _make_strict_converter()


@frozen
class GametimesFileName:
    """The parts of a gametimes v1 file name."""

    map_name: str
    """Map name with every character outside ``[A-Za-z0-9_-]`` replaced by ``_``."""
    round_number: int
    round_start_unix: int
    """UTC epoch seconds of the first PLAYING frame (the file's ``round_start_unix``)."""
    port: int


def safe_map_name(name: str) -> str:
    """The file-name form of a map name (what the Lua script writes)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name.encode("utf-8", "replace").decode("latin-1"))


def parse_gametimes_filename(name: str) -> GametimesFileName | None:
    """Split a gametimes v1 file name (a base name or a path); ``None`` if it is not one."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    match = FILENAME_RE.fullmatch(base)
    if match is None:
        return None
    return GametimesFileName(
        map_name=match["map"],
        round_number=int(match["round"]),
        round_start_unix=int(match["start"]),
        port=int(match["port"]),
    )


def _check_version(obj: Any, source: str) -> None:
    if not isinstance(obj, dict):
        raise ParseError(
            "not a gametimes object",
            source=source,
            field="$",
            expected="JSON object",
            actual=type(obj).__name__,
        )
    if "schema_version" not in obj:
        raise ParseError(
            "no schema_version (a legacy file? use parse_any_gametimes)",
            source=source,
            field="$.schema_version",
            expected="1",
            actual=None,
        )
    version = obj["schema_version"]
    if type(version) is not int or version not in SUPPORTED_VERSIONS:
        raise ParseError(
            f"unsupported schema_version {version!r}",
            source=source,
            field="$.schema_version",
            expected=" or ".join(map(str, SUPPORTED_VERSIONS)),
            actual=repr(version),
        )


def parse_gametimes_obj(obj: object, *, source: str = "<json>") -> Gametimes:
    """Structure already-decoded JSON builtins into :class:`Gametimes`.

    A valid document takes the hand-written fast path (:mod:`._gametimes_fast`); anything it
    does not vouch for goes through the strict cattrs converter, which accepts, rejects and
    words its problems as it always did.
    """
    _check_version(obj, source)
    try:
        return fast_gametimes(obj)
    except (NotFast, KeyError, TypeError):
        pass
    return _structure_checked(obj, source)


def _structure_checked(obj: object, source: str) -> Gametimes:
    """The cattrs path (and the oracle the fast path is tested against)."""
    try:
        return _strict().structure(obj, Gametimes)
    except Exception as exc:  # cattrs raises a zoo of types; the contract is ValidationError
        raise ValidationError(
            "not a valid gametimes v1 file", problems=format_problems(exc), source=source
        ) from exc


def parse_gametimes_bytes(data: bytes | str, *, source: str = "<bytes>") -> Gametimes:
    """Parse the bytes (or text) of a gametimes v1 file."""
    return parse_gametimes_obj(load_json(data, source=source, storable=True), source=source)


def _read(path: str | os.PathLike[str]) -> tuple[bytes, str]:
    """The file's bytes (at most :data:`MAX_JSON_BYTES`) and its path as the source."""
    return read_input_file(path, MAX_JSON_BYTES), os.fspath(path)


def parse_gametimes_file(path: str | os.PathLike[str]) -> Gametimes:
    """Read and parse a gametimes v1 file; unreadable files raise :class:`ParseError` too."""
    data, source = _read(path)
    return parse_gametimes_bytes(data, source=source)


def parse_any_gametimes(
    data: bytes | str, *, source: str = "<bytes>"
) -> Gametimes | LegacyGametimes:
    """Parse a gametimes file of any generation.

    An object with a ``schema_version`` key is a versioned file (unsupported versions raise
    :class:`ParseError` naming the version); anything else goes to the legacy parser
    (:func:`etstats.parsing.legacy_gametimes.parse_legacy_gametimes_bytes`).
    """
    obj = load_json(data, source=source, storable=True)
    if isinstance(obj, dict) and "schema_version" in obj:
        return parse_gametimes_obj(obj, source=source)
    from etstats.parsing.legacy_gametimes import (
        parse_legacy_gametimes_bytes,
        parse_legacy_gametimes_decoded,
    )

    if type(data) is bytes:  # decoded exactly as the legacy parser would: no second decode
        return parse_legacy_gametimes_decoded(obj, data, source=source)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_legacy_gametimes_bytes(raw, source=source)


def parse_any_gametimes_file(path: str | os.PathLike[str]) -> Gametimes | LegacyGametimes:
    """:func:`parse_any_gametimes` on a file's bytes."""
    data, source = _read(path)
    return parse_any_gametimes(data, source=source)


SIGNATURE_HEADER = "X-Etstats-Signature"
TIMESTAMP_HEADER = "X-Etstats-Timestamp"
SERVER_HEADER = "X-Etstats-Server"


def verify_signature(body: bytes, *, timestamp: str, signature: str, secret: str | bytes) -> bool:
    """Check an ``X-Etstats-Signature`` header of the **first** signing scheme (superseded).

    ``signature`` is the header value (``sha256=<hex>``); the signed message is
    ``<X-Etstats-Timestamp> "." <body>`` and the key the target's ``secret``. ``lua/etstats.lua``
    no longer sends this: it signs every attempt with signed ingest v2 (docs/http.md), whose
    checker is :func:`etstats.ingest.signing.check_headers`. Kept for senders still on the old
    script.
    """
    import hashlib
    import hmac

    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    scheme, _, given = signature.strip().partition("=")
    if scheme != "sha256" or not given:
        return False
    expected = hmac.new(key, timestamp.encode("ascii", "replace") + b"." + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), given.lower())


__all__ = [
    "FILENAME_RE",
    "SERVER_HEADER",
    "SIGNATURE_HEADER",
    "SUPPORTED_VERSIONS",
    "TIMESTAMP_HEADER",
    "GametimesFileName",
    "parse_any_gametimes",
    "parse_any_gametimes_file",
    "parse_gametimes_bytes",
    "parse_gametimes_file",
    "parse_gametimes_filename",
    "parse_gametimes_obj",
    "safe_map_name",
    "verify_signature",
]
