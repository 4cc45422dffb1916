"""Rounds with known truth, rendered into real artifacts, reconciled end to end.

Each example plays rounds with :mod:`etstats.testing.reconcile_truth`, writes the files each
source would write (stats file c0rnp0rn 7 or 8, legacy or v1 gametimes) into a directory,
loads that directory like ``etstats reconcile DIR`` does, and checks that the engine recovers
the truth (links, UTC offset, values) and gives the right verdict and cause for every planted
defect, with no conflict.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etstats.reconciliation import Verdict, load_paths, reconcile
from etstats.reconciliation.model import ReconcileReport, Reconciliation
from etstats.reconciliation.tolerance import overcount_range
from etstats.testing.reconcile_truth import (
    TruthRound,
    render_legacy,
    render_stats,
    render_v1,
    simulate,
)

pytestmark = pytest.mark.property

ENDS = ("objective", "time_expired", "surrender_attackers", "surrender_defenders", "objective_late")
OFFSETS = (-5 * 3600, 0, 3600, 7200, 19800)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    return {
        "seed": draw(st.integers(0, 10**6)),
        "end": draw(st.sampled_from(ENDS)),
        "pauses": draw(st.integers(0, 2)),
        "late_join": draw(st.booleans()),
        "disconnect_dead": draw(st.booleans()),
        "spectator_dead": draw(st.booleans()),
        "collision": draw(st.booleans()),
        "quiet": draw(st.booleans()),
        "team_kill": draw(st.booleans()),
        "n_per_team": draw(st.integers(3, 5)),
    }


def _run(rounds: list[TruthRound], version: int, lua: str) -> ReconcileReport:
    with tempfile.TemporaryDirectory() as tmp:
        for i, tr in enumerate(rounds):
            name, text = render_stats(tr, version=version)
            (Path(tmp) / name).write_text(text, encoding="utf-8")
            if lua == "v1":
                name, text = render_v1(tr)
            else:
                name, text = render_legacy(
                    tr, seed=i, version=(1, 6, 1) if lua == "mixing" else (1, 7, 2)
                )
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        artifacts, problems = load_paths([tmp])
        assert problems == []
        return reconcile(artifacts)


@given(
    scen=st.lists(scenarios(), min_size=1, max_size=3),
    version=st.sampled_from((7, 8)),
    lua=st.sampled_from(("v1", "legacy", "mixing")),
    offset=st.sampled_from(OFFSETS),
)
def test_truth_is_recovered_without_conflict(
    scen: list[dict[str, object]], version: int, lua: str, offset: int
) -> None:
    rounds = [
        simulate(
            **s,  # type: ignore[arg-type]
            map_name=f"map{i}",
            start_unix=1_770_000_000 + 5000 * i,
            utc_offset_s=offset,
        )
        for i, s in enumerate(scen)
    ]
    report = _run(rounds, version, lua)
    # every artifact linked, by the right offset, with the 3 s file lag
    assert report.unmatched == ()
    assert report.ambiguities == ()
    assert report.utc_offset_seconds[0] == offset
    assert report.offset_source == "inferred"
    assert all(r.link_lag_seconds == 3 for r in report.rounds)
    conflicts = [
        (c.check, c.player_name, c.message)
        for c in report.comparisons()
        if c.verdict is Verdict.CONFLICT
    ]
    assert conflicts == []
    for r in report.rounds:
        tr = next(t for t in rounds if t.map == r.map)
        _check_round(tr, r, version, lua)


def _check_round(tr: TruthRound, r: Reconciliation, version: int, lua: str) -> None:
    truth = {p.guid[:8]: p for p in tr.players}
    collided = {k for k in truth if sum(1 for p in tr.players if p.guid[:8] == k) > 1}
    dead = {c.player: c for c in r.comparisons if c.check == "dead-time" and c.player}
    for key in collided:
        assert key not in dead
        ident = [c for c in r.comparisons if c.check == "player-identity" and c.player == key]
        assert ident
        assert ident[0].verdict is Verdict.EXPLAINED
        assert ident[0].causes[0].code == "guid-prefix-collision"
    for key, cmp in dead.items():
        p = truth[key]
        codes = {c.code for c in cmp.causes}
        if lua == "v1":  # the Lua value is the truth (pause-free, ms)
            true_dead = sum(d.g1 - d.g0 for d in p.deaths)
            assert abs((cmp.sources[1].value or 0.0) - true_dead) < 0.01
        if lua == "mixing" and cmp.verdict is not Verdict.AGREE:
            assert codes == {"legacy-clock-mixing"}
        long_deaths = [
            d
            for d in p.deaths
            if overcount_range(d.g1 - d.g0)[0] > 10 and d.closed_by != "disconnect"
        ]
        if version == 7 and lua == "v1" and long_deaths and p.leave_how is None:
            assert cmp.verdict is Verdict.EXPLAINED
            assert "dead-time-overcount" in codes
        if version == 8 and lua == "v1" and cmp.verdict is Verdict.EXPLAINED:
            assert codes & {"pause-overlap", "disconnect-while-dead", "team-switch"}
    for c in r.comparisons:
        if (
            c.check == "round-duration"
            and tr.end_reason == "surrender"
            and tr.winner == tr.defender
            and tr.limit_s - tr.play_s > 3
        ):
            assert c.verdict is Verdict.EXPLAINED
            assert {x.code for x in c.causes} == {"surrender-clock"}
        if c.check == "roster":
            assert truth[c.player or ""].quiet
            assert c.causes[0].code == "no-weapon-activity"
        if (
            c.check == "end-reason"
            and lua != "v1"
            and tr.end_reason == "objective"
            and tr.play_s >= 0.9 * tr.limit_s
        ):
            assert c.verdict is Verdict.EXPLAINED
            assert c.causes[0].code == "legacy-end-reason-heuristic"


@given(scen=scenarios(), version=st.sampled_from((7, 8)))
def test_legacy_tails_of_departed_players_are_named(scen: dict[str, object], version: int) -> None:
    scen = {**scen, "disconnect_dead": True, "spectator_dead": True, "collision": False}
    tr = simulate(**scen)  # type: ignore[arg-type]
    report = _run([tr], version, "legacy")
    dead = {c.player: c for c in report.comparisons("dead-time") if c.player}
    for p in tr.players:
        if p.leave_how is None or p.guid[:8] not in dead:
            continue
        cmp = dead[p.guid[:8]]
        assert cmp.verdict is not Verdict.CONFLICT
        # a legacy tail larger than anything the round's pauses could account for
        if (
            cmp.verdict is Verdict.EXPLAINED
            and cmp.difference is not None
            and cmp.difference < -(cmp.tolerance + tr.pause_s)
        ):
            want = "spectator-while-dead" if p.leave_how == "spectator" else "disconnect-while-dead"
            assert want in {c.code for c in cmp.causes}


@given(
    seed=st.integers(0, 10**6),
    end1=st.sampled_from(ENDS),
    end2=st.sampled_from(ENDS),
    pauses=st.integers(0, 2),
    team_kill=st.booleans(),
    version=st.sampled_from((7, 8)),
    lua=st.sampled_from(("v1", "legacy")),
)
def test_round_two_is_differenced_and_reconciled(
    seed: int, end1: str, end2: str, pauses: int, team_kill: bool, version: int, lua: str
) -> None:
    r1 = simulate(seed, end=end1, pauses=pauses, team_kill=team_kill)
    r2 = simulate(seed + 1, end=end2, pauses=pauses, team_kill=team_kill, after=r1)
    with tempfile.TemporaryDirectory() as tmp:
        for tr, prior in ((r1, None), (r2, r1)):
            name, text = render_stats(tr, version=version, prior=prior)
            (Path(tmp) / name).write_text(text, encoding="utf-8")
            name, text = render_v1(tr) if lua == "v1" else render_legacy(tr, seed=seed)
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        report = reconcile(load_paths([tmp])[0])
    assert report.unmatched == ()
    (rnd2,) = [r for r in report.rounds if r.round == 2]
    assert rnd2.stats_r1 is not None
    assert rnd2.lua is not None
    conflicts = [
        (c.check, c.player_name, c.message)
        for c in report.comparisons()
        if c.verdict is Verdict.CONFLICT
    ]
    assert conflicts == []
    if lua == "v1":
        # the R2-only time played recovered from the cumulative file matches the truth
        played = {c.player: c for c in rnd2.comparisons if c.check == "time-played"}
        assert len(played) == len(r2.players)
        for p in r2.players:
            assert abs((played[p.guid[:8]].sources[0].value or 0) - r2.team_time(p)) <= 6.01
