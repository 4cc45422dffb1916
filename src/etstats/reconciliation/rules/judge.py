"""The verdict rule shared by every comparison.

``agree`` when ``|d| <= tolerance``; ``tolerated`` when ``|d| <= tolerance + mechanics``;
``explained`` when the smallest set of named causes whose summed range, widened by the
tolerance and the mechanical slack, contains ``d``; otherwise ``conflict`` (with every
candidate cause listed and the widest bound they could reach).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import combinations
from math import copysign, floor

from etstats.reconciliation.model import (
    KEPT_IN_FULL,
    CauseAmount,
    Comparison,
    SourceValue,
    Verdict,
    build_comparison,
)

# enum attribute access is slow on the hot path
_AGREE, _TOLERATED, _EXPLAINED, _CONFLICT = (
    Verdict.AGREE,
    Verdict.TOLERATED,
    Verdict.EXPLAINED,
    Verdict.CONFLICT,
)
_EPS = 1e-9


def _fits(d: float, causes: Sequence[CauseAmount], slack: float) -> tuple[float, float] | None:
    lo = sum(c.low for c in causes) - slack
    hi = sum(c.high for c in causes) + slack
    return (lo, hi) if lo <= d <= hi else None


def needs_causes(difference: float, tolerance: float, mechanics: float = 0.0) -> bool:
    """Whether :func:`judge` would look at the causes of this difference: not when it is
    within ``tolerance + mechanics`` (``agree`` or ``tolerated``), so rules may skip sizing
    them (and formatting their evidence) then."""
    return not abs(difference) <= tolerance + mechanics


_TALLY: ContextVar[dict[str, int] | None] = ContextVar("etstats_agree_tally", default=None)
"""While :func:`counting_agree` runs: agreeing comparisons counted (not built), per check."""


@contextmanager
def counting_agree() -> Iterator[dict[str, int]]:
    """Within the block, rules count an agreeing comparison (of a check not in
    :data:`KEPT_IN_FULL`) in the yielded ``{check: n}`` instead of building it: they ask
    :func:`counted_agree` before building the sources. The same rules run either way; only
    what is built differs. A context variable, so each thread (and task) counts its own."""
    tally: dict[str, int] = {}
    token = _TALLY.set(tally)
    try:
        yield tally
    finally:
        _TALLY.reset(token)


def counted_agree(check: str, difference: float, tolerance: float) -> bool:
    """True (and the comparison counted) when :func:`counting_agree` is active, ``check`` is
    not kept in full and :func:`judge` would say ``agree`` for this difference and tolerance;
    the rule then returns ``None`` instead of building the comparison."""
    d = difference if type(difference) is float else float(difference)
    # exactly judge's agree test first (a disagreement never reads the context variable);
    # the kept checks asked last (the rarest case)
    if -tolerance - _EPS <= d <= tolerance + _EPS:
        tally = _TALLY.get()
        if tally is not None and check not in KEPT_IN_FULL:
            tally[check] = tally.get(check, 0) + 1
            return True
    return False


def judge(
    check: str,
    rule: str,
    sources: Sequence[SourceValue],
    difference: float,
    tolerance: float,
    *,
    mechanics: float = 0.0,
    causes: Sequence[CauseAmount] = (),
    unit: str = "s",
    player: str | None = None,
    player_name: str | None = None,
    message: str = "",
) -> Comparison:
    """Build a :class:`Comparison` with its verdict (see the module docstring)."""
    d = difference if type(difference) is float else float(difference)  # float(x) is x then
    if -tolerance - _EPS <= d <= tolerance + _EPS:  # fast path: most comparisons agree
        return build_comparison(
            check,
            _AGREE,
            rule,
            sources if type(sources) is tuple else tuple(sources),
            d,
            tolerance,
            unit,
            (-tolerance, tolerance),
            (),
            player,
            player_name,
            message,
        )

    # the other verdicts: values rounded to the millisecond
    srcs = sources if type(sources) is tuple else tuple(sources)
    r_d = _round3(d)
    r_tol = _round3(tolerance)
    slack = tolerance + mechanics
    if abs(d) <= slack + 1e-9:
        return build_comparison(
            check,
            _TOLERATED,
            rule,
            srcs,
            r_d,
            r_tol,
            unit,
            (_round3(-slack), _round3(slack)),
            (),
            player,
            player_name,
            message or "within the mechanical bound",
        )
    cands = causes if type(causes) is tuple else tuple(causes)
    best: tuple[tuple[CauseAmount, ...], tuple[float, float]] | None = None
    # single causes first, without the generic subset machinery: the sum of one range is
    # ``0 + low`` (as ``sum`` computes it), so the bounds are bit-identical to _fits
    for c in cands:
        lo = (0 + c.low) - slack
        hi = (0 + c.high) + slack
        if lo <= d <= hi and (best is None or hi - lo < best[1][1] - best[1][0]):
            best = ((c,), (lo, hi))
    if best is None and len(cands) > 1:
        for size in range(2, len(cands) + 1):
            for subset in combinations(cands, size):
                bound = _fits(d, subset, slack)
                if bound is not None and (
                    best is None or bound[1] - bound[0] < best[1][1] - best[1][0]
                ):
                    best = (subset, bound)
            if best is not None:
                break
    if best is not None:
        subset, (lo, hi) = best
        return build_comparison(
            check,
            _EXPLAINED,
            rule,
            srcs,
            r_d,
            r_tol,
            unit,
            (_round3(lo), _round3(hi)),
            subset,
            player,
            player_name,
            message
            or (
                "accounted for by " + subset[0].code
                if len(subset) == 1
                else "accounted for by " + ", ".join([c.code for c in subset])
            ),
        )
    if not cands:  # sum(()) is the int 0: 0 - slack (not -slack: 0 - 0.0 is 0.0)
        lo = 0 - slack
        hi = 0 + slack
        even_with = ""
    elif len(cands) == 1:  # sum of one value x is 0 + x; min/max as the builtins pick
        x = cands[0].low
        lo = (0 + (0.0 if x > 0.0 else x)) - slack
        x = cands[0].high
        hi = (0 + (0.0 if x < 0.0 else x)) + slack
        even_with = " even with " + cands[0].code
    else:
        lo = sum([min(c.low, 0.0) for c in cands]) - slack
        hi = sum([max(c.high, 0.0) for c in cands]) + slack
        even_with = " even with " + ", ".join([c.code for c in cands])
    # printf-style: the same text as f"{d:+.1f}" (both are PyOS_double_to_string with
    # precision 1 and a sign), a third cheaper (no format-spec parsing per value)
    text = message or "difference %+.1f %s outside [%+.1f, %+.1f]%s" % (  # noqa: UP031
        d,
        unit,
        lo,
        hi,
        even_with,
    )
    return build_comparison(
        check,
        _CONFLICT,
        rule,
        srcs,
        r_d,
        r_tol,
        unit,
        (_round3(lo), _round3(hi)),
        cands,
        player,
        player_name,
        text,
    )


def round_ms(x: float) -> float:
    """``round(x, 3)`` for a float ``x``, bit for bit, about four times faster.

    ``round`` with digits is correctly rounded: the decimal nearest to the exact binary
    value (ties to even), then the float nearest to that decimal. Here ``y = x * 1000`` is
    computed in floating point (off by at most half a unit in the last place, below 1e-7
    for ``|y| < 1e9``); unless the fraction of ``y`` lies within 1e-6 of one half, the
    exact product rounds to the same integer ``n`` as ``y`` does, and ``n / 1000`` (an
    exact int, one correctly rounded division) is the float nearest to ``n`` thousandths,
    as ``round`` returns. Near a tie, a large or non-finite value, and an int (which
    ``round`` keeps an int) go to ``round`` itself. tests/reconciliation/test_round_ms.py
    checks it against ``round`` on random values and on every kind of near-tie.
    """
    if x.__class__ is float:
        y = x * 1000.0
        if -1e9 < y < 1e9:
            n = floor(y)
            f = y - n  # the fraction, in [0, 1] (within 1e-16)
            if f < 0.499999:
                pass
            elif f > 0.500001:
                n += 1
            else:
                return round(x, 3)
            if n:
                return n / 1000.0
            return copysign(0.0, x)  # round keeps the sign of a zero result
    return round(x, 3)


_round3 = round_ms


__all__ = ["KEPT_IN_FULL", "counted_agree", "counting_agree", "judge", "needs_causes"]
