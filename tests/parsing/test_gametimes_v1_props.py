"""Property tests for the gametimes v1 parser: round trips and 'only ParseError' on any input."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import assert_deliberate, parse_errors_allowed

from etstats.errors import ParseError
from etstats.model.gametimes import Gametimes
from etstats.parsing.gametimes import parse_any_gametimes, parse_gametimes_bytes
from etstats.serde import to_builtins, to_json
from etstats.testing.gametimes_strategies import gametimes

pytestmark = pytest.mark.property


@given(gametimes())
def test_render_then_parse_gives_the_same_model(model: Gametimes) -> None:
    assert parse_gametimes_bytes(to_json(model).encode("utf-8")) == model


@given(gametimes())
def test_dispatcher_reads_versioned_files_as_v1(model: Gametimes) -> None:
    assert parse_any_gametimes(to_json(model)) == model


@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_parse_error(data: bytes) -> None:
    with parse_errors_allowed():
        parse_gametimes_bytes(data)


@given(gametimes(), st.data())
def test_corrupted_documents_raise_only_parse_error(model: Gametimes, data: st.DataObject) -> None:
    doc = to_builtins(model)
    key = data.draw(st.sampled_from(sorted(doc)))
    doc[key] = data.draw(
        st.none() | st.integers() | st.text(max_size=5) | st.booleans() | st.just([]) | st.just({})
    )
    try:
        result = parse_gametimes_bytes(json.dumps(doc).encode())
    except ParseError as exc:
        assert_deliberate(exc)
        return
    assert isinstance(result, Gametimes)
