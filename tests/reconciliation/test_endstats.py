"""Endstats linked to its stats file: award values and the VS_HEADER roster."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from etstats.model.endstats import EndstatsAward, EndstatsRound, VersusHeader
from etstats.reconciliation import Verdict, load_paths, reconcile
from etstats.render.endstats import render_endstats
from etstats.testing.reconcile_truth import local_name_time, render_stats, simulate


def _write(tmp_path: Path, denied_shift: int) -> None:
    tr = simulate(11, n_per_team=4)
    name, text = render_stats(tr, version=8)
    (tmp_path / name).write_text(text)
    from etstats.parsing.stats_file import parse_stats_text

    top = max(
        parse_stats_text(text).players, key=lambda p: p.tab.denied_playtime or 0 if p.tab else 0
    )
    assert top.tab is not None
    denied = (top.tab.denied_playtime or 0) + denied_shift
    es = EndstatsRound(
        awards=(EndstatsAward("Most playtime denied", top.name, f"{denied} seconds"),),
        vs_headers=(
            VersusHeader(top.name, top.guid + "0" * 24),
            VersusHeader("ghost", "DEADBEEF" + "1" * 24),
        ),
    )
    ts = local_name_time(tr) - timedelta(seconds=2)
    (tmp_path / f"{ts:%Y-%m-%d-%H%M%S}-{tr.map}-round-1-endstats.txt").write_text(
        render_endstats(es)
    )


def test_award_and_roster_checks(tmp_path: Path) -> None:
    _write(tmp_path, 0)
    artifacts, problems = load_paths([tmp_path])
    assert problems == []
    report = reconcile(artifacts)
    (rnd,) = report.rounds
    assert rnd.endstats is not None
    award = [c for c in rnd.comparisons if c.check == "award-denied"]
    assert [c.verdict for c in award] == [Verdict.AGREE]
    roster = [c for c in rnd.comparisons if c.check == "endstats-roster"]
    assert [(c.player, c.verdict) for c in roster] == [("DEADBEEF", Verdict.CONFLICT)]


def test_wrong_award_value_is_a_conflict(tmp_path: Path) -> None:
    _write(tmp_path, 7)
    report = reconcile(load_paths([tmp_path])[0])
    award = report.comparisons("award-denied")
    assert [c.verdict for c in award] == [Verdict.CONFLICT]
    assert award[0].difference == -7.0
