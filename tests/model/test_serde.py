"""The JSON wire format of the legacy gametimes models, on concrete values a consumer reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from etstats.errors import ParseError, ValidationError
from etstats.model.common import Finding, Provenance, Severity
from etstats.model.legacy_gametimes import LegacyGametimes, PauseEvent, WebhookRound
from etstats.parsing.legacy_gametimes import parse_legacy_gametimes_file
from etstats.serde import from_json, to_json

EXAMPLE = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "gametimes_legacy"
    / "gametime-supply-R1-1770843722.json"
)


@pytest.fixture(scope="module")
def parsed() -> LegacyGametimes:
    return parse_legacy_gametimes_file(EXAMPLE)


def test_parsed_file_survives_json_with_provenance_and_findings(parsed: LegacyGametimes) -> None:
    back = from_json(to_json(parsed), LegacyGametimes)
    assert back == parsed
    assert back.provenance == parsed.provenance
    assert back.findings == parsed.findings


def test_wire_values(parsed: LegacyGametimes) -> None:
    data = json.loads(to_json(parsed))
    assert data["meta"]["server_port"] == "27960"  # kept as the file's text
    assert data["payload"]["version"] == [1, 7, 2]
    assert data["payload"]["timelimit_minutes"] == 12.0
    assert data["payload"]["pauses"] == [
        {"n": 1, "start_unix": 1770843300, "end_unix": 1770843362, "seconds": 62.0}
    ]
    assert data["provenance"]["file_timestamp"] == "2026-02-11T21:02:02+00:00"  # aware UTC
    assert data["findings"][0]["severity"] == "info"  # enums by value


def test_naive_timestamps_stay_naive() -> None:
    prov = Provenance(sha256="0" * 64, size_bytes=1, file_timestamp=datetime(2026, 2, 11, 21, 2))
    back = from_json(to_json(prov), Provenance)
    assert back.file_timestamp is not None
    assert back.file_timestamp.tzinfo is None
    aware = Provenance(
        sha256="0" * 64, size_bytes=1, file_timestamp=datetime(2026, 2, 11, 21, 2, tzinfo=UTC)
    )
    assert from_json(to_json(aware), Provenance) == aware


def test_webhook_round_alone_keeps_its_findings() -> None:
    w = WebhookRound(
        round=0,
        pauses=(PauseEvent(1, 10, 20, 10.5),),
        findings=(Finding("legacy-round-zero", Severity.WARNING, "round 0"),),
    )
    back = from_json(to_json(w), WebhookRound)
    assert back == w
    assert back.findings == w.findings


def test_bad_json_reports_paths(parsed: LegacyGametimes) -> None:
    data = json.loads(to_json(parsed))
    data["meta"]["spawn_stats"][2]["deaths"] = "three"
    data["payload"]["version"] = [1, 7]
    with pytest.raises(ValidationError) as info:
        from_json(json.dumps(data), LegacyGametimes, source="api")
    joined = "; ".join(info.value.problems)
    assert "$.meta.spawn_stats[2].deaths" in joined
    assert "$.payload.version" in joined
    assert info.value.source == "api"


def test_invalid_json_text_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        from_json('{"meta": ', LegacyGametimes)
