"""The gametimes v1 fast path against its oracle, the strict cattrs path.

:func:`etstats.parsing.gametimes.parse_gametimes_obj` first tries the hand-written structurer
(:mod:`etstats.parsing._gametimes_fast`) and falls back to cattrs for anything it does not
vouch for. So it must never accept a document cattrs rejects, must build the very same model
(same classes, same enum members) when it accepts, and must accept every valid document (or
the speed is lost). Valid documents come from the public strategies and the truth simulator;
corruptions put a wrong JSON type at a random path, drop or add keys, put a bool or a float
where an integer goes, or break a GUID, an enum value or a non-negative count.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import examples

from etstats.errors import ParseError
from etstats.model.gametimes import ClosedBy, Emit, EndReason, Gametimes, KillKind
from etstats.parsing import gametimes as gt
from etstats.parsing._gametimes_fast import NotFast, fast_gametimes
from etstats.serde import to_builtins
from etstats.testing.gametimes_strategies import gametimes, guids
from etstats.testing.reconcile_truth import build_v1, simulate

pytestmark = pytest.mark.property

Path = tuple[str | int, ...]


def _oracle(doc: object) -> Gametimes | ParseError:
    """What the parser did before the fast path: the version check, then cattrs."""
    try:
        gt._check_version(doc, "<json>")
        return gt._structure_checked(doc, "<json>")
    except ParseError as exc:
        return exc


def _public(doc: object) -> Gametimes | ParseError:
    try:
        return gt.parse_gametimes_obj(doc)
    except ParseError as exc:
        return exc


def _fast(doc: object) -> Gametimes | None:
    """The fast path's own answer: a model, or ``None`` when it hands over to cattrs."""
    try:
        return fast_gametimes(doc)
    except (NotFast, KeyError, TypeError):
        return None


def _identical(a: object, b: object) -> bool:
    """Equal, and of the same class all the way down (``Emit.SHUTDOWN == "shutdown"`` too,
    but only the enum member is right)."""
    if type(a) is not type(b):
        return False
    if attrs.has(type(a)):
        return all(
            _identical(getattr(a, f.name), getattr(b, f.name))
            for f in attrs.fields(type(a))  # type: ignore[arg-type]
        )
    if isinstance(a, tuple):
        assert isinstance(b, tuple)
        return len(a) == len(b) and all(map(_identical, a, b))
    return a == b


def _error_view(exc: ParseError) -> tuple[object, ...]:
    return (type(exc), str(exc), exc.reason, getattr(exc, "problems", None), exc.source)


def _assert_same_outcome(doc: object) -> None:
    oracle, public, fast = _oracle(doc), _public(doc), _fast(doc)
    if isinstance(oracle, ParseError):
        assert fast is None, "the fast path accepted a document cattrs rejects"
        assert isinstance(public, ParseError)
        assert _error_view(public) == _error_view(oracle)
    else:
        assert not isinstance(public, ParseError)
        assert _identical(public, oracle)
        if fast is not None:
            assert _identical(fast, oracle)


def _paths(value: Any, here: Path = ()) -> list[Path]:
    """Every path to a value inside ``value`` (object keys and array indices)."""
    out: list[Path] = []
    if isinstance(value, dict):
        for key, child in value.items():
            out.append((*here, key))
            out += _paths(child, (*here, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out.append((*here, i))
            out += _paths(child, (*here, i))
    return out


def _containers(value: Any, here: Path = ()) -> list[Path]:
    """Every path to an object (where a key can be added)."""
    if isinstance(value, dict):
        out = [here]
        for key, child in value.items():
            out += _containers(child, (*here, key))
        return out
    if isinstance(value, list):
        return [p for i, child in enumerate(value) for p in _containers(child, (*here, i))]
    return []


def _at(doc: Any, path: Path) -> Any:
    for step in path:
        doc = doc[step]
    return doc


_ENUM_VALUES = [m.value for e in (Emit, EndReason, KillKind, ClosedBy) for m in e]
_JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-3, 3)
    | st.integers(-5, 5).map(float)  # 3.0 where an integer goes
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | st.sampled_from(_ENUM_VALUES)
    | guids
    | guids.map(str.lower)
    | guids.map(lambda g: g[:31])
)
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=4,
)


@st.composite
def corrupted(draw: st.DrawFn) -> object:
    """A valid document with one to three corruptions."""
    doc: Any = to_builtins(draw(gametimes()))
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(("replace", "drop", "add", "replace")))
        if how == "add":
            where = _at(doc, draw(st.sampled_from(_containers(doc))))
            where[draw(st.text(max_size=12))] = draw(_JSON_VALUES)
            continue
        path = draw(st.sampled_from(_paths(doc)))
        parent = _at(doc, path[:-1])
        if how == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(_JSON_VALUES)
        if not _paths(doc):
            break
    return doc


