"""A direct JSON encoder for the reconciliation report the pipeline stores per round.

:func:`etstats.serde.to_json` goes through cattrs' generic unstructuring, which cost about a
fifth of the ingest time (docs/performance.md, "Ingest"). This encoder writes the JSON text
itself, one precompiled function per attrs class: fields in declaration order plus the
computed properties of :data:`etstats.serde.EXTRA_PROPERTIES`, enums as their values,
``datetime`` as ISO 8601, tuples as arrays. The text is exactly what ``json.dumps`` (default
separators, ``ensure_ascii=False``, ``allow_nan=False``) writes for the builtins cattrs makes
of the objects; tests/ingest/test_report_encoder.py compares both on the real corpus,
synthetic rounds and edge values.

Why not the C json encoder with a ``default`` hook (the previous form): it visits every
value through its generic machinery and calls back into Python once per model object (a
round has about 170), so it cost 1.3 to 1.5 times this (docs/performance.md). Each class
function here reads its fields into locals and builds its text in one f-string; every
field's expression takes the fast path its annotation suggests (a ``str`` field that holds
a ``str``...) and otherwise falls back to :func:`_value`, which dispatches on the value's
runtime type exactly as the C encoder does (``None``, ``True``/``False``, ``str`` and
subclasses, ``int`` and subclasses, ``float``, lists/tuples, dicts, then the hook's cases).
So a value of an unexpected type is still written as ``json.dumps`` would, only slower.

Three shortcuts with the same text (docs/performance.md, "fourth pass"): the JSON text of a
``str`` field is looked up in a bounded dict before it is escaped again (most strings of a
report recur); a tuple of one or two model objects (a comparison's sources and causes) is
written inline by the writer that holds it; and a dict of builtins (``check_counts``) goes to
the C encoder in one call, which is faster than Python for builtins though not for model
objects.
"""

from __future__ import annotations

import enum
import importlib
import json.encoder
from collections.abc import Callable
from datetime import datetime
from json.encoder import encode_basestring  # the C encoder's string writer (no ASCII escaping)
from typing import Any

import attrs

from etstats.serde import EXTRA_PROPERTIES

Writer = Callable[[Any], str]
"""Returns the JSON text of one value."""

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


def _float(x: float) -> str:
    """The C encoder's float text: ``float.__repr__`` of a finite float (remembering the
    texts was measured: the look-up, which hashes the float, cost as much as it saved)."""
    if x - x == 0.0:  # finite: inf - inf and nan - nan are nan
        return float.__repr__(x)
    raise ValueError(f"Out of range float values are not JSON compliant: {x!r}")


def _null(_: Any) -> str:
    return "null"


def _bool(x: bool) -> str:
    return "true" if x else "false"


def _sequence(seq: Any) -> str:
    if not seq:
        return "[]"
    return "[" + ", ".join([_value(x) for x in seq]) + "]"


def _key(k: Any) -> str:
    """A dict key as the C encoder writes it: always a JSON string."""
    if isinstance(k, str):
        return encode_basestring(k)
    if isinstance(k, float):
        return encode_basestring(_float(k))
    if k is True or k is False or k is None:
        return encode_basestring(_value(k))
    if isinstance(k, int):
        return encode_basestring(int.__repr__(k))
    raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")


_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE: Callable[[Any, int], list[str]] | None = (
    None
    if _c_make_encoder is None
    else _c_make_encoder(None, None, encode_basestring, None, ": ", ", ", False, False, False)
)
"""The C encoder ``json.dumps`` uses for these options (``ensure_ascii=False``,
``allow_nan=False``, default separators), without a ``default`` hook or circular-reference
markers: ``None`` where the C accelerator is missing."""


