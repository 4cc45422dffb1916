"""The ingest path's direct report encoder writes the same JSON text as the cattrs wire
format (``etstats.serde.to_json``), and the ingest reconciliation step (which compares only
the wanted round, and counts agreeing comparisons rather than building them) stores the lean
form of what the public ``reconcile()`` says of that round."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from etstats import serde
from etstats.ingest import report_encoder
from etstats.ingest.extract import parse_artifact
from etstats.ingest.reconcile_step import reconcile_round
from etstats.reconciliation import LoadedArtifact, load_paths, reconcile
from etstats.reconciliation.model import LeanReconciliation, lean_reconciliation
from etstats.testing.synthetic import round_artifacts, round_pair_artifacts, season


@pytest.mark.corpus
def test_same_text_as_cattrs_on_the_real_corpus(real_stats_dir: Path) -> None:
    artifacts, _ = load_paths([real_stats_dir])
    report = reconcile(artifacts)
    assert len(report.rounds) == 215
    for r in report.rounds:
        assert report_encoder.to_json(r) == serde.to_json(r)


def test_same_text_as_cattrs_with_lua_and_endstats() -> None:
    arts = season(24, players=6)
    parsed = [parse_artifact(a) for a in arts]
    checked = 0
    for i in range(0, len(parsed), 3):
        names = {"stats": arts[i].name, "lua": arts[i + 1].name, "endstats": arts[i + 2].name}
        got = reconcile_round(parsed[i], parsed[i + 1], parsed[i + 2], names=names)
        assert got is not None
        verdict, _errors, _warnings, text, result = got
        assert text == serde.to_json(result)
        # the public function, given the same files, says the same of this round
        public = reconcile(
            [
                LoadedArtifact(str(p.kind), names[role], p.model)
                for role, p in zip(("stats", "lua", "endstats"), parsed[i : i + 3], strict=True)
            ],
            utc_offset_seconds=0,
        )
        [same] = [r for r in public.rounds if r.stats == names["stats"]]
        assert isinstance(result, LeanReconciliation)
        assert serde.to_json(lean_reconciliation(same, {})) == text
        assert verdict == str(same.verdict)
        assert result.counts() == same.counts()
        checked += 1
    assert checked == 24


def test_round2_with_its_round1_matches_the_full_engine_run() -> None:
    rng = random.Random(5)
    (r1, r2), _ = round_pair_artifacts(
        map_name="supply", r1_end_unix=1_767_225_600, gap_seconds=900, rng=rng, players=4
    )
    lua = round_artifacts(
        map_name="supply",
        round_number=2,
        end_unix=1_767_226_500,
        rng=rng,
        players=4,
        stats=False,
        endstats=False,
    )[0]
    p1, p2, pl = parse_artifact(r1), parse_artifact(r2), parse_artifact(lua)
    got = reconcile_round(
        p2, pl, None, names={"stats": r2.name, "lua": lua.name}, r1=(r1.name, p1.model)
    )
    assert got is not None
    public = reconcile(
        [
            LoadedArtifact("stats", r2.name, p2.model),
            LoadedArtifact(str(pl.kind), lua.name, pl.model),
            LoadedArtifact("stats", r1.name, p1.model),
        ],
        utc_offset_seconds=0,
    )
    [same] = [r for r in public.rounds if r.stats == r2.name]
    assert same.stats_r1 == r1.name
    assert got[3] == serde.to_json(lean_reconciliation(same, {}))