@given(gametimes())
def test_every_valid_document_takes_the_fast_path_to_the_same_model(model: Gametimes) -> None:
    doc = json.loads(json.dumps(to_builtins(model)))
    fast = _fast(doc)
    assert fast is not None
    assert _identical(fast, _oracle(doc))
    assert _identical(fast, model)


@given(corrupted())
def test_corrupted_documents_give_the_oracles_model_or_error(doc: object) -> None:
    _assert_same_outcome(doc)


@given(st.integers(0, 2**32), st.booleans(), st.sampled_from(("objective", "surrender")))
def test_simulated_rounds_take_the_fast_path(seed: int, pauses: bool, end: str) -> None:
    doc = to_builtins(build_v1(simulate(seed, pauses=int(pauses), end=end, late_join=pauses)))
    fast = _fast(doc)
    assert fast is not None
    assert _identical(fast, _oracle(doc))


@pytest.mark.parametrize(
    "doc",
    [
        None,
        [],
        {},
        {"schema_version": True},
        {"schema_version": 1},
        {"schema_version": 1.0},
    ],
)
def test_degenerate_documents_give_the_oracles_error(doc: object) -> None:
    _assert_same_outcome(doc)


def test_a_missing_deaths_detail_is_the_default_on_both_paths() -> None:
    doc: Any = to_builtins(build_v1(simulate(7)))
    del doc["players"][0]["deaths_detail"]
    assert _fast(doc) is not None
    _assert_same_outcome(doc)
    assert gt.parse_gametimes_obj(doc).players[0].deaths_detail == ()


_BAD_VALUES: tuple[object, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1.0,
    2**40,
    "",
    "x",
    "0123456789ABCDEF0123456789ABCDEF",
    "0123456789abcdef0123456789abcdef",
    "0123456789ABCDEF0123456789ABCDE",
    [],
    [{}],
    {},
    *(next(iter(e)).value for e in (Emit, EndReason, KillKind, ClosedBy)),
)
"""What every value in turn is replaced by: each JSON type, bools and floats for integers,
negative and 64-bit-ish integers, good and bad GUIDs, a value of each enum."""


def _schema_paths(doc: Any) -> list[Path]:
    """One path per distinct place in the schema (array items: only the first)."""
    seen: set[tuple[object, ...]] = set()
    out: list[Path] = []
    for path in _paths(doc):
        shape = tuple("[]" if isinstance(step, int) else step for step in path)
        if shape not in seen and all(s == 0 for s in path if isinstance(s, int)):
            seen.add(shape)
            out.append(path)
    return out


def _rich_document() -> Any:
    """A simulated round with pauses, a surrender, GUID and GUID-less kills, late joiners."""
    doc: Any = to_builtins(build_v1(simulate(11, pauses=1, end="surrender", late_join=True)))
    doc["warmup_ms"], doc["end"]["surrender_caller_guid"] = 5000, "0123456789ABCDEF" * 2
    del doc["players"][2:]  # small: it is copied for each of about 1,500 corruptions
    first = doc["players"][0]["deaths_detail"]
    first[:] = [dict(first[0], killer_guid=None), dict(first[0], killer_guid="AB" * 16)]
    return doc


def test_every_single_corruption_of_every_field_gives_the_oracles_outcome() -> None:
    """Exhaustive, not sampled: every field of the schema gets every bad value, every object
    loses each of its keys, has each renamed, and gains an unknown one."""
    base = _rich_document()
    assert _fast(base) is not None
    checked = 0
    for path in _schema_paths(base):
        for bad in _BAD_VALUES:
            doc = json.loads(json.dumps(base))
            _at(doc, path[:-1])[path[-1]] = bad
            _assert_same_outcome(doc)
            checked += 1
        doc = json.loads(json.dumps(base))
        parent = _at(doc, path[:-1])
        value = parent.pop(path[-1])
        _assert_same_outcome(doc)
        if isinstance(parent, dict):  # renamed: the same number of keys, one unknown
            parent["unknown"] = value
            _assert_same_outcome(doc)
    for path in {tuple(p[:-1]) for p in _schema_paths(base)}:
        doc = json.loads(json.dumps(base))
        if isinstance(_at(doc, path), dict):
            _at(doc, path)["unknown"] = 1
            _assert_same_outcome(doc)
    assert checked > 1000  # every schema place was reached


def test_the_property_runs_enough_examples() -> None:
    assert examples(100) > 0  # the profile in force still runs the properties above
