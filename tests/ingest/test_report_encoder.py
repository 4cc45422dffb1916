"""The ingest path's direct report encoder writes the same JSON text as the cattrs wire
format (``etstats.serde.to_json``), and the ingest reconciliation step (which compares only
the wanted round, and counts agreeing comparisons rather than building them) stores the lean
form of what the public ``reconcile()`` says of that round."""

from __future__ import annotations

import enum
import json
import math
import random
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import stored_projection

from etstats import serde
from etstats.ingest import report_encoder
from etstats.ingest.extract import parse_artifact
from etstats.ingest.reconcile_step import reconcile_round
from etstats.model.common import Finding, Severity
from etstats.reconciliation import LoadedArtifact, load_paths, reconcile
from etstats.reconciliation.model import (
    CauseAmount,
    Comparison,
    LeanReconciliation,
    PlayerLink,
    SourceValue,
    Verdict,
    lean_reconciliation,
)
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
        assert report_encoder.to_json(result) == serde.to_json(result)
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
        assert report_encoder.to_json(result) == serde.to_json(lean_reconciliation(same, {}))
        assert text == report_encoder.stored_report(lean_reconciliation(same, {}))
        assert json.loads(text) == stored_projection(json.loads(serde.to_json(result)))
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
    assert got[3] == report_encoder.stored_report(lean_reconciliation(same, {}))
    assert report_encoder.to_json(got[4]) == serde.to_json(lean_reconciliation(same, {}))


def _fields(obj: object) -> object:
    if attrs.has(type(obj)):
        return {name: getattr(obj, name) for name in attrs.fields_dict(type(obj))}  # type: ignore[arg-type]
    if isinstance(obj, enum.Enum):
        return obj.value
    raise TypeError(type(obj).__name__)


def _json_dumps(obj: object) -> str:
    """The reference: json.dumps with a hook writing each attrs object's fields."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, default=_fields)


def _odd_comparison(difference: float | None, bound: object, **kw: object) -> Comparison:
    sources = (
        SourceValue("stats:TAB[25]", 120.0, "s", raw="2.0 min", artifact='a "quoted"\tname'),
        SourceValue("lua:x", None, "count", artifact=None),
    )
    fields: dict[str, object] = {
        "check": "dead-time",
        "verdict": Verdict.CONFLICT,
        "rule": "TAB[25] <= TAB[22] \\ {braces} and ünïcode \u2028",
        "sources": sources,
        "difference": difference,
        "tolerance": 3.0,
        "bound": bound,
        "causes": (CauseAmount("pause-overlap", -0.0, 1e16, "line\nbreak"),),
        "player": "ABCDEF12",
        "player_name": "^1Red\x7f\x00",
        "message": "",
    }
    fields.update(kw)
    return Comparison(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "comparison",
    [
        _odd_comparison(-0.0, (-0.0, 0.0)),
        _odd_comparison(None, None),
        _odd_comparison(1e-07, (1, 2.5)),  # an int inside the float pair
        _odd_comparison(3, (0.1, 0.2, 0.3)),  # an int difference, three bounds
        _odd_comparison(2.5, [1.5, 2.5], tolerance=0, player=None, player_name=None),
        _odd_comparison(5e-324, (1e300, -1e-300), sources=[], causes=[]),
        _odd_comparison(0.1, (0.0, 0.0), player=Verdict.AGREE, check=Severity.INFO),
        # one, three, and a pair with a stranger: the inline cases and the fallbacks
        _odd_comparison(
            1.0,
            None,
            sources=(SourceValue("a", 1.0, "s"),),
            causes=(CauseAmount("x", 0.0, 1.0, "e"),) * 3,
        ),
        _odd_comparison(1.0, None, sources=(SourceValue("a", 1.0, "s"), "not a source")),
        _odd_comparison(1.0, None, sources=("not a source", SourceValue("a", 1.0, "s"))),
    ],
)
def test_same_text_as_cattrs_on_odd_values(comparison: Comparison) -> None:
    """Values of unexpected types or edge values take the writers' slow paths: the text is
    still exactly what json.dumps writes for the objects' fields (the previous encoder)."""
    link = PlayerLink("ABCDEF12", ("a", "b\u00e9"), None, True, False, False, False, False, None)
    rnd = LeanReconciliation(
        map="supply",
        round=2,
        stats_time="2026-01-01T01:00:00",
        link_lag_seconds=-0.0,
        players=(link,),
        comparisons=(comparison,),
        findings=(Finding("x", Severity.WARNING, "m", line=3),),
        check_counts={"dead-time": {"agree": 0, "conflict": 1}, "roster": {}},
    )
    assert report_encoder.to_json(rnd) == _json_dumps(rnd)
    assert report_encoder.to_json(comparison) == _json_dumps(comparison)
    if all(isinstance(s, SourceValue) for s in comparison.sources):  # what the engine makes
        stored = report_encoder.stored_report(rnd)
        assert json.loads(stored) == stored_projection(json.loads(_json_dumps(rnd)))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_are_refused_like_json(bad: float) -> None:
    with pytest.raises(ValueError, match="JSON compliant"):
        report_encoder.to_json(_odd_comparison(bad, None))
    with pytest.raises(ValueError, match="JSON compliant"):
        report_encoder.to_json(_odd_comparison(0.0, (0.0, bad)))
    with pytest.raises(ValueError, match="JSON compliant"):  # in a dict (the C encoder's path)
        report_encoder.to_json({"check": {"agree": 1, "x": bad}})


