"""The engine's fast paths build exactly what the public constructors and model properties give.

Result objects are built by sealed builders (:mod:`etstats._sealing`) and the internal
readings are plain ``attrs.define`` records: a wrong field order or class would break equality. Each
built object must equal (and print, hash and serialise like) the public constructor's object
made from its field values, and the readings' shortcuts (colour-code stripping only when a name
holds ``^``, weapon sums in one pass) must agree with the model's own properties.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
from tests.helpers import assert_built_equals_public, need

from etstats.model.stats import StatsRound
from etstats.parsing.gametimes import parse_any_gametimes
from etstats.reconciliation import load_paths
from etstats.reconciliation.adapters import stats_reading, v1_reading
from etstats.reconciliation.engine import ReconcilePlan
from etstats.testing.reconcile_truth import render_legacy, render_stats, render_v1, simulate


def _public(obj: Any) -> Any:
    """``obj`` rebuilt through its class's public ``__init__`` (nested attrs values too)."""
    if type(obj) is tuple:
        return tuple(_public(x) for x in obj)
    if isinstance(obj, tuple):  # a named tuple: its own constructor
        return type(obj)(*[_public(x) for x in obj])
    if not attrs.has(type(obj)):
        return obj
    return type(obj)(
        **{a.name: _public(getattr(obj, a.name)) for a in attrs.fields(type(obj)) if a.init}
    )


def _check_rounds(artifacts: list[Any]) -> int:
    n = 0
    for r in ReconcilePlan(artifacts).iter_rounds():
        assert_built_equals_public(r, _public(r))
        n += len(r.comparisons)
    return n


def test_synthetic_rounds_equal_their_public_construction(tmp_path: Path) -> None:
    for i, lua in enumerate(("v1", "legacy", "v1", "none")):
        tr = simulate(
            i,
            pauses=i % 3,
            disconnect_dead=True,
            collision=i == 2,
            quiet=i == 1,
            map_name=f"m{i}",
            start_unix=1_770_000_000 + 9000 * i,
        )
        r2 = simulate(i + 50, pauses=1, team_kill=True, after=tr)
        for j, (t, prior) in enumerate(((tr, None), (r2, tr))):
            files = [render_stats(t, version=7 + i % 2, prior=prior)]
            if lua == "v1":
                files.append(render_v1(t))
            elif lua == "legacy":
                files.append(render_legacy(t, seed=i + j))
            for name, text in files:
                (tmp_path / name).write_text(text, encoding="utf-8")
    artifacts, problems = load_paths([tmp_path])
    assert problems == []
    assert _check_rounds(artifacts) > 300


def test_real_rounds_equal_their_public_construction(real_stats_dir: Path) -> None:
    need(real_stats_dir.is_dir(), "real stats corpus not present")
    artifacts, _ = load_paths([real_stats_dir])
    assert _check_rounds(artifacts) > 1000


def test_stats_reading_shortcuts_match_the_model(real_stats_dir: Path) -> None:
    need(real_stats_dir.is_dir(), "real stats corpus not present")
    artifacts, _ = load_paths([real_stats_dir])
    rounds: list[StatsRound] = [a.stats for a in artifacts if a.kind == "stats"]
    coloured = 0
    for rnd in rounds:
        reading = stats_reading(rnd, raw=rnd)  # raw: the cumulative-value branch too
        for p, sp in zip(rnd.players, reading.players, strict=True):
            assert_built_equals_public(sp, _public(sp))
            coloured += "^" in p.raw_name
            assert (sp.key, sp.name, sp.bot) == (p.guid.upper(), p.name, p.is_bot)
            assert (sp.kills, sp.weapon_deaths) == (p.kills, p.deaths)
            assert (sp.raw_kills, sp.raw_deaths) == (p.kills, p.deaths)
    assert coloured > 0  # the colour-stripping branch was exercised


def test_v1_reading_equals_its_public_construction() -> None:
    g = parse_any_gametimes(render_v1(simulate(7, pauses=2, disconnect_dead=True))[1])
    reading = v1_reading(g, name="g.json")  # type: ignore[arg-type]
    assert_built_equals_public(reading, _public(reading))
    for p, lp in zip(g.players, reading.players, strict=True):  # type: ignore[union-attr]
        assert lp.name == p.clean_name
