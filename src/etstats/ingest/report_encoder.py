"""A direct JSON encoder for the reconciliation report the pipeline stores per round.

:func:`etstats.serde.to_json` goes through cattrs' generic unstructuring, which cost about a
fifth of the ingest time (docs/performance.md, "Ingest"). This encoder hands the objects to
the C json encoder with a ``default`` hook that returns each attrs object's fields (one
precompiled function per class): fields in declaration order, enums as their values,
``datetime`` as ISO 8601, tuples as arrays, and the computed properties of
:data:`etstats.serde.EXTRA_PROPERTIES`. The text is the same;
tests/ingest/test_report_encoder.py compares both on the real corpus and synthetic rounds.
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
    """One function per attrs class: a dict display of its fields (values left as they are:
    the json encoder walks tuples, strings and numbers itself and comes back here for
    nested models)."""
    names = [a.name for a in attrs.fields(cls)]
    names += _extra_properties().get(cls, ())
    items = ", ".join(f"{name!r}: o.{name}" for name in names)
    scope: dict[str, Any] = {}
    exec(f"def encode(o):\n    return {{{items}}}\n", scope)  # noqa: S102 - attrs field names
    fn: Callable[[Any], Any] = scope["encode"]
    return fn


def _default(obj: Any) -> Any:
    """What the json encoder writes for an object it does not know: an attrs model's fields,
    an enum's value, a ``datetime`` in ISO 8601."""
    cls = obj.__class__
    fn = _ENCODERS.get(cls)
    if fn is None:
        if attrs.has(cls):
            fn = _compile(cls)
        elif issubclass(cls, enum.Enum):
            fn = _enum_value
        elif issubclass(cls, datetime):
            fn = datetime.isoformat
        else:
            raise TypeError(f"cannot write {cls.__name__} as JSON")
        _ENCODERS[cls] = fn
    return fn(obj)


def _enum_value(obj: Any) -> Any:
    return obj.value


def to_json(obj: Any) -> str:
    """The JSON text :func:`etstats.serde.to_json` writes for ``obj`` (no indent)."""
    return _encode(obj)


# The C encoder calls _default once per model object; str enums, tuples and numbers it
# writes itself, exactly as json.dumps writes the builtins cattrs makes of them.
_encode: Callable[[Any], str] = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, default=_default
).encode
