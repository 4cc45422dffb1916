"""Property tests: legacy gametimes and webhook bodies round-trip and never crash."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import assert_deliberate, parse_errors_allowed

from etstats.errors import ParseError
from etstats.model.legacy_gametimes import LegacyGametimes, WebhookRound
from etstats.parsing.gametimes import parse_any_gametimes
from etstats.parsing.legacy_gametimes import (
    parse_legacy_gametimes_bytes,
    parse_legacy_gametimes_data,
    parse_legacy_gametimes_text,
    parse_webhook_payload,
)
from etstats.render.legacy_gametimes import (
    render_legacy_gametimes,
    render_meta,
    render_webhook_json,
    render_webhook_payload,
)
from etstats.testing.legacy_strategies import legacy_gametimes, webhook_rounds

pytestmark = pytest.mark.property

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(webhook_rounds())
def test_webhook_body_round_trips_as_object_and_text(w: WebhookRound) -> None:
    assert parse_webhook_payload(render_webhook_payload(w)) == w
    assert parse_webhook_payload(render_webhook_json(w)) == w


@given(legacy_gametimes())
def test_gametimes_file_round_trips(g: LegacyGametimes) -> None:
    text = render_legacy_gametimes(g)
    assert parse_legacy_gametimes_text(text) == g
    assert parse_legacy_gametimes_bytes(text.encode("utf-8")) == g


@given(legacy_gametimes())
def test_payload_given_as_json_string_reads_the_same(g: LegacyGametimes) -> None:
    doc: dict[str, Any] = {"meta": render_meta(g.meta)}
    if g.payload is not None:
        doc["payload"] = render_webhook_json(g.payload)
    assert parse_legacy_gametimes_data(doc) == g


@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_parse_error(data: bytes) -> None:
    with parse_errors_allowed():
        parse_legacy_gametimes_bytes(data)


@given(st.text(max_size=300))
def test_arbitrary_text_raises_only_parse_error(text: str) -> None:
    with parse_errors_allowed():
        parse_legacy_gametimes_text(text)
    with parse_errors_allowed():
        parse_webhook_payload(text)


@given(json_values)
def test_arbitrary_json_values_raise_only_parse_error(value: object) -> None:
    for parse in (parse_legacy_gametimes_data, parse_webhook_payload):
        with parse_errors_allowed():
            parse(value)


def _paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _replace(node: Any, path: tuple[Any, ...], value: object) -> Any:
    if not path:
        return value
    node[path[0]] = _replace(node[path[0]], path[1:], value)
    return node


@given(legacy_gametimes(), st.data())
def test_mutated_valid_files_raise_only_parse_error(
    g: LegacyGametimes, data: st.DataObject
) -> None:
    doc = json.loads(render_legacy_gametimes(g))
    path = data.draw(st.sampled_from(_paths(doc)))
    mutated = _replace(doc, path, data.draw(json_values))
    try:
        result = parse_legacy_gametimes_data(mutated)
    except ParseError as exc:
        assert_deliberate(exc)
        return
    assert isinstance(result, LegacyGametimes)


@given(legacy_gametimes(), st.data())
def test_mutated_embed_values_become_findings_not_crashes(
    g: LegacyGametimes, data: st.DataObject
) -> None:
    if g.payload is None:
        return
    body = render_webhook_payload(g.payload)
    fields = body["embeds"][0]["fields"]
    if not fields:
        return
    i = data.draw(st.integers(0, len(fields) - 1))
    fields[i]["value"] = data.draw(st.text(max_size=40))
    result = parse_webhook_payload(body)  # a bad *value* is a finding, never an exception
    assert isinstance(result, WebhookRound)


@pytest.mark.parametrize("depth", [5000])
def test_deeply_nested_json_is_a_parse_error(depth: int) -> None:
    with pytest.raises(ParseError):
        parse_legacy_gametimes_text("[" * depth + "]" * depth)


def _outcome(parse: Callable[[], LegacyGametimes | object]) -> object:
    """The model with its ``eq=False`` parts (provenance, findings), or the error."""
    try:
        g = parse()
        assert isinstance(g, LegacyGametimes)
        return (g, g.provenance, g.findings, g.payload and g.payload.findings)
    except ParseError as exc:
        return (type(exc), str(exc), getattr(exc, "problems", None))


@given(legacy_gametimes(), st.data())
def test_the_dispatcher_reads_legacy_bytes_as_the_legacy_parser_does(
    g: LegacyGametimes, data: st.DataObject
) -> None:
    """``parse_any_gametimes`` decodes once and hands the value over: same model, same
    findings, same provenance hash, same errors as ``parse_legacy_gametimes_bytes``."""
    doc = json.loads(render_legacy_gametimes(g))
    if data.draw(st.booleans()):
        doc = _replace(doc, data.draw(st.sampled_from(_paths(doc))), data.draw(json_values))
    if isinstance(doc, dict) and "schema_version" in doc:
        return  # a versioned file: not the legacy parser's
    raw = json.dumps(doc).encode("utf-8")
    dispatched = _outcome(lambda: parse_any_gametimes(raw, source="f.json"))
    assert dispatched == _outcome(lambda: parse_legacy_gametimes_bytes(raw, source="f.json"))