def _mapping(d: Any) -> str:
    """A dict: in one C call when it holds only builtins (a lean report's ``check_counts``,
    ``{check: {verdict: n}}``, is about half the text of an agreeing round; half the cost of
    the Python form), else key by key here (a model object inside, which the C encoder
    without a hook refuses, or a non-finite float, which it refuses too: the Python form
    then raises its own error)."""
    if not d:
        return "{}"
    if _C_ENCODE is not None:
        try:
            return "".join(_C_ENCODE(d, 0))
        except (TypeError, ValueError):
            pass
    return (
        "{"
        + ", ".join(
            [
                # the usual str keys and int values (verdict counts) written inline
                (encode_basestring(k) if k.__class__ is str else _key(k))
                + ": "
                + (int.__repr__(v) if v.__class__ is int else _value(v))
                for k, v in d.items()
            ]
        )
        + "}"
    )


TEXT_CACHE_SIZE = 4096
"""Most strings a report holds recur within it and across rounds: a comparison's check,
rule and message, each source's name, unit and file name, the player's key and name (a
stats file name about 80 times a round). :func:`_cached_str` keeps the JSON text of up to
this many of them; the look-up (a ``str`` caches its hash) costs a tenth of escaping a
70-character rule again. Bounded: when full it is emptied and refilled."""

_TEXTS: dict[str, str] = {}


def _cached_str(s: str) -> str:
    """The JSON text of the exact ``str`` ``s`` (:func:`encode_basestring`), remembered in
    the bounded :data:`_TEXTS`; the generated writers look there first (``_TEXTS.get``) and
    call this on a miss."""
    text = encode_basestring(s)
    if len(_TEXTS) >= TEXT_CACHE_SIZE:
        _TEXTS.clear()
    _TEXTS[s] = text
    return text


def _enum_value(obj: Any) -> str:
    return _value(obj.value)


def _datetime(obj: datetime) -> str:
    return encode_basestring(obj.isoformat())


_WRITERS: dict[type, Writer] = {
    type(None): _null,
    bool: _bool,
    str: encode_basestring,
    int: int.__repr__,
    float: _float,
    tuple: _sequence,
    list: _sequence,
    dict: _mapping,
}
"""Writer per exact runtime type; classes met later are added by :func:`_writer_for`."""


def _writer_for(cls: type) -> Writer:
    """The writer of a class not yet in :data:`_WRITERS`, in the C encoder's order of tests
    (a ``str``/``int``/``float`` subclass such as a ``StrEnum`` is written as its base)."""
    fn: Writer
    if issubclass(cls, str):
        fn = encode_basestring
    elif issubclass(cls, int):
        fn = int.__repr__
    elif issubclass(cls, float):
        fn = _float
    elif issubclass(cls, list | tuple):
        fn = _sequence
    elif issubclass(cls, dict):
        fn = _mapping
    elif attrs.has(cls):
        fn = _compile(cls)
    elif issubclass(cls, enum.Enum):
        fn = _enum_value
    elif issubclass(cls, datetime):
        fn = _datetime
    else:
        raise TypeError(f"cannot write {cls.__name__} as JSON")
    _WRITERS[cls] = fn
    return fn


def _value(x: Any) -> str:
    """The JSON text of any value the report may hold."""
    fn = _WRITERS.get(x.__class__)
    if fn is None:
        fn = _writer_for(x.__class__)
    return fn(x)


def _strings(seq: Any) -> str:
    """A tuple of strings (any other element: :func:`_sequence`)."""
    for x in seq:
        if not isinstance(x, str):
            return _sequence(seq)
    return "[" + ", ".join([_TEXTS.get(x) or _cached_str(x) for x in seq]) + "]"


def _enum_texts(cls: type[enum.Enum]) -> dict[Any, str]:
    """The JSON text of every member of ``cls`` (an enum field's writer looks it up)."""
    return {member: _value(member) for member in cls}


_SCOPE: dict[str, Any] = {
    "_float": _float,
    "_repr_int": int.__repr__,
    "_value": _value,
    "_strings": _strings,
    "_cstr": _cached_str,
    "_TEXTS": _TEXTS,
    "_STR": str,
    "_FLOAT": float,
    "_INT": int,
    "_TUPLE": tuple,
    "_NULL": "null",
    "_TRUE": "true",
    "_FALSE": "false",
}
"""Globals of the generated writers (bound once: a global look-up is cheap)."""


