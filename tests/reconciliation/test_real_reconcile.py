"""The real corpus reconciles: R1/R2 pairs and endstats, and the three dead-time measures.

There is no real Lua data; these rounds exercise pairing, the differential, the stats-only
(internal) rules and the overcount explanation of TAB[25] against the engine estimate. The
numbers are pinned so any change of a rule shows up here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from etstats.reconciliation import Verdict, load_paths, reconcile
from etstats.reconciliation.model import ReconcileReport

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def report(real_stats_dir: Path) -> ReconcileReport:
    artifacts, problems = load_paths([real_stats_dir])
    assert problems == []
    return reconcile(artifacts)


def test_every_file_reconciles_without_error(
    report: ReconcileReport, real_stats_files: list[Path]
) -> None:
    assert len(report.rounds) == len(real_stats_files) == 215
    assert not [f for f in report.findings if f.severity.value == "error"]
    paired = sum(1 for r in report.rounds if r.stats_r1)
    assert paired == 97
    assert report.offset_source == "none"
    # the one real endstats file belongs to a round outside the stats corpus
    assert [u.kind for u in report.unmatched] == ["endstats"]


def test_overcount_explains_the_script_dead_time(report: ReconcileReport) -> None:
    engine = report.comparisons("dead-time-engine")
    counts = Counter(c.verdict for c in engine)
    # the script's TAB[25] is ~2.3x the engine's: almost all explained, named
    assert counts[Verdict.EXPLAINED] >= 0.95 * len(engine)
    assert all(
        c.causes[0].code == "dead-time-overcount" for c in engine if c.verdict is Verdict.EXPLAINED
    )
    ratios = sorted(
        (c.sources[0].value or 0) / (c.sources[1].value or 1)
        for c in engine
        if (c.sources[1].value or 0) > 60
    )
    assert 2.0 < ratios[len(ratios) // 2] < 2.6


def test_internal_findings_are_stable(report: ReconcileReport) -> None:
    by_check = Counter((c.check, c.verdict.value) for c in report.comparisons())
    assert by_check == PINNED


PINNED = Counter(
    {
        ("dead-le-played", "agree"): 1382,
        ("dead-le-played", "explained"): 35,
        ("dead-le-played", "conflict"): 7,
        ("dead-ratio", "agree"): 1424,
        ("dead-time-engine", "agree"): 38,
        ("dead-time-engine", "explained"): 1378,
        ("dead-time-engine", "conflict"): 7,
        ("kd-ratio", "agree"): 1466,
        ("kd-ratio", "explained"): 6,
        ("kd-ratio", "conflict"): 6,
        ("revived-le-deaths", "agree"): 1423,
        ("revived-le-deaths", "explained"): 1,
        ("stats-clock", "agree"): 212,
        ("stats-clock", "explained"): 3,
    }
)
