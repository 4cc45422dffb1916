"""Private: build frozen attrs instances cheaply, then seal them (shared by the parser and the
reconciliation engine's hot paths).

A frozen, slotted attrs class forbids ``o.x = v``; its ``__init__`` stores each field through
``object.__setattr__`` (a C call per field, about 40 ns). :func:`open_twin` returns a private
subclass that adds no slot and takes ``object``'s own ``__setattr__``, ``__delattr__`` and
``__init__``. With both attribute methods plain, CPython 3.11 uses its generic attribute store
for the twin and specialises ``o.x = v`` into a direct slot store (about 10 ns). A hot path
allocates the twin, assigns every field, then seals the object with ``o.__class__ = cls``:
CPython allows the assignment because the layouts are identical, and the result is a genuine
``cls`` instance (``type(o) is cls``; equality, hashing, ``repr``, pickling, ``attrs.evolve`` and
the cattrs JSON cannot tell it from ``cls(...)``). Twins never escape: every instance is sealed
before it is returned. Callers must assign every field with a value of its final type, and
nothing the public constructor would run (validators, converters, hooks) is run.
"""

from __future__ import annotations

_TWINS: dict[type, type] = {}


def open_twin(cls: type) -> type:
    """The (cached) private, assignable twin subclass of the frozen slotted class ``cls``."""
    twin = _TWINS.get(cls)
    if twin is None:
        if "__slots__" not in cls.__dict__ or "__dict__" in cls.__dict__:
            raise TypeError(f"{cls.__name__} is not a slotted class")
        twin = type(f"_Open{cls.__name__}", (cls,), {
            "__slots__": (), "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__, "__init__": object.__init__,
            "__module__": __name__, "__doc__": f"Assignable twin of {cls.__qualname__} (private).",
        })  # fmt: skip
        _TWINS[cls] = twin
    return twin


__all__ = ["open_twin"]
