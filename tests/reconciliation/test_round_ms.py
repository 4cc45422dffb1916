"""``round_ms`` (the judge's millisecond rounding) is ``round(x, 3)`` bit for bit."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etstats.reconciliation.rules.judge import round_ms


def _same(x: float) -> None:
    got, want = round_ms(x), round(x, 3)
    assert type(got) is type(want)
    if isinstance(want, float) and math.isnan(want):
        assert math.isnan(got)
    else:  # the same bits: the sign of a zero counts (its JSON text differs)
        assert struct.pack("<d", got) == struct.pack("<d", want), (x, got, want)


@pytest.mark.property
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_any_float(x: float) -> None:
    _same(x)


@pytest.mark.property
@given(st.integers(-(10**10), 10**10), st.integers(-3, 3))
def test_near_ties_and_exact_thousandths(k: int, steps: int) -> None:
    """Values within a few units in the last place of a tie (k + 0.5 thousandths) or of a
    thousandth (where the product by 1000 may round across a boundary)."""
    for start in ((k + 0.5) / 1000, k / 1000):
        x = start
        direction = math.inf if steps > 0 else -math.inf
        for _ in range(abs(steps)):
            x = math.nextafter(x, direction)
        _same(x)
        _same(-x)


@pytest.mark.parametrize(
    "x",
    [0.0, -0.0, 0.0004, -0.0004, 0.0005, -0.0005, 0.0625, -0.0625, 0.9995, 1e9, -1e9, 5e-324],
)
def test_edges(x: float) -> None:
    _same(x)


def test_an_int_stays_an_int() -> None:
    got = round_ms(3)
    assert got == 3
    assert type(got) is int
