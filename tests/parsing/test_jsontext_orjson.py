"""The orjson fast path of :func:`etstats.parsing.jsontext.load_json` changes nothing.

``load_json`` takes orjson's value only for a text without a 19-digit run; any text orjson
refuses goes to the strict stdlib decoder, which words the error as before. So it is enough
that, on such texts, orjson never accepts what the stdlib decoder refuses (or what no store
holds) and reads the rest to the same value: same types, same floats (sign of zero too), same
key order.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from etstats.errors import ParseError
from etstats.parsing.jsontext import check_storable, load_json

pytestmark = pytest.mark.property

_number = st.from_regex(
    r"-?(0|[1-9][0-9]{0,22})(\.[0-9]{1,22})?([eE][+-]?[0-9]{1,4})?", fullmatch=True
)
_string = st.text(max_size=8).map(lambda s: json.dumps(s, ensure_ascii=False)) | st.sampled_from(
    ['"\\ud800"', '"\\udc00x"', '"\\ud83d\\ude00"', '"\\u0000"', '"a\x01"', '"\x7f"']
)
_atom = _number | _string | st.sampled_from(["true", "false", "null", "NaN", "-Infinity", "1e400"])
_texts = st.recursive(
    _atom,
    lambda inner: (
        st.lists(inner, max_size=3).map(lambda xs: "[" + ",".join(xs) + "]")
        | st.lists(st.tuples(_string, inner), max_size=3).map(
            lambda kv: "{" + ",".join(f"{k}: {v}" for k, v in kv) + "}"
        )
    ),
    max_leaves=10,
)


def _stdlib(data: bytes) -> tuple[str, Any]:
    """What the stdlib path of ``load_json(data, storable=True)`` gives: a value or an error."""
    try:
        value = json.loads(
            data.decode("utf-8-sig"),
            parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)),
            parse_float=lambda t: float(t) if abs(float(t)) != float("inf") else 1 / 0,
        )
        check_storable(value)
    except (ValueError, RecursionError, ZeroDivisionError, ParseError):
        return "error", None
    return "value", value


def _has_long_digit_run(data: bytes) -> bool:
    return b"0" * 19 in data.translate(bytes.maketrans(b"123456789", b"000000000"))


@given(_texts | st.binary(max_size=40).map(lambda b: b.decode("latin-1")))
@example("[1.7976931348623157e308, 2.2250738585072011e-308, 5e-324, -0.0, 0.1]")
@example('{"a": 1, "b": 2, "a": 2.5E+3}')  # a repeated key keeps its first place, last value
@example("18446744073709551615")
@example(" \t\r\n[]")
def test_orjson_accepts_only_what_the_stdlib_reads_and_reads_it_alike(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    if _has_long_digit_run(data):
        return  # load_json never asks orjson
    try:
        fast = orjson.loads(data)
    except orjson.JSONDecodeError:
        return  # load_json falls back to the stdlib decoder: the old result by construction
    outcome, slow = _stdlib(data)
    assert outcome == "value", text
    assert repr(fast) == repr(slow)  # same types, float bits, key order
    assert repr(load_json(data, storable=True)) == repr(slow)
    assert repr(load_json(text, storable=True)) == repr(slow)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"a": NaN}', "NaN is not valid JSON"),
        (b"[1e400]", "out of range"),
        (b"[1, 18446744073709551616]", "64-bit"),
        (b'"\\ud800"', "surrogate"),
        (b'{"a": 1,}', "Expecting property name enclosed in double quotes"),
        (b"\xff{}", "not UTF-8"),
    ],
)
def test_errors_are_still_worded_by_the_stdlib_decoder(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        load_json(data, source="f.json", storable=True)


def test_a_bom_is_still_accepted_in_bytes_and_refused_in_text() -> None:
    assert load_json(b'\xef\xbb\xbf{"a": [1, 2.5]}') == {"a": [1, 2.5]}
    with pytest.raises(ParseError, match="BOM"):
        load_json('\ufeff{"a": 1}')
