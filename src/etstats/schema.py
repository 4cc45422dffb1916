"""JSON Schema (draft 2020-12) for etstats' JSON output, generated from the attrs models.

The schema describes exactly what :func:`etstats.serde.to_json` writes and
:func:`etstats.serde.from_json` reads: one object per attrs class (``additionalProperties:
false``, fields without a default are ``required``), tuples and lists as arrays (fixed-length
tuples with ``prefixItems``), enums by value, ``X | None`` as ``anyOf`` with ``null``,
``datetime`` as an ISO 8601 string. Nested classes go to ``$defs``. Descriptions come from the
class docstring and the attribute docstrings (the string literal under each field).

Models are registered by name in :data:`SCHEMA_MODELS` as ``"module:Class"`` paths, imported
only when asked for, so a name whose module is not installed yet is simply unavailable.
"""

from __future__ import annotations

import ast
import enum
import functools
import importlib
import inspect
import itertools
import textwrap
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

DIALECT = "https://json-schema.org/draft/2020-12/schema"

SCHEMA_MODELS: dict[str, str | type] = {
    "legacy-gametimes": "etstats.model.legacy_gametimes:LegacyGametimes",
    "webhook-round": "etstats.model.legacy_gametimes:WebhookRound",
    "legacy-spawn-stat": "etstats.model.legacy_gametimes:LegacySpawnStat",
    "stats-round": "etstats.model.stats:StatsRound",
    "endstats-round": "etstats.model.endstats:EndstatsRound",
    "gametimes": "etstats.model.gametimes:Gametimes",
    "reconciliation": "etstats.reconciliation.model:Reconciliation",
    "finding": "etstats.model.common:Finding",
}
"""Schema name -> model class or ``"module:Class"`` path (imported lazily)."""


def register_schema_model(name: str, model: str | type) -> None:
    """Make ``model`` (an attrs class or a ``"module:Class"`` path) available as ``name``."""
    if not isinstance(model, str) and not attrs.has(model):
        raise TypeError(f"{model!r} is not an attrs class")
    SCHEMA_MODELS[name] = model


def resolve_model(name: str) -> type:
    """The class registered as ``name``.

    Raises ``KeyError`` for an unknown name and ``LookupError`` when the model's module or
    class is not available in this installation.
    """
    model = SCHEMA_MODELS[name]
    if not isinstance(model, str):
        return model
    module_name, _, class_name = model.partition(":")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, class_name)
    except (ImportError, AttributeError) as exc:
        raise LookupError(f"schema {name!r}: {model} is not available ({exc})") from exc
    if not (isinstance(cls, type) and attrs.has(cls)):
        raise LookupError(f"schema {name!r}: {model} is not an attrs class")
    return cls


def available_models() -> dict[str, type]:
    """Every registered name whose model can be imported, sorted by name."""
    out: dict[str, type] = {}
    for name in sorted(SCHEMA_MODELS):
        try:
            out[name] = resolve_model(name)
        except LookupError:
            continue
    return out


