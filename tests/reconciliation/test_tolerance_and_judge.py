"""Tolerance math and the verdict rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etstats.reconciliation.causes import CAUSES, cause
from etstats.reconciliation.model import SourceValue, Verdict
from etstats.reconciliation.rules.judge import judge, needs_causes
from etstats.reconciliation.tolerance import (
    engine_dead_estimate,
    overcount_range,
    overcount_total_range,
)


def _brute(d: float, phase: float) -> float:
    total, t = 0.0, phase
    while t < d:
        total += t
        t += 5.0
    return total


@given(d=st.floats(0, 200), phase=st.floats(1e-6, 5.0))
def test_overcount_range_contains_every_snapshot_phase(d: float, phase: float) -> None:
    lo, hi = overcount_range(d)
    assert lo - 1e-6 <= _brute(d, phase) <= hi + 1e-6


def test_overcount_is_about_quadratic_and_matches_the_real_ratio() -> None:
    # a 20-s death is written as 50..70 s: the 2.3x the real files show
    lo, _hi = overcount_range(20.0)
    assert (20 + lo) / 20 > 2.0
    assert overcount_range(4.9) == (0.0, 4.9)
    assert overcount_range(0) == (0.0, 0.0)


def test_total_range_without_intervals_brackets_the_known_intervals() -> None:
    intervals = (12.0, 25.0, 8.0)
    exact = overcount_total_range(intervals, 0, 0, 0)
    bound = overcount_total_range(None, sum(intervals), 3, 30.0)
    assert bound[0] <= exact[0]
    assert exact[1] <= bound[1]


def test_engine_estimate_bounds_follow_the_rounding() -> None:
    est, lo, hi = engine_dead_estimate(80.0, 10.0)
    assert est == pytest.approx(120.0)
    assert lo < est < hi
    assert hi - lo < 2 * (0.05 * 60 * 0.2 + 10 * 60 * 0.0005) + 1e-6


SRC = (SourceValue("a", 1.0, "s"), SourceValue("b", 2.0, "s"))


def test_verdicts_in_order() -> None:
    assert judge("x", "r", SRC, 2.9, 3.0).verdict is Verdict.AGREE
    assert judge("x", "r", SRC, 7.0, 3.0, mechanics=5.0).verdict is Verdict.TOLERATED
    c = cause("pause-overlap", 50, 52, "paused")
    got = judge("x", "r", SRC, 53.0, 3.0, causes=[c])
    assert got.verdict is Verdict.EXPLAINED
    assert got.causes == (c,)
    assert got.bound == (47.0, 55.0)
    bad = judge("x", "r", SRC, 80.0, 3.0, causes=[c])
    assert bad.verdict is Verdict.CONFLICT
    assert bad.causes == (c,)
    assert "80" in bad.message


def test_smallest_set_of_causes_is_named() -> None:
    small = cause("rounding", 0, 10, "a")
    big = cause("pause-overlap", 0, 100, "b")
    extra = cause("team-switch", 30, 40, "c")
    got = judge("x", "r", SRC, 8.0, 1.0, causes=[big, small, extra])
    assert [c.code for c in got.causes] == ["rounding"]
    both = judge("x", "r", SRC, 45.0, 1.0, causes=[small, extra])
    assert {c.code for c in both.causes} == {"rounding", "team-switch"}


def test_every_cause_code_is_catalogued_and_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "reconcile.md").read_text()
    for code in CAUSES:
        assert f"`{code}`" in doc


_finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(
    d=_finite, tol=st.floats(0, 1e3), mech=st.floats(0, 1e3), low=_finite, width=st.floats(0, 1e6)
)
def test_causes_are_ignored_when_needs_causes_says_so(
    d: float, tol: float, mech: float, low: float, width: float
) -> None:
    # rules skip sizing causes when needs_causes() is False: judge must give the same result
    # with or without them then
    src = (SourceValue("a", 0.0, "s"), SourceValue("b", d, "s"))
    c = cause("rounding", low, low + width, "x")
    with_cause = judge("x", "r", src, d, tol, mechanics=mech, causes=(c,))
    without = judge("x", "r", src, d, tol, mechanics=mech)
    if not needs_causes(d, tol, mech):
        assert with_cause == without
        assert with_cause.verdict in (Verdict.AGREE, Verdict.TOLERATED)


@pytest.mark.property
@given(
    d=st.floats(allow_nan=False, allow_infinity=False),
    tol=st.floats(0, 1e3),
    low=_finite,
    width=st.floats(0, 1e6),
    unit=st.sampled_from(["s", "count", "percent", "ratio"]),
)
def test_conflict_message_is_the_one_decimal_text(
    d: float, tol: float, low: float, width: float, unit: str
) -> None:
    """The conflict message (printf-style in judge) is the text of the format spec
    ``+.1f``, for any difference, bound and unit."""
    src = (SourceValue("a", 0.0, unit), SourceValue("b", d, unit))
    for causes in ((), (cause("rounding", low, low + width, "x"),)):
        c = judge("x", "r", src, d, tol, causes=causes, unit=unit)
        if c.verdict is not Verdict.CONFLICT:
            continue
        lo = sum(min(x.low, 0.0) for x in causes) - tol  # judge's bound, same operations
        hi = sum(max(x.high, 0.0) for x in causes) + tol
        expected = f"difference {d:+.1f} {unit} outside [{lo:+.1f}, {hi:+.1f}]"
        assert c.message.startswith(expected)