def _float_text_of(var: str) -> str:
    """Inline text of a local known to be an exact float (finite: its repr; else
    :func:`_float` raises). ``f"{x!r}"`` is ``float.__repr__(x)`` for an exact float, without
    the call (docs/performance.md, "eighth session")."""
    return f"(f'{{{var}!r}}' if {var} - {var} == 0.0 else _float({var}))"


def _field_code(
    var: str, annotation: Any, classes: dict[str, type], scope: dict[str, Any], inline: int
) -> str:
    """Statements setting ``t_<var>`` to the JSON text of local ``var``: the fast path its
    annotation suggests, guarded by exact type tests, else :func:`_value` (which writes any
    value as the C encoder would). ``inline``: how many more levels of nested objects
    :func:`_objects_code` may write inline."""
    kind = str(annotation).replace(" ", "")
    none = f"_NULL if {var} is None else " if kind.endswith("|None") else ""
    base = kind.removesuffix("|None")
    element = base.removeprefix("tuple[").removesuffix(",...]")
    out = f"t_{var}"
    if base == "str":
        fast = f"(_TEXTS.get({var}) or _cstr({var})) if {var}.__class__ is _STR else "
    elif base == "float":
        fast = f"{_float_text_of(var)} if {var}.__class__ is _FLOAT else "
    elif base == "int":
        fast = f"_repr_int({var}) if {var}.__class__ is _INT else "
    elif base == "bool":
        fast = f"_TRUE if {var} is True else _FALSE if {var} is False else "
    elif base == "tuple[float,float]":  # e.g. a bound: inline, the usual pair of floats
        return (
            f"if {var}.__class__ is _TUPLE and len({var}) == 2:\n"
            f"    a_{var}, b_{var} = {var}\n"
            f"    if a_{var}.__class__ is _FLOAT and b_{var}.__class__ is _FLOAT:\n"
            f"        ta_{var} = {_float_text_of('a_' + var)}\n"
            f"        tb_{var} = {_float_text_of('b_' + var)}\n"
            f"        {out} = f'[{{ta_{var}}}, {{tb_{var}}}]'\n"
            f"    else:\n"
            f"        {out} = _value({var})\n"
            f"else:\n"
            f"    {out} = _value({var})\n"
        )
    elif base in classes and issubclass(classes[base], enum.Enum):
        name = f"_TEXT_OF_{base}"
        scope.setdefault(name, _enum_texts(classes[base]))
        fast = f"{name}[{var}] if {var}.__class__ is _{base} else "
        scope[f"_{base}"] = classes[base]
    elif base.startswith("tuple[") and element == "str":
        fast = f"_strings({var}) if {var}.__class__ is _TUPLE else "
    elif base.startswith("tuple[") and element in classes and attrs.has(classes[element]):
        return _objects_code(var, classes[element], scope, inline)
    else:
        fast = ""
    return f"{out} = {none}{fast}_value({var})\n"


INLINE_DEPTH = 2
"""Levels of nested objects a writer writes inline (a round's comparisons, and their
sources and causes)."""


def _indent(code: str, n: int) -> str:
    return "".join(" " * n + line + "\n" for line in code.splitlines())


