"""The one fast-construction door (:mod:`etstats._sealing`): sealed builders build exactly what
the attrs constructors build, refuse classes whose constructor does more than store, fail when
a field is left unset, and show their generated lines in tracebacks."""

from __future__ import annotations

import copy
import inspect
import linecache
import pickle

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import assert_built_equals_public

from etstats._sealing import sealed_builder
from etstats.reconciliation.model import (
    CauseAmount,
    Comparison,
    SourceValue,
    Verdict,
    build_cause_amount,
    build_comparison,
    source_value,
)

_text = st.text(max_size=12)
_opt_text = st.none() | _text
_num = st.floats(allow_nan=False, allow_infinity=False, width=32)
_sources = st.tuples(_text, st.none() | _num, _text, _opt_text, _opt_text)
_causes = st.tuples(_text, _num, _num, _text)


@given(args=_sources)
def test_source_value(args: tuple[str, float | None, str, str | None, str | None]) -> None:
    assert_built_equals_public(source_value(*args), SourceValue(*args))


@given(args=_causes)
def test_cause_amount(args: tuple[str, float, float, str]) -> None:
    assert_built_equals_public(build_cause_amount(*args), CauseAmount(*args))


@given(
    check=_text,
    verdict=st.sampled_from(list(Verdict)),
    rule=_text,
    sources=st.lists(_sources, max_size=3),
    difference=st.none() | _num,
    tolerance=_num,
    unit=_text,
    bound=st.none() | st.tuples(_num, _num),
    causes=st.lists(_causes, max_size=3),
    player=_opt_text,
    player_name=_opt_text,
    message=_text,
)
def test_comparison(
    check: str,
    verdict: Verdict,
    rule: str,
    sources: list[tuple[str, float | None, str, str | None, str | None]],
    difference: float | None,
    tolerance: float,
    unit: str,
    bound: tuple[float, float] | None,
    causes: list[tuple[str, float, float, str]],
    player: str | None,
    player_name: str | None,
    message: str,
) -> None:
    svs = tuple(SourceValue(*s) for s in sources)
    cas = tuple(CauseAmount(*c) for c in causes)
    args = (
        check,
        verdict,
        rule,
        svs,
        difference,
        tolerance,
        unit,
        bound,
        cas,
        player,
        player_name,
        message,
    )
    built = build_comparison(*args)
    assert_built_equals_public(built, Comparison(*args))
    assert attrs.evolve(built, message="x") == attrs.evolve(Comparison(*args), message="x")


def test_classes_with_validators_are_refused() -> None:
    @attrs.frozen
    class Checked:
        x: int = attrs.field(validator=attrs.validators.ge(0))

    with pytest.raises(TypeError, match="validator"):
        sealed_builder(Checked)
    assert sealed_builder(Checked, prechecked=("x",))(3) == Checked(3)


def test_classes_with_hooks_are_refused() -> None:
    @attrs.frozen
    class Hooked:
        x: int

        def __attrs_post_init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="post_init"):
        sealed_builder(Hooked)


def test_classes_with_converters_or_setattr_hooks_are_refused() -> None:
    @attrs.frozen
    class Converted:
        x: int = attrs.field(converter=int)

    @attrs.define
    class OnSet:
        x: int = attrs.field(on_setattr=attrs.setters.validate)

    with pytest.raises(TypeError, match="converter"):
        sealed_builder(Converted)
    with pytest.raises(TypeError, match="on_setattr"):
        sealed_builder(OnSet)


def test_unslotted_classes_are_refused() -> None:
    @attrs.frozen(slots=False)
    class Dicty:
        x: int

    with pytest.raises(TypeError, match="slotted"):
        sealed_builder(Dicty)


def test_a_field_left_unset_fails_when_the_builder_is_made() -> None:
    with pytest.raises(ValueError, match="needs a value"):
        sealed_builder(SourceValue, ("source", "value"))  # unit has no default
    with pytest.raises(ValueError, match="needs a value"):  # a factory default is not plain
        sealed_builder(Comparison, ("check",))


def test_tracebacks_show_the_generated_line() -> None:
    build = sealed_builder(SourceValue, ("source", "value", "unit"), fixed={"raw": "r"})
    code = build.__code__
    assert code.co_filename.startswith("<etstats sealed builder etstats.reconciliation.model")
    assert code.co_name == "build_SourceValue"
    # a traceback prints each frame's line from linecache: the generated source is there
    lines = linecache.getlines(code.co_filename)
    assert lines[0] == "def build_SourceValue(a0, a1, a2):\n"
    assert linecache.getline(code.co_filename, 2) == "    o = _new(_twin)\n"
    assert "    o.raw = _c_raw  # constant\n" in lines
    assert inspect.getsource(build) == "".join(lines)
    assert build("s", 1.0, "u") == SourceValue("s", 1.0, "u", "r")


@given(args=_sources)
def test_built_objects_are_genuine_frozen_instances(
    args: tuple[str, float | None, str, str | None, str | None],
) -> None:
    built = source_value(*args)
    assert type(built) is SourceValue
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.value = 1.0  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del built.unit
    assert_built_equals_public(pickle.loads(pickle.dumps(built)), built)  # noqa: S301 (our own bytes)
    assert_built_equals_public(copy.deepcopy(built), built)
    assert_built_equals_public(attrs.evolve(built), SourceValue(*args))


@given(source=_text, value=st.integers(-(10**6), 10**6), unit=_text)
def test_source_value_stores_numbers_as_floats(source: str, value: int, unit: str) -> None:
    # the rules pass counts as ints: the result is what SourceValue(float(value)) gives
    assert_built_equals_public(
        source_value(source, value, unit, None, "f"),
        SourceValue(source, float(value), unit, None, "f"),
    )


def test_twins_add_no_state() -> None:
    # the class assignment that seals a built object needs the twin's layout to be the
    # class's own: no extra slot, no __dict__
    from etstats._sealing import _open_twin

    for cls in (SourceValue, Comparison, CauseAmount):
        twin = _open_twin(cls)
        assert twin is _open_twin(cls)
        assert twin.__bases__ == (cls,)
        assert twin.__slots__ == ()  # type: ignore[attr-defined]
        assert twin.__basicsize__ == cls.__basicsize__
        assert not hasattr(twin(), "__dict__")
