"""The reconciliation hot path's fast constructors build exactly what attrs builds."""

from __future__ import annotations

import copy
import pickle

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import assert_built_equals_public

from etstats.reconciliation import fast
from etstats.reconciliation.model import CauseAmount, Comparison, SourceValue, Verdict

_text = st.text(max_size=12)
_opt_text = st.none() | _text
_num = st.floats(allow_nan=False, allow_infinity=False, width=32)
_sources = st.tuples(_text, st.none() | _num, _text, _opt_text, _opt_text)
_causes = st.tuples(_text, _num, _num, _text)


@given(args=_sources)
def test_source_value(args: tuple[str, float | None, str, str | None, str | None]) -> None:
    assert_built_equals_public(fast.source_value(*args), SourceValue(*args))


@given(args=_causes)
def test_cause_amount(args: tuple[str, float, float, str]) -> None:
    assert_built_equals_public(fast.cause_amount(*args), CauseAmount(*args))


@given(
    check=_text, verdict=st.sampled_from(list(Verdict)), rule=_text,
    sources=st.lists(_sources, max_size=3), difference=st.none() | _num, tolerance=_num,
    unit=_text, bound=st.none() | st.tuples(_num, _num), causes=st.lists(_causes, max_size=3),
    player=_opt_text, player_name=_opt_text, message=_text,
)  # fmt: skip
def test_comparison(
    check: str, verdict: Verdict, rule: str, sources: list[tuple[str, float | None, str, str | None,
    str | None]], difference: float | None, tolerance: float, unit: str,
    bound: tuple[float, float] | None, causes: list[tuple[str, float, float, str]],
    player: str | None, player_name: str | None, message: str,
) -> None:  # fmt: skip
    svs = tuple(SourceValue(*s) for s in sources)
    cas = tuple(CauseAmount(*c) for c in causes)
    args = (check, verdict, rule, svs, difference, tolerance, unit, bound, cas, player,
            player_name, message)  # fmt: skip
    built = fast.comparison(*args)
    assert_built_equals_public(built, Comparison(*args))
    assert attrs.evolve(built, message="x") == attrs.evolve(Comparison(*args), message="x")


def test_classes_with_validators_are_refused() -> None:
    @attrs.frozen
    class Checked:
        x: int = attrs.field(validator=attrs.validators.ge(0))

    with pytest.raises(TypeError, match="validator"):
        fast.builder(Checked)


def test_classes_with_hooks_are_refused() -> None:
    @attrs.frozen
    class Hooked:
        x: int

        def __attrs_post_init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="post_init"):
        fast.builder(Hooked)


@given(args=_sources)
def test_built_objects_are_genuine_frozen_instances(
    args: tuple[str, float | None, str, str | None, str | None],
) -> None:
    built = fast.source_value(*args)
    assert type(built) is SourceValue
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.value = 1.0  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del built.unit
    assert_built_equals_public(pickle.loads(pickle.dumps(built)), built)  # noqa: S301 (our own bytes)
    assert_built_equals_public(copy.deepcopy(built), built)
    assert_built_equals_public(attrs.evolve(built), SourceValue(*args))


@given(source=_text, value=st.integers(-10**6, 10**6), unit=_text)
def test_source_value_stores_numbers_as_floats(source: str, value: int, unit: str) -> None:
    # the rules pass counts as ints: the result is what SourceValue(float(value)) gives
    assert_built_equals_public(fast.source_value(source, value, unit, None, "f"),
          SourceValue(source, float(value), unit, None, "f"))


def test_builders_add_no_state() -> None:
    # the class assignment that seals a built object needs the builder's layout to be the
    # class's own: no extra slot, no __dict__
    for cls, b in ((SourceValue, fast.SOURCE_VALUE_BUILDER),
                   (Comparison, fast.COMPARISON_BUILDER),
                   (CauseAmount, fast.CAUSE_AMOUNT_BUILDER)):
        assert b.__bases__ == (cls,)
        assert b.__slots__ == ()
        assert b.__basicsize__ == cls.__basicsize__
        assert not hasattr(b(), "__dict__")
