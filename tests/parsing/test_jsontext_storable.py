"""The storable check's text pre-check (:func:`etstats.parsing.jsontext.check_storable_text`)
decides exactly as the walk over every value (:func:`check_storable`) does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from etstats.errors import ParseError
from etstats.parsing.jsontext import INT64_MAX, check_storable, check_storable_text, load_json

pytestmark = pytest.mark.property

# integers near the 64-bit edges and strings with lone surrogates: what the walk rejects
_edgy_ints = st.integers(-(2**64), 2**64) | st.sampled_from(
    [INT64_MAX, INT64_MAX + 1, -INT64_MAX - 1, -INT64_MAX - 2, 10**18 - 1, 10**18]
)
_texts = st.text(st.characters(codec=None, exclude_categories=()), max_size=6) | st.sampled_from(
    ["\ud800", "a\udfff", "\\ud800", "é\udc00"]
)
_values = st.recursive(
    st.none() | st.booleans() | _edgy_ints | st.floats(allow_nan=False) | _texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_texts, inner, max_size=3),
    max_leaves=12,
)


def _outcome(check: Any, *args: Any) -> str | None:
    try:
        check(*args, source="s")
    except ParseError as exc:
        return str(exc)
    return None


@given(_values, st.booleans())
@example(INT64_MAX + 1, True)
@example(["\ud800"], True)
@example({"\udc00": 1}, False)
@example(1.0e19, True)  # a long float: the pre-check says maybe, the walk says fine
def test_the_pre_check_decides_as_the_walk(value: Any, ensure_ascii: bool) -> None:
    text = json.dumps(value, ensure_ascii=ensure_ascii)
    assert _outcome(check_storable_text, value, text) == _outcome(check_storable, value)


def test_load_json_still_rejects_what_no_store_holds() -> None:
    with pytest.raises(ParseError, match="64-bit"):
        load_json(b'{"a": [1, 9223372036854775808]}', storable=True)
    with pytest.raises(ParseError, match="surrogate"):
        load_json(b'{"a": "\\ud800"}', storable=True)
    assert load_json(b'{"a": 9223372036854775807, "b": "\\u00e9"}', storable=True) == {
        "a": 2**63 - 1,
        "b": "é",
    }
    # a BOM inside the text (after the one decoding removes) is refused as json.loads does
    with pytest.raises(ParseError, match="BOM"):
        load_json("\ufeff{}")


def _load_outcome(data: bytes) -> str | None:
    try:
        load_json(data, source="s", storable=True)
    except ParseError as exc:
        return str(exc)
    return None


@given(_values, st.booleans(), st.booleans())
@example(INT64_MAX + 1, True, True)
@example(["\ud800"], True, False)
def test_load_json_of_bytes_decides_as_the_walk(value: Any, ensure_ascii: bool, bom: bool) -> None:
    """``load_json`` checks the bytes it was given (not the text re-encoded): same verdict."""
    try:
        data = json.dumps(value, ensure_ascii=ensure_ascii, allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:  # a raw lone surrogate is no UTF-8 text
        data = json.dumps(value, allow_nan=False).encode("utf-8")
    except ValueError:  # an infinite float: no JSON at all
        assume(False)
        return
    if bom:
        data = b"\xef\xbb\xbf" + data
    assert _load_outcome(data) == _outcome(check_storable, value)