def _objects_code(var: str, cls: type, scope: dict[str, Any], inline: int) -> str:
    """Statements setting ``t_<var>`` to the JSON text of local ``var``, a tuple of ``cls``
    objects: one or two of them (a comparison's sources and causes) written inline, in
    this writer (no call, list or join); another length by the tuple writer of ``cls``;
    anything else by :func:`_value`. Nothing inline when ``inline`` is 0 (the nesting of
    the model is finite, but the code grows with its depth)."""
    many = f"_write_{cls.__name__}_tuple"
    if many not in scope:
        scope[many] = _compile(cls, many=True)
    out = f"t_{var}"
    if inline <= 0:
        return f"{out} = {many}({var}) if {var}.__class__ is _TUPLE else _value({var})\n"
    kind = f"_{cls.__name__}"
    scope[kind] = cls
    a_body, a_text = _object_code(cls, f"a_{var}", f"a{var}_", scope, inline - 1)
    b_body, b_text = _object_code(cls, f"b_{var}", f"b{var}_", scope, inline - 1)
    return (
        f"if {var}.__class__ is not _TUPLE:\n"
        f"    {out} = _value({var})\n"
        f"elif not {var}:\n"
        f"    {out} = '[]'\n"
        f"elif len({var}) == 1 and {var}[0].__class__ is {kind}:\n"
        f"    a_{var} = {var}[0]\n"
        f"{_indent(a_body, 4)}"
        f"    ta_{var} = {a_text}\n"
        f"    {out} = f'[{{ta_{var}}}]'\n"
        f"elif len({var}) == 2 and {var}[0].__class__ is {kind} and {var}[1].__class__ is {kind}:\n"
        f"    a_{var}, b_{var} = {var}\n"
        f"{_indent(a_body, 4)}"
        f"{_indent(b_body, 4)}"
        f"    ta_{var} = {a_text}\n"
        f"    tb_{var} = {b_text}\n"
        f"    {out} = f'[{{ta_{var}}}, {{tb_{var}}}]'\n"
        f"else:\n"
        f"    {out} = {many}({var})\n"
    )


def _object_code(
    cls: type,
    obj: str,
    prefix: str,
    scope: dict[str, Any],
    inline: int = INLINE_DEPTH,
    *,
    only: frozenset[str] | None = None,
    custom: dict[str, str] | None = None,
) -> tuple[str, str]:
    """(statements, f-string expression) writing the attrs object in local ``obj``: its
    fields (then its extra properties) read into locals named with ``prefix``, each written
    by :func:`_field_code`, joined in one f-string. ``only``: just these fields (no extra
    property), in declaration order; ``custom``: fields written by the named function of
    ``scope`` instead (the stored form's writers)."""
    names = [(a.name, a.type) for a in attrs.fields(cls) if only is None or a.name in only]
    if only is None:
        names += [(name, None) for name in _extra_properties().get(cls, ())]
    custom = custom or {}
    module = importlib.import_module(cls.__module__)
    classes = {
        k: v
        for k, v in vars(module).items()
        if isinstance(v, type) and (attrs.has(v) or issubclass(v, enum.Enum))
    }
    body = ""
    for i, (name, annotation) in enumerate(names):
        var = f"{prefix}v{i}"
        if name in custom:
            body += f"{var} = {obj}.{name}\nt_{var} = {custom[name]}({var})\n"
        else:
            code = _field_code(var, annotation, classes, scope, inline)
            body += f"{var} = {obj}.{name}\n" + code
    # field names are identifiers: no quote, brace or backslash to escape in the literal
    members = ", ".join(f'"{name}": {{t_{prefix}v{i}}}' for i, (name, _) in enumerate(names))
    return body, f"f'{{{{{members}}}}}'"


def _compile(cls: type, *, many: bool = False) -> Writer:
    """The writer of one attrs class (:func:`_object_code`). ``many``: the writer of a
    tuple of such objects instead, the object code inlined in its loop."""
    scope = dict(_SCOPE)
    scope["_CLASS"] = cls
    body, text = _object_code(cls, "o", "", scope)
    if many:
        source = (
            "def write(seq):\n"
            "    out = []\n"
            "    for o in seq:\n"
            "        if o.__class__ is not _CLASS:\n"
            "            out.append(_value(o))\n"
            "            continue\n"
            f"{_indent(body, 8)}"
            f"        out.append({text})\n"
            "    return '[' + ', '.join(out) + ']'\n"
        )
    else:
        source = f"def write(o):\n{_indent(body, 4)}    return {text}\n"
    code = compile(source, f"<report writer {cls.__name__}{' tuple' if many else ''}>", "exec")
    exec(code, scope)  # noqa: S102 - attrs field names
    fn: Writer = scope["write"]
    return fn


