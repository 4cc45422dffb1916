"""Private: the one fast way to build a frozen attrs instance (used on the parser's and the
reconciliation's hot paths).

Why: the ``__init__`` of a frozen, slotted attrs class stores each field through
``object.__setattr__`` (a C call with an argument tuple, about 40 ns a field). A round has
about 1,500 objects in the parser and 100 per reconciled round, so that store is most of
their cost.

The trick (explained here only): :func:`sealed_builder` generates, once per class, a plain
function ``build(a0, a1, ...)`` that

1. allocates an instance of a private *twin* subclass (:func:`_open_twin`: no slot of its
   own, ``object``'s ``__setattr__``/``__delattr__``/``__init__``), for which CPython 3.11
   specialises ``o.x = v`` into a direct slot store (about 10 ns);
2. stores every field, the arguments positionally in field order (or in the order given),
   the other fields their constant or plain default;
3. *seals* the object with ``o.__class__ = cls``. CPython allows that assignment because the
   layouts are identical, and the result is a genuine ``cls`` instance (``type(o) is cls``;
   equality, hashing, ``repr``, pickling, ``attrs.evolve`` and the JSON cannot tell it from
   ``cls(...)``). A twin never escapes.

Nothing the public constructor would run (validators, converters, ``on_setattr`` hooks,
``__attrs_pre_init__``/``__attrs_post_init__``) runs, so :func:`sealed_builder` refuses any
class that has one, and the caller must pass values of the final type (a parser that has
already checked them). A field left without a value or default fails at import, when the
builder is made. The generated source is registered in :mod:`linecache` (as attrs and cattrs
do for their generated methods), so a traceback through a builder shows its line.

Each published hot class is bound once, with a typed alias that mypy checks at every call
site, next to its model (e.g. :data:`etstats.model.stats.build_weapon_stats`). No other module
writes ``__class__``.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar

import attrs

T = TypeVar("T")

_TWINS: dict[type, type] = {}


def _open_twin(cls: type) -> type:
    """The (cached) private, assignable twin subclass of the frozen slotted class ``cls``."""
    twin = _TWINS.get(cls)
    if twin is None:
        twin = type(
            f"_Open{cls.__name__}",
            (cls,),
            {
                "__slots__": (),
                "__setattr__": object.__setattr__,
                "__delattr__": object.__delattr__,
                "__init__": object.__init__,
                "__module__": __name__,
                "__doc__": f"Assignable twin of {cls.__qualname__} (private).",
            },
        )
        _TWINS[cls] = twin
    return twin


def _refuse_unless_plain(cls: type, prechecked: frozenset[str]) -> tuple[attrs.Attribute[Any], ...]:
    """The fields of ``cls``; ``TypeError`` unless its constructor only stores them."""
    if not attrs.has(cls) or "__slots__" not in cls.__dict__ or "__dict__" in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a slotted attrs class")
    if hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
        raise TypeError(f"{cls.__name__} has an __attrs_pre_init__/__attrs_post_init__ hook")
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(cls)
    for a in fields:
        if a.converter is not None or (a.validator is not None and a.name not in prechecked):
            raise TypeError(f"{cls.__name__}.{a.name} has a validator or converter")
        if a.on_setattr is not None and a.on_setattr is not attrs.setters.NO_OP:  # type: ignore[comparison-overlap]
            raise TypeError(f"{cls.__name__}.{a.name} has an on_setattr hook")
    return fields


_counter = 0


def sealed_builder(
    cls: type[T],
    names: Sequence[str] | None = None,
    *,
    fixed: Mapping[str, object] | None = None,
    prechecked: Collection[str] = (),
) -> Callable[..., T]:
    """A generated ``build(*values) -> cls`` that skips ``__init__`` (see the module docstring).

    ``values[i]`` goes to the field ``names[i]`` (default: every field, in field order); each
    other field gets ``fixed[name]``, else its plain (non-factory) default. Raises
    ``TypeError`` for a class with validators, converters or hooks and ``ValueError`` for an
    unknown or repeated name or a field left without a value. ``prechecked`` names fields whose
    validator the caller vouches for (it passes only values the validator accepts, e.g. a
    weapon-mask bit as a WS index); any other validator is refused.
    """
    global _counter
    fields = _refuse_unless_plain(cls, frozenset(prechecked))
    known = [a.name for a in fields]
    names = list(known if names is None else names)
    fixed = dict(fixed or {})
    unknown = (set(names) | set(fixed)) - set(known)
    if unknown or len(set(names)) != len(names) or set(names) & set(fixed):
        raise ValueError(f"bad field names for {cls.__name__}: {sorted(unknown) or names}")
    position = {name: i for i, name in enumerate(names)}
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_twin": _open_twin(cls)}
    body = ["o = _new(_twin)"]
    for a in fields:
        if a.name in position:
            body.append(f"o.{a.name} = a{position[a.name]}")
            continue
        if a.name in fixed:
            namespace[f"_c_{a.name}"] = fixed[a.name]
        elif a.default is attrs.NOTHING or isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            raise ValueError(f"{cls.__name__}.{a.name} needs a value")
        else:
            namespace[f"_c_{a.name}"] = a.default
        body.append(f"o.{a.name} = _c_{a.name}  # constant")
    body += ["o.__class__ = _cls  # seal: a genuine, frozen instance", "return o"]
    args = ", ".join(f"a{i}" for i in range(len(names)))
    source = f"def build_{cls.__name__}({args}):\n" + "".join(f"    {line}\n" for line in body)
    _counter += 1
    filename = f"<etstats sealed builder {cls.__module__}.{cls.__qualname__} #{_counter}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102
    build: Callable[..., T] = namespace[f"build_{cls.__name__}"]
    build.__doc__ = f"{cls.__qualname__}({', '.join(names)}), built unchecked and sealed."
    return build


__all__ = ["sealed_builder"]
