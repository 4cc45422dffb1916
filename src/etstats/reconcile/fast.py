"""Fast constructors for the reconciliation model's hot-path objects.

The engine builds about 100 :class:`~etstats.reconcile.model.Comparison` objects (each with
two :class:`~etstats.reconcile.model.SourceValue`) per round. The attrs-generated ``__init__``
of a frozen class sets every field through ``object.__setattr__`` and takes keyword arguments;
here the instances are allocated with ``object.__new__`` and every slot is filled through its
slot descriptor directly. The result is the *same class* with the same field values (equality,
hash, ``repr``, ``attrs.evolve`` and the cattrs JSON are unchanged; the classes define no
validators or converters, so nothing is skipped). Callers pass values already in their final
type (floats for values, tuples for sequences), which the rules guarantee.
"""

from __future__ import annotations

from typing import Any

import attrs

from etstats.reconcile.model import CauseAmount, Comparison, SourceValue, Verdict

_new = object.__new__


def slot_setters(cls: type) -> tuple[Any, ...]:
    """The slot descriptors' ``__set__`` of ``cls``'s fields, in field order."""
    if not attrs.has(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a slotted attrs class")
    for a in attrs.fields(cls):
        if a.validator is not None or a.converter is not None:
            raise TypeError(f"{cls.__name__}.{a.name} has a validator or converter")
    return tuple(cls.__dict__[a.name].__set__ for a in attrs.fields(cls))


SOURCE_VALUE_SETTERS = slot_setters(SourceValue)
"""``__set__`` of SourceValue's slots in field order (for callers that inline construction)."""
COMPARISON_SETTERS = slot_setters(Comparison)
"""``__set__`` of Comparison's slots in field order."""
(_SV_SOURCE, _SV_VALUE, _SV_UNIT, _SV_RAW, _SV_ARTIFACT) = SOURCE_VALUE_SETTERS
(_CA_CODE, _CA_LOW, _CA_HIGH, _CA_EVIDENCE) = slot_setters(CauseAmount)
(_C_CHECK, _C_VERDICT, _C_RULE, _C_SOURCES, _C_DIFF, _C_TOL, _C_UNIT, _C_BOUND, _C_CAUSES,
 _C_PLAYER, _C_PNAME, _C_MESSAGE) = COMPARISON_SETTERS


def source_value(source: str, value: float | None, unit: str, raw: str | None,
                 artifact: str | None) -> SourceValue:
    """``SourceValue(source, value, unit, raw, artifact)`` (``value`` already a float/None)."""
    o = _new(SourceValue)
    _SV_SOURCE(o, source)
    _SV_VALUE(o, value)
    _SV_UNIT(o, unit)
    _SV_RAW(o, raw)
    _SV_ARTIFACT(o, artifact)
    return o


def cause_amount(code: str, low: float, high: float, evidence: str) -> CauseAmount:
    """``CauseAmount(code, low, high, evidence)`` (``low <= high``, both floats)."""
    o = _new(CauseAmount)
    _CA_CODE(o, code)
    _CA_LOW(o, low)
    _CA_HIGH(o, high)
    _CA_EVIDENCE(o, evidence)
    return o


def comparison(check: str, verdict: Verdict, rule: str, sources: tuple[SourceValue, ...],
               difference: float | None, tolerance: float, unit: str,
               bound: tuple[float, float] | None, causes: tuple[CauseAmount, ...],
               player: str | None, player_name: str | None, message: str) -> Comparison:
    """``Comparison(...)`` with every field given positionally, in field order."""
    o = _new(Comparison)
    _C_CHECK(o, check)
    _C_VERDICT(o, verdict)
    _C_RULE(o, rule)
    _C_SOURCES(o, sources)
    _C_DIFF(o, difference)
    _C_TOL(o, tolerance)
    _C_UNIT(o, unit)
    _C_BOUND(o, bound)
    _C_CAUSES(o, causes)
    _C_PLAYER(o, player)
    _C_PNAME(o, player_name)
    _C_MESSAGE(o, message)
    return o


__all__ = ["COMPARISON_SETTERS", "SOURCE_VALUE_SETTERS", "cause_amount", "comparison",
           "slot_setters", "source_value"]
