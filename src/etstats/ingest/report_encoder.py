"""A direct JSON encoder for the reconciliation report the pipeline stores per round.

:func:`etstats.serde.to_json` goes through cattrs' generic unstructuring, which cost about a
fifth of the ingest time (docs/performance.md, "Ingest"). This encoder walks the same attrs
objects with one precompiled field list per class and yields the same builtins, hence the
same text: fields in declaration order, enums as their values, ``datetime`` as ISO 8601,
tuples as arrays, and the computed properties of :data:`etstats.serde.EXTRA_PROPERTIES`.
tests/ingest/test_report_encoder.py holds it equal to ``to_builtins`` on the real corpus and
on synthetic rounds.
"""

from __future__ import annotations

import enum
import importlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from etstats.serde import EXTRA_PROPERTIES

_PLAIN = frozenset({str, int, float, bool, type(None)})
_ENCODERS: dict[type, Callable[[Any], Any]] = {}
_extras: dict[type, tuple[str, ...]] | None = None


def _extra_properties() -> dict[type, tuple[str, ...]]:
    global _extras
    if _extras is None:
        found: dict[type, tuple[str, ...]] = {}
        for path, names in EXTRA_PROPERTIES.items():
            module_name, _, class_name = path.partition(":")
            found[getattr(importlib.import_module(module_name), class_name)] = names
        _extras = found
    return _extras


def _compile(cls: type) -> Callable[[Any], Any]:
    """One function per attrs class: a dict display of its fields, plain values inlined
    (most values are numbers and strings: no call for them)."""
    names = [a.name for a in attrs.fields(cls)]
    names += _extra_properties().get(cls, ())
    items = ", ".join(
        f"{name!r}: (v if (v := o.{name}).__class__ in P else E(v))" for name in names
    )
    scope: dict[str, Any] = {"P": _PLAIN, "E": to_builtins}
    exec(f"def encode(o):\n    return {{{items}}}\n", scope)  # noqa: S102 - names are attrs fields
    fn: Callable[[Any], Any] = scope["encode"]
    return fn


def _sequence(obj: Any) -> list[Any]:
    return [v if v.__class__ in _PLAIN else to_builtins(v) for v in obj]


def _mapping(obj: Any) -> dict[Any, Any]:
    return {to_builtins(k): to_builtins(v) for k, v in obj.items()}


def to_builtins(obj: Any) -> Any:
    """``obj`` (an attrs model) as JSON builtins; the JSON text of these equals that of
    :func:`etstats.serde.to_builtins` (enums as values, ``datetime`` as ISO 8601 text)."""
    cls = obj.__class__
    if cls in _PLAIN:
        return obj
    fn = _ENCODERS.get(cls)
    if fn is None:
        fn = _resolve(cls)
    return fn(obj)


def _resolve(cls: type) -> Callable[[Any], Any]:
    fn: Callable[[Any], Any]
    if issubclass(cls, enum.Enum):
        # A str enum is written as its text by json itself (as cattrs leaves it).
        fn = _identity if issubclass(cls, str) else _enum_value
    elif issubclass(cls, (tuple, list)):
        fn = _sequence
    elif issubclass(cls, dict):
        fn = _mapping
    elif issubclass(cls, datetime):
        fn = datetime.isoformat
    elif attrs.has(cls):
        fn = _compile(cls)
    else:
        fn = _identity  # handed to json as it is, as cattrs does
    _ENCODERS[cls] = fn
    return fn


def _enum_value(obj: Any) -> Any:
    return obj.value


def _identity(obj: Any) -> Any:
    return obj


def to_json(obj: Any) -> str:
    """The JSON text :func:`etstats.serde.to_json` writes for ``obj`` (no indent)."""
    return _dumps(to_builtins(obj))


_dumps: Callable[[Any], str] = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
