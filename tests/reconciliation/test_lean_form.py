"""The ingest path's lean form of a round's reconciliation against the full form.

The same rules run in both; the lean form counts agreeing comparisons (except the dead-time
ones, which the spawn audit lists) instead of building them. Its counts must equal the full
form's per check and verdict, and every non-agreeing or dead-time comparison must be there,
equal and in the same order.
"""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etstats.ingest.artifacts import Artifact
from etstats.ingest.extract import parse_artifact
from etstats.ingest.report_encoder import to_json
from etstats.reconciliation import LoadedArtifact, Reconciliation, Verdict, load_paths
from etstats.reconciliation.engine import ReconcilePlan
from etstats.reconciliation.model import LeanReconciliation, lean_reconciliation
from etstats.reconciliation.rules.judge import KEPT_IN_FULL, counted_agree, counting_agree
from etstats.serde import to_json as serde_to_json
from etstats.testing.synthetic import round_artifacts, round_pair_artifacts

START = 1_767_225_600


def _assert_lean_of(lean: Reconciliation, full: Reconciliation) -> None:
    assert isinstance(lean, LeanReconciliation)
    agree_by_check: dict[str, int] = {}
    for c in full.comparisons:
        if c.verdict is Verdict.AGREE:
            agree_by_check[c.check] = agree_by_check.get(c.check, 0) + 1
    # counts per check equal the full form's, agreeing ones included
    assert {k: v["agree"] for k, v in lean.check_counts.items()} == {
        check: agree_by_check.get(check, 0) for check in {c.check for c in full.comparisons}
    }
    for check, per_verdict in lean.check_counts.items():
        for verdict, n in per_verdict.items():
            assert n == sum(1 for c in full.comparisons if (c.check, c.verdict) == (check, verdict))
    # every non-agreeing and every dead-time comparison, equal and in order; nothing else
    assert lean.comparisons == tuple(
        c for c in full.comparisons if c.verdict is not Verdict.AGREE or c.check in KEPT_IN_FULL
    )
    assert lean.verdict == full.verdict
    assert lean.counts() == full.counts()
    assert (lean.map, lean.round, lean.stats, lean.lua, lean.endstats, lean.stats_r1) == (
        full.map,
        full.round,
        full.stats,
        full.lua,
        full.endstats,
        full.stats_r1,
    )
    assert (lean.players, lean.findings) == (full.players, full.findings)
    # and the lean form of the full one is the same object (what the store tests compare)
    assert lean == lean_reconciliation(full, {})
    # the engine builds the lean form straight from the round's fields (a sealed builder,
    # no full Reconciliation first): indistinguishable from the public constructor's (not
    # tests.helpers.assert_built_equals_public: check_counts is a dict, so neither hashes)
    public = LeanReconciliation(
        **{a.name: getattr(lean, a.name) for a in attrs.fields(LeanReconciliation)}
    )
    assert type(lean) is LeanReconciliation
    assert lean == public
    assert public == lean
    assert repr(lean) == repr(public)
    assert to_json(lean) == serde_to_json(public)
    assert pickle.loads(pickle.dumps(lean)) == public  # noqa: S301 - our own bytes
    assert attrs.evolve(lean) == public


def _both(items: list[LoadedArtifact]) -> list[tuple[Reconciliation, Reconciliation]]:
    full = list(ReconcilePlan(items, utc_offset_seconds=0).iter_rounds())
    lean = list(ReconcilePlan(items, utc_offset_seconds=0).iter_rounds(lean=True))
    assert len(full) == len(lean)
    return list(zip(lean, full, strict=True))


def _loaded(arts: list[Artifact]) -> list[LoadedArtifact]:
    out = []
    for a in arts:
        p = parse_artifact(a)
        out.append(LoadedArtifact(str(p.kind), a.name, p.model))
    return out


@pytest.mark.property
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    players=st.integers(1, 12),
    round_number=st.sampled_from([1, 2]),
    pauses=st.integers(0, 2),
    lua=st.booleans(),
    endstats=st.booleans(),
)
def test_lean_form_counts_and_keeps_what_the_full_form_says(
    seed: int, players: int, round_number: int, pauses: int, lua: bool, endstats: bool
) -> None:
    arts = round_artifacts(
        map_name="supply",
        round_number=round_number,
        end_unix=START,
        rng=random.Random(seed),
        players=players,
        pauses=pauses,
        lua=lua,
        endstats=endstats,
    )
    for lean, full in _both(_loaded(list(arts))):
        _assert_lean_of(lean, full)


@pytest.mark.property
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), players=st.integers(1, 8))
def test_lean_form_of_a_differenced_round_2(seed: int, players: int) -> None:
    rng = random.Random(seed)
    (r1, r2), _ = round_pair_artifacts(
        map_name="supply", r1_end_unix=START, gap_seconds=900, rng=rng, players=players
    )
    lua = round_artifacts(
        map_name="supply",
        round_number=2,
        end_unix=START + 900,
        rng=rng,
        players=players,
        stats=False,
        endstats=False,
    )
    pairs = _both(_loaded([r1, r2, *lua]))
    assert any(full.stats_r1 == r1.name for _, full in pairs)
    for lean, full in pairs:
        _assert_lean_of(lean, full)


@pytest.mark.corpus
def test_lean_form_on_the_real_corpus(real_stats_dir: Path) -> None:
    artifacts, _ = load_paths([real_stats_dir])
    pairs = _both(list(artifacts))
    assert len(pairs) == 215
    agreeing = 0
    for lean, full in pairs:
        _assert_lean_of(lean, full)
        agreeing += len(full.comparisons) - len(lean.comparisons)
    assert agreeing > 5000  # most real comparisons agree: those are counted, not built


def test_counted_agree_only_while_counting_and_never_for_kept_checks() -> None:
    assert not counted_agree("kd-ratio", 0.0, 0.05)  # not counting: the rule builds it
    with counting_agree() as tally:
        assert counted_agree("kd-ratio", 0.05, 0.05)
        assert not counted_agree("kd-ratio", 0.2, 0.05)  # would not agree: built
        assert not counted_agree("dead-time", 0.0, 3.0)  # kept in full
        with counting_agree() as inner:  # nested blocks count apart
            assert counted_agree("deaths", 0, 0.0)
        assert counted_agree("kd-ratio", -0.05, 0.05)
    assert tally == {"kd-ratio": 2}
    assert inner == {"deaths": 1}
    assert not counted_agree("kd-ratio", 0.0, 0.05)