def to_json(obj: Any) -> str:
    """The JSON text :func:`etstats.serde.to_json` writes for ``obj`` (no indent)."""
    return _value(obj)


# --- the stored form (form B) ---------------------------------------------------------------

STORED_FORM = "b"
"""The ``form`` marker of the report the ingest path stores (``reconciliations.report_json``,
docs/storage.md). Older stores hold the lean form (``check_counts``, no ``form``) or the full
form (neither): readers tell them apart by these keys."""

VALUES_KEPT: frozenset[str] = frozenset({"dead-time"})
"""Checks whose stored comparisons keep their sources' values (``values``, in the sources'
order): the spawn audit (``etstats_fastapi.audit_view``) reads the stats and Lua dead time."""

STORED_KEYS: frozenset[str] = frozenset(
    {
        "check",
        "verdict",
        "difference",
        "tolerance",
        "unit",
        "causes",
        "player",
        "player_name",
        "message",
    }
)
"""A comparison's fields the stored form keeps (what the readers read); not ``rule``,
``sources`` or ``bound`` (``etstats reconcile`` on the round's files gives them)."""


def _source_values(sources: Any) -> str:
    """``[v, ...]``: each source's value, in order (a dead-time comparison's ``values``)."""
    return "[" + ", ".join([_value(s.value) for s in sources]) + "]"


_STORED: dict[type, Writer] = {}
"""The stored form's writers: per report class, and per comparison class (keyed by the
class, written once each by :func:`_stored_writer`)."""


def _stored_writer(cls: type) -> Writer:
    """The writer of one stored comparison (``cls``: ``Comparison``) or of one stored report
    (an attrs class with a ``comparisons`` field: ``LeanReconciliation``), generated as the
    writers of :func:`to_json` are (:func:`_object_code`), from the same field codes."""
    fn = _STORED.get(cls)
    if fn is not None:
        return fn
    scope = dict(_SCOPE)
    if "comparisons" in attrs.fields_dict(cls):
        scope["_stored_comparisons"] = _stored_comparisons
        body, text = _object_code(
            cls, "o", "", scope, custom={"comparisons": "_stored_comparisons"}
        )
        tail = f'    t = {text}\n    return \'{{"form": "{STORED_FORM}", \' + t[1:]\n'
    else:
        scope["_VALUES_KEPT"] = VALUES_KEPT
        scope["_source_values"] = _source_values
        body, text = _object_code(cls, "o", "", scope, only=STORED_KEYS)
        tail = (
            f"    t = {text}\n"
            "    if o.check in _VALUES_KEPT:\n"
            "        return t[:-1] + ', \"values\": ' + _source_values(o.sources) + '}'\n"
            "    return t\n"
        )
    source = f"def write(o):\n{_indent(body, 4)}{tail}"
    code = compile(source, f"<stored writer {cls.__name__}>", "exec")
    exec(code, scope)  # noqa: S102 - attrs field names
    written: Writer = scope["write"]
    _STORED[cls] = written
    return written


def _stored_comparisons(comparisons: Any) -> str:
    """The ``comparisons`` array of the stored form: each comparison cut to
    :data:`STORED_KEYS` (plus ``values`` for the checks of :data:`VALUES_KEPT`)."""
    if not comparisons:
        return "[]"
    out = []
    for c in comparisons:
        fn = _STORED.get(c.__class__) or _stored_writer(c.__class__)
        out.append(fn(c))
    return "[" + ", ".join(out) + "]"


def stored_report(result: Any) -> str:
    """The JSON text stored per round (form B) for the ingest path's lean form ``result``
    (:class:`~etstats.reconciliation.model.LeanReconciliation`): ``{"form": "b"}`` then its
    fields in declaration order, as :func:`to_json` writes them, except ``comparisons``
    (:func:`_stored_comparisons`). About half the lean form's text on the synthetic seasons
    (docs/performance.md, "eleventh session")."""
    fn = _STORED.get(result.__class__) or _stored_writer(result.__class__)
    return fn(result)