def test_builtins_and_keys_like_json() -> None:
    value = {"a": [1, 2.5, None, True, False, "x"], 1: {}, 2.5: [], None: (), False: 0}
    assert report_encoder.to_json(value) == json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize(
    "check_counts",
    [
        {"dead-time": {"agree": 3, "tolerated": 0, "explained": 1, "conflict": 0}},
        {"a": {"agree": True, "conflict": 1}, "b": {"agree": 1.5}, "c": {}, "d": {1: 2}},
        {"%s %d": {"50%": 1, '"q"\n': 2}, "é\u2028": {"agree": -(2**70)}},
        {"x": {"agree": 1, "tolerated": 2}, "y": {"tolerated": 2, "agree": 1}},
        {"x": [1, 2], 3: {"agree": 1}, "z": {"agree": None}},
    ],
)
def test_count_rows_are_written_like_json(check_counts: dict[object, object]) -> None:
    """``check_counts`` (a dict of builtins, written by the C encoder in one call): bools,
    floats, ``None``, non-str keys, ``%`` and escapes in keys, and key orders come out as
    json.dumps writes them; so does a dict holding a model object (the Python path)."""
    rnd = LeanReconciliation(map="supply", round=1, check_counts=check_counts)  # type: ignore[arg-type]
    assert report_encoder.to_json(rnd) == _json_dumps(rnd)
    nested = {"a": check_counts, "b": (SourceValue("s", 1.0, "s"),), 1.5: [{"x": -0.0}]}
    assert report_encoder.to_json(nested) == _json_dumps(nested)


def test_remembered_string_texts_stay_right_past_the_cache_bound() -> None:
    """The bounded cache of string texts is emptied when full: texts written before, after
    and across that are still json.dumps's (and the cache never outgrows its bound)."""
    names = [f'file "{i}"\t\u00e9.txt' for i in range(report_encoder.TEXT_CACHE_SIZE + 50)]
    for name in names + names[:100]:
        sv = SourceValue("stats:TAB[25]", 1.0, "s", None, name)
        assert report_encoder.to_json(sv) == _json_dumps(sv)
    assert len(report_encoder._TEXTS) <= report_encoder.TEXT_CACHE_SIZE


class _Float(float):
    """A float subclass: written as json.dumps writes it (``float.__repr__``), never through
    its own ``__repr__`` (the writers' inline float text is for exact floats only)."""

    def __repr__(self) -> str:
        return "not a float text"


@pytest.mark.property
@given(
    values=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=7, max_size=7),
    subclassed=st.integers(min_value=-1, max_value=6),
    check=st.sampled_from(["dead-time", "kills"]),
)
def test_float_fields_are_written_like_json(
    values: list[float], subclassed: int, check: str
) -> None:
    """Every float field of a comparison (its sources' values, difference, tolerance, bound
    and cause range), any finite value, signed zeros and subnormals included, and one of
    them a float subclass: the text is json.dumps's; the stored form (B) says what the lean
    form says of every key it keeps."""
    v = [_Float(x) if i == subclassed else x for i, x in enumerate(values)]
    comparison = Comparison(
        check=check,
        verdict=Verdict.EXPLAINED,
        rule="r",
        sources=(SourceValue("a", v[0], "s"), SourceValue("b", v[1], "s")),
        difference=v[2],
        tolerance=v[3],
        bound=(v[4], v[5]),
        causes=(CauseAmount("pause-overlap", v[6], v[0], "e"),),
    )
    rnd = LeanReconciliation(map="supply", round=1, comparisons=(comparison,))
    assert report_encoder.to_json(rnd) == _json_dumps(rnd)
    assert report_encoder.to_json(comparison) == _json_dumps(comparison)
    stored = report_encoder.stored_report(rnd)
    assert json.loads(stored) == stored_projection(json.loads(_json_dumps(rnd)))
