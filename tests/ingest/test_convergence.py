"""Hypothesis: any arrival order, with duplicates, converges to the in-order state."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.ingest.synthetic import round_artifacts
from etstats.storage.base import Storage
from etstats.storage.testing import snapshot, wipe

BASE = 1_767_225_600
EXAMPLES = min(settings.default.max_examples, 100)


@st.composite
def rounds_artifacts(draw: st.DrawFn) -> list[Artifact]:
    """Artifacts of 1-5 random rounds; ends on a 20 s grid so replays can sit within the
    linking window of each other (ambiguities included)."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    out: list[Artifact] = []
    for _ in range(draw(st.integers(1, 5))):
        kinds = draw(st.tuples(st.booleans(), st.booleans(), st.booleans()))
        out += round_artifacts(
            map_name=draw(st.sampled_from(["supply", "te_escape2"])),
            round_number=draw(st.integers(1, 2)),
            end_unix=BASE + 20 * draw(st.integers(0, 12)),
            rng=rng, players=draw(st.integers(0, 3)), stats=kinds[0], lua=kinds[1],
            endstats=kinds[2], pauses=draw(st.integers(0, 2)),
        )  # fmt: skip
    return out


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                         HealthCheck.too_slow])  # fmt: skip
@given(arts=rounds_artifacts(), data=st.data())
def test_shuffled_duplicated_artifacts_converge(
    store: Storage, arts: list[Artifact], data: st.DataObject
) -> None:
    wipe(store)
    in_order = Pipeline(store)
    for a in arts:
        in_order.ingest(a)
    expected = snapshot(store)
    wipe(store)
    extra = data.draw(st.lists(st.sampled_from(arts), max_size=6)) if arts else []
    shuffled = data.draw(st.permutations([*arts, *extra]))
    pipeline = Pipeline(store)  # a fresh pipeline: no parse cache shared with the first run
    statuses = [pipeline.ingest(a).status for a in shuffled]
    assert snapshot(store) == expected
    assert statuses.count("duplicate") >= len(extra)
