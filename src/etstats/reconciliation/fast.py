"""Fast constructors for the reconciliation's hot-path objects (same classes, same values).

The engine builds about 100 :class:`~etstats.reconciliation.model.Comparison` objects (each with
two :class:`~etstats.reconciliation.model.SourceValue`) per round. In CPython 3.11 the cost of
those objects is the cost of filling their slots: the attrs ``__init__`` of a frozen class
sets every field through ``object.__setattr__`` (a C call with an argument tuple, about 1.5
times a Python function call per field), and so does the slot descriptors' ``__set__``.

A **builder** (:func:`builder`) is a private subclass of a frozen, slotted attrs class that
adds no slot and restores plain attribute assignment. Calling it (no arguments) allocates an
empty instance, its fields are assigned (``o.x = v``: one specialised bytecode each, no call),
then ``o.__class__ = cls`` turns it into a genuine instance of ``cls``: same type, same slot
layout, frozen again (equality, hash, ``repr``, ``attrs.evolve``, pickling and the cattrs JSON
cannot tell it from ``cls(...)``; tests/reconciliation/test_fast_constructors.py checks that).
CPython allows the class assignment because the layouts are identical.

Rules for callers: assign **every** field, in any order, with values already of their final
type (an unset slot raises ``AttributeError`` when read); only classes without validators,
converters, ``on_setattr`` hooks or ``__attrs_post_init__`` qualify (:func:`builder` refuses
the others, so nothing the public constructor does is skipped).
"""

from __future__ import annotations

from typing import Any

import attrs

from etstats._sealing import open_twin
from etstats.reconciliation.model import CauseAmount, Comparison, SourceValue, Verdict


def _check(cls: type) -> None:
    if not attrs.has(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a slotted attrs class")
    if hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
        raise TypeError(f"{cls.__name__} has an __attrs_post_init__/__attrs_pre_init__ hook")
    for a in attrs.fields(cls):
        if a.validator is not None or a.converter is not None or a.on_setattr not in (
            None, attrs.setters.NO_OP
        ):
            raise TypeError(f"{cls.__name__}.{a.name} has a validator, converter or hook")


def builder(cls: type) -> Any:
    """A private subclass of ``cls`` whose instances accept plain attribute assignment (see
    the module docstring and :mod:`etstats._sealing`); ``obj.__class__ = cls`` then makes
    ``obj`` a genuine ``cls``. Refuses classes whose constructor does more than store."""
    _check(cls)
    return open_twin(cls)


SOURCE_VALUE_BUILDER = builder(SourceValue)
COMPARISON_BUILDER = builder(Comparison)
CAUSE_AMOUNT_BUILDER = builder(CauseAmount)


def source_value(source: str, value: float | None, unit: str, raw: str | None,
                 artifact: str | None) -> SourceValue:
    """``SourceValue(source, float(value), unit, raw, artifact)`` (``value`` may be an int:
    it is stored as a float, ``None`` stays ``None``)."""
    o = SOURCE_VALUE_BUILDER()
    o.source = source
    o.value = None if value is None else float(value)
    o.unit = unit
    o.raw = raw
    o.artifact = artifact
    o.__class__ = SourceValue
    return o  # type: ignore[no-any-return]


def cause_amount(code: str, low: float, high: float, evidence: str) -> CauseAmount:
    """``CauseAmount(code, low, high, evidence)`` (``low <= high``, both floats)."""
    o = CAUSE_AMOUNT_BUILDER()
    o.code = code
    o.low = low
    o.high = high
    o.evidence = evidence
    o.__class__ = CauseAmount
    return o  # type: ignore[no-any-return]


def comparison(check: str, verdict: Verdict, rule: str, sources: tuple[SourceValue, ...],
               difference: float | None, tolerance: float, unit: str,
               bound: tuple[float, float] | None, causes: tuple[CauseAmount, ...],
               player: str | None, player_name: str | None, message: str) -> Comparison:
    """``Comparison(...)`` with every field given positionally, in field order."""
    o = COMPARISON_BUILDER()
    o.check = check
    o.verdict = verdict
    o.rule = rule
    o.sources = sources
    o.difference = difference
    o.tolerance = tolerance
    o.unit = unit
    o.bound = bound
    o.causes = causes
    o.player = player
    o.player_name = player_name
    o.message = message
    o.__class__ = Comparison
    return o  # type: ignore[no-any-return]


__all__ = ["CAUSE_AMOUNT_BUILDER", "COMPARISON_BUILDER", "SOURCE_VALUE_BUILDER", "builder",
           "cause_amount", "comparison", "source_value"]
