"""The wire format: one private cattrs converter for every model.

Rules (``configure_converter``):

* attrs classes are (un)structured field by field; unknown keys are rejected when reading
  (``forbid_extra_keys``) and every problem is reported with its JSON path
  (``detailed_validation``).
* ``datetime`` values are ISO 8601 strings; naive values stay naive (server-local file-name
  timestamps), aware values keep their offset.
* enums are written as their values.
* tuples are JSON arrays.
* Computed properties listed in :data:`EXTRA_PROPERTIES` are added when writing (``name`` of a
  player, ``name`` of a weapon...) and ignored when reading, so JSON consumers need not
  recompute them.

Never use cattrs' global converter: other bots in the same process may configure it.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn
from cattrs.v import transform_error

from etstats.errors import ValidationError
from etstats.parsing.jsontext import load_json

T = TypeVar("T")

_CONVERTER: cattrs.Converter | None = None

EXTRA_PROPERTIES: dict[str, tuple[str, ...]] = {
    "etstats.model.stats:WeaponStats": ("name",),
    "etstats.model.stats:PlayerStats": ("name",),
}
"""``"module:Class"`` -> computed properties written next to the fields (ignored on reading).

:mod:`etstats.schema` lists them in the JSON Schema as optional ``readOnly`` properties.
"""


def _format_exception(exc: BaseException, type_: object) -> str:
    # cattrs' default formatter turns a validator's ValueError into "invalid value"; keep the
    # validator's own text, which names expected and actual.
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"extra fields found ({', '.join(sorted(exc.extra_fields))})"
    if isinstance(exc, (ValueError, TypeError)) and str(exc):
        name = getattr(type_, "__name__", None)
        prefix = f"invalid value for type, expected {name}: " if name else "invalid value: "
        return prefix + str(exc)
    return f"invalid value ({type(exc).__name__})"


def format_problems(exc: BaseException) -> tuple[str, ...]:
    """``"<message> @ $.path"`` lines for a cattrs structuring error."""
    if isinstance(exc, (cattrs.BaseValidationError,)):
        return tuple(transform_error(exc, format_exception=_format_exception))
    return (f"{exc} @ $",)


def configure_converter(converter: cattrs.Converter) -> None:
    """Apply etstats' wire rules (see the module docstring) to ``converter``."""
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(datetime, _structure_datetime)
    for path, names in EXTRA_PROPERTIES.items():
        module_name, _, class_name = path.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        _register_extra_properties(converter, cls, names)


def _register_extra_properties(
    converter: cattrs.Converter, cls: type, names: tuple[str, ...]
) -> None:
    unstructure: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn(cls, converter)
    structure: Callable[[Any, Any], Any] = make_dict_structure_fn(
        cls,
        converter,
        _cattrs_forbid_extra_keys=converter.forbid_extra_keys,
        _cattrs_detailed_validation=converter.detailed_validation,
    )

    def write(obj: Any) -> dict[str, Any]:
        data = unstructure(obj)
        for name in names:
            data[name] = converter.unstructure(getattr(obj, name))
        return data

    def read(data: Any, type_: Any) -> Any:
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in names}
        return structure(data, type_)

    converter.register_unstructure_hook(cls, write)
    converter.register_structure_hook(cls, read)


def _structure_datetime(value: object, _type: object) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {type(value).__name__}")
    return datetime.fromisoformat(value)


def make_converter() -> cattrs.Converter:
    """A new converter configured with etstats' rules (for bots composing their own)."""
    converter = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)
    configure_converter(converter)
    return converter


def get_converter() -> cattrs.Converter:
    """The shared private converter (built on first use)."""
    global _CONVERTER
    if _CONVERTER is None:
        _CONVERTER = make_converter()
    return _CONVERTER


def to_builtins(obj: object) -> Any:
    """Unstructure a model into JSON-compatible builtins."""
    return get_converter().unstructure(obj)


def to_json(obj: object, *, indent: int | None = None) -> str:
    """Serialise a model to a JSON text (UTF-8 safe, non-ASCII kept)."""
    return json.dumps(to_builtins(obj), ensure_ascii=False, indent=indent, allow_nan=False)


def from_builtins(data: object, cls: type[T], *, source: str = "<json>") -> T:
    """Structure builtins into ``cls``; raises :class:`ValidationError` listing every problem."""
    try:
        return get_converter().structure(data, cls)
    except Exception as exc:  # cattrs raises a zoo of types; the contract is ValidationError
        raise ValidationError(
            f"not a valid {cls.__name__}", problems=format_problems(exc), source=source
        ) from exc


def from_json(text: str | bytes, cls: type[T], *, source: str = "<json>") -> T:
    """Parse a JSON text into ``cls``; raises only :class:`etstats.errors.ParseError`."""
    return from_builtins(load_json(text, source=source), cls, source=source)