@functools.cache
def attribute_docs(cls: type) -> Mapping[str, str]:
    """Attribute docstrings of a class body (``x: int`` followed by a string literal)."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for prev, node in itertools.pairwise(body):
        if (
            isinstance(prev, ast.AnnAssign)
            and isinstance(prev.target, ast.Name)
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            docs[prev.target.id] = inspect.cleandoc(node.value.value)
    return docs


def _class_doc(cls: type) -> str | None:
    doc = cls.__doc__
    if not doc or doc.startswith(f"{cls.__name__}("):  # attrs' generated placeholder
        return None
    return inspect.cleandoc(doc)


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def type_schema(self, tp: Any) -> dict[str, Any]:
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if tp is type(None) or tp is None:
            return {"type": "null"}
        if tp is Any or tp is object:
            return {}
        if origin in (typing.Union, types.UnionType):
            return {"anyOf": [self.type_schema(a) for a in args]}
        if origin is typing.Literal:
            return {"enum": list(args)}
        if isinstance(tp, type):
            if issubclass(tp, enum.Enum):
                return self._enum(tp)
            if tp is bool:
                return {"type": "boolean"}
            if tp is int:
                return {"type": "integer"}
            if tp is float:
                return {"type": "number"}
            if tp is str:
                return {"type": "string"}
            if issubclass(tp, datetime):
                return {
                    "type": "string",
                    "description": "ISO 8601 date-time; naive (no offset) means "
                    "server-local wall-clock time",
                }
            if attrs.has(tp):
                return self.ref(tp)
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return {"type": "array", "items": self.type_schema(args[0])}
            return {
                "type": "array",
                "prefixItems": [self.type_schema(a) for a in args],
                "minItems": len(args),
                "maxItems": len(args),
                "items": False,
            }
        if origin in (list, typing.Sequence, frozenset, set):
            schema: dict[str, Any] = {"type": "array"}
            if args:
                schema["items"] = self.type_schema(args[0])
            if origin in (frozenset, set):
                schema["uniqueItems"] = True
            return schema
        if origin in (dict, typing.Mapping):
            return {
                "type": "object",
                "additionalProperties": self.type_schema(args[1]) if args else {},
            }
        raise TypeError(f"no JSON Schema mapping for type {tp!r}")

    def _enum(self, tp: type[enum.Enum]) -> dict[str, Any]:
        values = [m.value for m in tp]
        schema: dict[str, Any] = {"enum": values}
        if all(isinstance(v, str) for v in values):
            schema["type"] = "string"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            schema["type"] = "integer"
        doc = _class_doc(tp)
        if doc:
            schema["description"] = doc
        return schema

    def ref(self, cls: type) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # placeholder first: recursive models terminate
            self.defs[name] = self.object_schema(cls)
        return {"$ref": f"#/$defs/{name}"}

    def object_schema(self, cls: type) -> dict[str, Any]:
        hints = typing.get_type_hints(cls)
        docs = attribute_docs(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for a in attrs.fields(cls):
            prop = dict(self.type_schema(hints.get(a.name, a.type)))
            if a.name in docs:
                prop["description"] = docs[a.name]
            default = a.default
            if default is attrs.NOTHING:
                required.append(a.name)
            elif not isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                plain = _json_default(default)
                if plain is not _NO_DEFAULT:
                    prop["default"] = plain
            properties[a.name] = prop
        for name in extra_properties(cls):
            properties[name] = self.property_schema(cls, name)
        schema: dict[str, Any] = {"type": "object", "title": cls.__name__}
        doc = _class_doc(cls)
        if doc:
            schema["description"] = doc
        schema["properties"] = properties
        schema["required"] = required
        schema["additionalProperties"] = False
        return schema

    def property_schema(self, cls: type, name: str) -> dict[str, Any]:
        """Schema of a computed property that etstats.serde writes (never read back)."""
        prop = inspect.getattr_static(cls, name, None)
        fget = prop.fget if isinstance(prop, property) else None
        returns = typing.get_type_hints(fget).get("return", Any) if fget else Any
        schema = dict(self.type_schema(returns))
        schema["readOnly"] = True
        doc = inspect.getdoc(fget) if fget else None
        if doc:
            schema["description"] = doc
        return schema


def extra_properties(cls: type) -> tuple[str, ...]:
    """Computed properties etstats.serde adds to ``cls``'s JSON (its ``EXTRA_PROPERTIES``)."""
    from etstats import serde

    table: Mapping[object, tuple[str, ...]] = getattr(serde, "EXTRA_PROPERTIES", {})
    path = f"{cls.__module__}:{cls.__qualname__}"
    return tuple(table.get(cls, ()) or table.get(path, ()))


_NO_DEFAULT = object()


def _json_default(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple) and not value:
        return []
    return _NO_DEFAULT


def json_schema(cls: type) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an attrs model class as written by etstats.serde."""
    if not attrs.has(cls):
        raise TypeError(f"{cls!r} is not an attrs class")
    builder = _Builder()
    root = builder.object_schema(cls)
    schema: dict[str, Any] = {"$schema": DIALECT, **root}
    builder.defs.pop(cls.__name__, None)
    if builder.defs:
        schema["$defs"] = dict(sorted(builder.defs.items()))
    return schema


def schema_for(name: str) -> dict[str, Any]:
    """:func:`json_schema` of the model registered as ``name`` (see :func:`resolve_model`)."""
    return json_schema(resolve_model(name))


__all__ = [
    "DIALECT",
    "SCHEMA_MODELS",
    "attribute_docs",
    "available_models",
    "extra_properties",
    "json_schema",
    "register_schema_model",
    "resolve_model",
    "schema_for",
]
