"""Typed reading of decoded JSON values with ``"<message> @ $.path"`` problem collection.

Private helper of the legacy gametimes parsers: every reader records a problem instead of
raising, so one :class:`etstats.errors.ValidationError` can list all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def json_type(value: object) -> str:
    """The JSON type name of a decoded value (for messages)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


class Problems:
    """Collects ``"<message> @ <path>"`` lines."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, message: str, path: str) -> None:
        self.items.append(f"{message} @ {path}")

    def __bool__(self) -> bool:
        return bool(self.items)


def child(path: str, key: str | int) -> str:
    """JSON path of ``key`` below ``path`` (``$.meta.round``, ``$.fields[3]``)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key.isidentifier():
        return f"{path}.{key}"
    return f'{path}["{key}"]'


def as_int(value: object, path: str, problems: Problems) -> int | None:
    """An integer (integral floats accepted); records a problem otherwise."""
    if type(value) is int:  # the common case first (a bool is not: its type is bool)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(f"expected an integer, got {json_type(value)}", path)
        return None
    if isinstance(value, float):
        if not value.is_integer():
            problems.add(f"expected an integer, got {value!r}", path)
            return None
        return int(value)
    return value


def as_number(value: object, path: str, problems: Problems) -> float | None:
    """A finite JSON number as ``float``; records a problem otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(f"expected a number, got {json_type(value)}", path)
        return None
    try:
        return float(value)
    except OverflowError:
        problems.add("number out of range", path)
        return None


def as_str(value: object, path: str, problems: Problems) -> str | None:
    """A string; records a problem otherwise."""
    if not isinstance(value, str):
        problems.add(f"expected a string, got {json_type(value)}", path)
        return None
    return value


def as_object(value: object, path: str, problems: Problems) -> Mapping[str, Any] | None:
    """A JSON object; records a problem otherwise."""
    if not isinstance(value, dict):
        problems.add(f"expected an object, got {json_type(value)}", path)
        return None
    return value


def as_array(value: object, path: str, problems: Problems) -> list[Any] | None:
    """A JSON array; records a problem otherwise."""
    if not isinstance(value, list):
        problems.add(f"expected an array, got {json_type(value)}", path)
        return None
    return value


def get_int(
    obj: Mapping[str, Any], key: str, path: str, problems: Problems, *, required: bool = False
) -> int | None:
    """``obj[key]`` as an integer; absent or ``null`` gives ``None`` (a problem if required)."""
    value = obj.get(key)
    if type(value) is int:  # the common case: no path to build
        return value
    if value is None:
        if required:
            problems.add("required field missing", child(path, key))
        return None
    return as_int(value, child(path, key), problems)


def get_str(
    obj: Mapping[str, Any], key: str, path: str, problems: Problems, *, required: bool = False
) -> str | None:
    """``obj[key]`` as a string; absent or ``null`` gives ``None`` (a problem if required)."""
    value = obj.get(key)
    if type(value) is str:  # the common case: no path to build
        return value
    if value is None:
        if required:
            problems.add("required field missing", child(path, key))
        return None
    return as_str(value, child(path, key), problems)
