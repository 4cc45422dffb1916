"""Every public parse function meets hostile input with ParseError or a result, nothing else.

The ParseError must be deliberate: not the stats parser's "internal parser error" catch-all and
not wrapping an internal exception (:func:`tests.helpers.assert_deliberate`).

The issue's list: binary, empty, 10 MB, NUL bytes; plus arbitrary bytes through Hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import assert_deliberate

import etstats
from etstats.errors import ParseError

# every test with the stats parser's fast paths and without
pytestmark = [pytest.mark.property, pytest.mark.usefixtures("parser_mode")]

PARSERS: dict[str, Callable[..., object]] = {
    "stats": etstats.parse_stats_bytes,
    "endstats": etstats.parse_endstats_bytes,
    "legacy-gametimes": etstats.parse_legacy_gametimes_bytes,
    "gametimes-v1": etstats.parse_gametimes_bytes,
    "any-gametimes": etstats.parse_any_gametimes,
}

HOSTILE: dict[str, bytes] = {
    "empty": b"",
    "nul-bytes": b"\x00" * 64,
    "binary": bytes(range(256)) * 4,
    "10-MB-of-A": b"A" * 10_000_000,
    "10-MB-of-lines": b"x\\y\tz\n" * 1_700_000,
    "truncated-utf8": "Zoë".encode()[:-1],
    "json-bomb-depth": b"[" * 100_000 + b"]" * 100_000,
    "bom-only": b"\xef\xbb\xbf",
}


def _call(parse: Callable[..., object], data: bytes) -> None:
    error: ParseError | None = None
    try:
        parse(data, source="hostile")
    except ParseError as exc:
        error = exc
    if error is not None:  # the error names the source it was given
        assert_deliberate(error)
        assert error.source == "hostile"
        assert str(error).startswith("hostile")


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("parser", sorted(PARSERS))
def test_hostile_inputs_raise_only_parse_error(parser: str, kind: str) -> None:
    _call(PARSERS[parser], HOSTILE[kind])


@pytest.mark.parametrize("parser", sorted(PARSERS))
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_raise_only_parse_error(parser: str, data: bytes) -> None:
    _call(PARSERS[parser], data)
