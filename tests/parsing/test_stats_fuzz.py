"""Any input to the stats parser either parses or raises ParseError - never anything else."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import assert_deliberate

from etstats.errors import ParseError
from etstats.model.stats import StatsRound
from etstats.parsing.stats_file import parse_stats_bytes, parse_stats_text
from etstats.render.stats_file import render_stats_bytes
from etstats.serde import to_json
from etstats.testing.strategies import stats_rounds

# every test with the stats parser's fast paths and without
pytestmark = [pytest.mark.property, pytest.mark.usefixtures("parser_mode")]

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "stats" / "valid"
REAL = Path(__file__).resolve().parents[3] / "shared" / "real_stats" / "c0rnp0rn"
SEEDS: list[bytes] = [p.read_bytes() for p in sorted(GOLDEN.glob("*.txt"))] + [
    p.read_bytes() for p in sorted(REAL.glob("*.txt"))[::20]
]


def _check(outcome: StatsRound) -> None:
    # a parsed round must always serialise (no NaN, no surrogates) and keep its findings
    json.loads(to_json(outcome))


def _parse_and_check(parse: Callable[..., StatsRound], data: bytes | str) -> None:
    """Parse ``data``; a round must serialise, an error must be a deliberate ParseError."""
    try:
        rnd = parse(data, source="fuzz.txt")
    except ParseError as exc:
        assert_deliberate(exc)
    else:
        _check(rnd)


def _parse_bytes(data: bytes) -> None:
    _parse_and_check(parse_stats_bytes, data)


def _parse_text(text: str) -> None:
    _parse_and_check(parse_stats_text, text)


@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    _parse_bytes(data)


@given(st.text(max_size=2000))
def test_arbitrary_text(text: str) -> None:
    _parse_text(text)


_ALPHABET = st.sampled_from(list("\\\t\n\r :.-+0123456789 ^aZé\x00\x85\u2028"))


@st.composite
def _mutated(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    data = bytearray(draw(base))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "truncate", "dup-line"]))
        pos = draw(st.integers(0, max(len(data), 1) - 1)) if data else 0
        if op == "insert":
            data[pos:pos] = draw(_ALPHABET).encode("utf-8")
        elif op == "delete" and data:
            del data[pos : pos + draw(st.integers(1, 10))]
        elif op == "replace" and data:
            data[pos : pos + 1] = draw(st.binary(min_size=1, max_size=3))
        elif op == "truncate":
            del data[pos:]
        else:
            lines = bytes(data).split(b"\n")
            k = draw(st.integers(0, len(lines) - 1))
            lines.insert(k, lines[k])
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@given(_mutated(st.sampled_from(SEEDS) if SEEDS else st.just(b"a\\b\\c\\1\\1\\1\\1:00\\1:00\n")))
def test_mutated_real_and_golden_files(data: bytes) -> None:
    _parse_bytes(data)


@given(_mutated(stats_rounds(max_players=4).map(render_stats_bytes)))
def test_mutated_rendered_files(data: bytes) -> None:
    _parse_bytes(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    _parse_text(text)
