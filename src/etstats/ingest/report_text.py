"""The stored text of a comparison, written where the judge decides it (no object built).

On the ingest path the stored report (:func:`etstats.ingest.report_encoder.to_json` of the
round's :class:`~etstats.reconciliation.model.LeanReconciliation`) is all that is kept of
each comparison, so :func:`etstats.ingest.reconcile_step.reconcile_round` hands
:func:`write_comparison` to the engine as the judge's
:data:`~etstats.reconciliation.rules.judge.ComparisonWriter`: the judge computes the verdict,
bound and message once, and this writes the JSON text the encoder writes for the
:class:`~etstats.reconciliation.model.Comparison` of the same fields, instead of making it.
The round keeps a :class:`WrittenComparison` (its check, verdict and text: all that the lean
form and the verdict counts read), and the encoder writes that as its text.

Same bytes by construction: the text is written by the code the encoder generates for a
``Comparison`` (:func:`~etstats.ingest.report_encoder.fields_writer`), reading the judge's
arguments instead of the object's fields; tests/ingest/test_report_text.py checks it on
generated comparisons and whole replayed rounds.
"""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen

from etstats._sealing import sealed_builder
from etstats.ingest.report_encoder import add_writer, fields_writer
from etstats.reconciliation.model import Comparison, Verdict
from etstats.reconciliation.rules.judge import ComparisonWriter


@frozen
class WrittenComparison:
    """A comparison as the ingest path keeps it: what the lean form counts, and its text."""

    check: str
    verdict: Verdict
    text: str
    """The JSON text of the :class:`Comparison` (as the report encoder writes it)."""


_build_written: Callable[[str, Verdict, str], WrittenComparison] = sealed_builder(WrittenComparison)

add_writer(WrittenComparison, lambda w: w.text)

write_comparison: ComparisonWriter = fields_writer(Comparison, _build_written, 2)
"""``Comparison(check, verdict, rule, ...)`` (every field positional, in field order) as a
:class:`WrittenComparison`, typed as the :class:`Comparison` it stands for: the judge's
callers only collect it, and the lean form reads only its check and verdict."""


__all__ = ["WrittenComparison", "write_comparison"]
