"""Legacy gametimes files: values, structure errors and findings a consumer relies on."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import DATA as TEST_DATA

from etstats.errors import ParseError, ValidationError
from etstats.model.legacy_gametimes import LegacyGametimes, PauseEvent, SpawnSummary, TeamMember
from etstats.parsing.legacy_gametimes import (
    parse_legacy_filename,
    parse_legacy_gametimes_bytes,
    parse_legacy_gametimes_data,
    parse_legacy_gametimes_file,
    parse_webhook_payload,
)

DATA = TEST_DATA / "gametimes_legacy"
EXAMPLE = DATA / "gametime-supply-R1-1770843722.json"


@pytest.fixture
def doc() -> dict[str, Any]:
    """The spec's complete example (v1.7.2), as decoded JSON to modify per test."""
    return copy.deepcopy(json.loads(EXAMPLE.read_text(encoding="utf-8")))


def fields(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["payload"]["embeds"][0]["fields"]  # type: ignore[no-any-return]


def set_field(doc: dict[str, Any], name: str, value: str) -> None:
    for f in fields(doc):
        if f["name"] == name:
            f["value"] = value
            return
    fields(doc).append({"name": name, "value": value, "inline": True})


def set_footer(doc: dict[str, Any], text: str | None) -> None:
    embed = doc["payload"]["embeds"][0]
    if text is None:
        embed.pop("footer", None)
    else:
        embed["footer"] = {"text": text}


def codes(g: LegacyGametimes) -> list[str]:
    return [f.code for f in g.findings]


def test_spec_example_reads_every_value() -> None:
    g = parse_legacy_gametimes_file(EXAMPLE)
    m, p = g.meta, g.payload
    assert (m.map, m.round, m.actual_duration_seconds, m.pause_seconds) == ("supply", 1, 610, 62)
    assert m.server_port == "27960"
    assert m.port == 27960
    assert m.match_id == "1770843722"
    assert m.wall_seconds == 672
    axis_two = m.spawn_stats[1]
    assert (axis_two.name, axis_two.deaths, axis_two.dead_seconds, axis_two.max_respawn) == (
        "AxisTwo",
        3,
        54,
        22,
    )
    assert p is not None
    assert p.version == (1, 7, 2)
    assert (p.winner, p.defender, p.end_reason) == (2, 1, "objective")
    assert p.timelimit_minutes == 12.0
    assert (p.pause_count, p.pause_seconds) == (1, 62)
    assert p.pauses == (PauseEvent(n=1, start_unix=1770843300, end_unix=1770843362, seconds=62),)
    assert p.axis is not None
    assert p.axis[0] == TeamMember(name="AxisOne", guid="A1B2C3D4E5F60718293A4B5C6D7E8F90")
    assert p.spawn_summary == SpawnSummary(players=4, spawns=14, avg_respawn=20, max_respawn=30)
    assert p.surrender_caller is None  # "" is "missing"
    assert g.provenance is not None
    assert g.provenance.file_timestamp == datetime(2026, 2, 11, 21, 2, 2, tzinfo=UTC)
    assert (g.provenance.file_map, g.provenance.file_round) == ("supply", 1)
    # A consistent HEAD file: only the (always true) warmup remark.
    assert codes(g) == ["legacy-warmup-meaningless"]


def test_fractional_round2_timelimit_is_kept(doc: dict[str, Any]) -> None:
    set_field(doc, "Lua_Timelimit", "7.35 min")
    g = parse_legacy_gametimes_data(doc)
    assert g.payload is not None
    assert g.payload.timelimit_minutes == pytest.approx(7.35)


def test_payload_may_be_a_json_string(doc: dict[str, Any]) -> None:
    as_object = parse_legacy_gametimes_data(copy.deepcopy(doc))
    doc["payload"] = json.dumps(doc["payload"])
    assert parse_legacy_gametimes_data(doc) == as_object


@pytest.mark.parametrize("placeholder", ["", "  ", "-", "n/a", "None", "\u200b"])
def test_placeholder_values_are_missing(doc: dict[str, Any], placeholder: str) -> None:
    set_field(doc, "Lua_EndReason", placeholder)
    set_field(doc, "Lua_Playtime", placeholder)
    g = parse_legacy_gametimes_data(doc)
    assert g.payload is not None
    assert g.payload.end_reason is None
    assert g.payload.playtime_seconds is None
    assert "legacy-bad-field-value" not in codes(g)


def test_escaped_quotes_in_names_are_decoded_once(doc: dict[str, Any]) -> None:
    team = [{"guid": "A" * 32, "name": 'say "hi"'}, {"guid": "B" * 32, "name": "back\\slash"}]
    set_field(doc, "Axis_JSON", json.dumps(team))
    g = parse_legacy_gametimes_data(doc)
    assert g.payload is not None
    assert g.payload.axis == (
        TeamMember(name='say "hi"', guid="A" * 32),
        TeamMember(name="back\\slash", guid="B" * 32),
    )


def test_old_v1_field_names_are_accepted() -> None:
    body = {
        "username": "ET:Legacy Stats",
        "content": "STATS_READY",
        "embeds": [
            {
                "fields": [
                    {"name": "Map", "value": "goldrush"},
                    {"name": "Round", "value": "2"},
                    {"name": "Duration", "value": "540 sec"},
                    {"name": "Time Limit", "value": "9.5 min"},
                    {"name": "Pauses", "value": "2 (30 sec)"},
                    {"name": "End Reason", "value": "surrender"},
                    {"name": "Start Unix", "value": "1700000000"},
                    {"name": "End Unix", "value": "1700000570"},
                    {"name": "Axis", "value": "alpha, bravo"},
                    {"name": "Allies", "value": "charlie"},
                ]
            }
        ],
    }
    w = parse_webhook_payload(body)
    assert (w.map, w.round, w.playtime_seconds, w.timelimit_minutes) == ("goldrush", 2, 540, 9.5)
    assert (w.pause_count, w.pause_seconds, w.end_reason) == (2, 30, "surrender")
    assert (w.round_start_unix, w.round_end_unix) == (1700000000, 1700000570)
    assert w.axis == (TeamMember("alpha"), TeamMember("bravo"))
    assert w.allies == (TeamMember("charlie"),)
    assert w.version is None
    assert w.findings == ()


def test_structural_problems_are_listed_with_json_paths(doc: dict[str, Any]) -> None:
    del doc["meta"]["round"]
    doc["meta"]["pause_count"] = "1"
    doc["payload"]["embeds"][0]["fields"][0]["value"] = 5
    with pytest.raises(ValidationError) as info:
        parse_legacy_gametimes_data(doc, source="x.json")
    assert set(info.value.problems) == {
        "required field missing @ $.meta.round",
        "expected an integer, got string @ $.meta.pause_count",
        "expected a string, got number @ $.payload.embeds[0].fields[0].value",
    }
    assert info.value.source == "x.json"


def test_spawn_entries_off_the_common_path_keep_their_paths(doc: dict[str, Any]) -> None:
    """Spawn entries are read on a fast path when every value has its exact type; anything
    else (an integral float, a boolean, a missing key, not an object) takes the typed readers,
    which accept integral floats and name every problem by its path."""
    first = copy.deepcopy(doc["meta"]["spawn_stats"][0])
    as_floats = {k: float(v) if type(v) is int else v for k, v in first.items()}
    doc["meta"]["spawn_stats"] = [first, as_floats]
    a, b = parse_legacy_gametimes_data(copy.deepcopy(doc)).meta.spawn_stats
    assert a == b
    assert type(b.spawns) is int
    doc["meta"]["spawn_stats"] = [dict(first, deaths=True), {"guid": "X"}, 7]
    with pytest.raises(ValidationError) as info:
        parse_legacy_gametimes_data(doc, source="x.json")
    assert set(info.value.problems) == {
        "expected an integer, got boolean @ $.meta.spawn_stats[0].deaths",
        "required field missing @ $.meta.spawn_stats[1].name",
        *(
            f"required field missing @ $.meta.spawn_stats[1].{k}"
            for k in ("spawns", "deaths", "dead_seconds", "avg_respawn", "max_respawn")
        ),
        "expected an object, got number @ $.meta.spawn_stats[2]",
    }


@pytest.mark.parametrize(("data", "column"), [(b'{"meta": \xff}', 10), (b"{", None)])
def test_unreadable_bytes_are_parse_errors(data: bytes, column: int | None) -> None:
    with pytest.raises(ParseError) as info:
        parse_legacy_gametimes_bytes(data, source="bad.json")
    assert info.value.source == "bad.json"
    if column is not None:
        assert info.value.column == column


def test_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError):
        parse_legacy_gametimes_file(tmp_path / "gametime-x-R1-1.json")


def test_bad_field_value_becomes_an_error_finding(doc: dict[str, Any]) -> None:
    set_field(doc, "Lua_RoundEnd", "soon")
    set_field(doc, "Allies_JSON", '[{"guid": "x"')
    g = parse_legacy_gametimes_data(doc)
    assert g.payload is not None
    assert g.payload.round_end_unix is None
    assert g.payload.allies is None
    bad = [f for f in g.findings if f.code == "legacy-bad-field-value"]
    assert [f.field for f in bad] == ["Lua_RoundEnd", "Allies_JSON"]
    assert all(f.severity == "error" for f in bad)


@pytest.mark.parametrize("version", ["1.6.0", "1.6.1", "1.6.2"])
def test_clock_mixing_versions_flag_every_spawn_stat(doc: dict[str, Any], version: str) -> None:
    set_footer(doc, f"Slomix Lua Webhook v{version}")
    g = parse_legacy_gametimes_data(doc)
    flagged = [f.player_guid for f in g.findings if f.code == "legacy-clock-mixing"]
    assert flagged == [s.guid for s in g.meta.spawn_stats]


def test_fixed_version_has_no_clock_mixing(doc: dict[str, Any]) -> None:
    set_footer(doc, "Slomix Lua Webhook v1.6.3")
    assert "legacy-clock-mixing" not in codes(parse_legacy_gametimes_data(doc))


def _degenerate(doc: dict[str, Any]) -> None:
    # The clock-mixing signature: respawned after every death, yet no interval was closed.
    doc["meta"]["spawn_stats"][0].update(
        spawns=5, deaths=4, dead_seconds=95, avg_respawn=23, max_respawn=0
    )


def test_clock_mixing_is_detected_from_the_data_when_version_unknown(doc: dict[str, Any]) -> None:
    set_footer(doc, None)
    _degenerate(doc)
    g = parse_legacy_gametimes_data(doc)
    mixed = [f for f in g.findings if f.code == "legacy-clock-mixing"]
    assert [f.player_guid for f in mixed] == ["A1B2C3D4E5F60718293A4B5C6D7E8F90"]
    assert "deaths x (max_respawn + 1)" in mixed[0].message


def test_dead_longer_than_the_round_is_flagged(doc: dict[str, Any]) -> None:
    set_footer(doc, None)
    doc["meta"]["spawn_stats"][1].update(dead_seconds=5000, avg_respawn=1666)
    g = parse_legacy_gametimes_data(doc)
    assert [f.player_guid for f in g.findings if f.code == "legacy-clock-mixing"] == [
        "0F1E2D3C4B5A69788796A5B4C3D2E1F0"
    ]


def test_impossible_stats_in_a_fixed_version_are_implausible(doc: dict[str, Any]) -> None:
    _degenerate(doc)
    g = parse_legacy_gametimes_data(doc)
    assert "legacy-clock-mixing" not in codes(g)
    assert "legacy-spawn-implausible" in codes(g)


def test_avg_respawn_must_match_dead_over_deaths(doc: dict[str, Any]) -> None:
    doc["meta"]["spawn_stats"][0]["avg_respawn"] = 25
    g = parse_legacy_gametimes_data(doc)
    (f,) = [f for f in g.findings if f.code == "legacy-avg-respawn-mismatch"]
    assert (f.expected, f.actual) == ("20", "25")
    assert "legacy-spawn-summary-mismatch" not in codes(g)


def test_spawn_summary_must_match_spawn_stats(doc: dict[str, Any]) -> None:
    set_field(doc, "Lua_SpawnSummary", "Players:4 | Spawns:15 | AvgRespawn:20s | MaxRespawn:30s")
    assert "legacy-spawn-summary-mismatch" in codes(parse_legacy_gametimes_data(doc))


@pytest.mark.parametrize(
    ("meta_key", "value"),
    [
        ("map", "supply_b"),
        ("round", 2),
        ("round_start_unix", 1770843051),
        ("round_end_unix", 1770843723),
        ("actual_duration_seconds", 611),
    ],
)
def test_meta_and_payload_disagreements(doc: dict[str, Any], meta_key: str, value: object) -> None:
    doc["meta"][meta_key] = value
    g = parse_legacy_gametimes_data(doc)
    mismatched = [f.field for f in g.findings if f.code == "legacy-meta-payload-mismatch"]
    assert mismatched == [meta_key]


def test_duration_over_timelimit_is_flagged(doc: dict[str, Any]) -> None:
    set_field(doc, "Lua_Timelimit", "10 min")
    set_field(doc, "Lua_Playtime", "610 sec")
    assert "legacy-duration-over-timelimit" in codes(parse_legacy_gametimes_data(doc))


def test_the_v162_cap_is_recognised(doc: dict[str, Any]) -> None:
    # Cap fired: start shifted by 45 s, duration set to the limit, excess added to warmup.
    set_field(doc, "Lua_Timelimit", "10 min")
    set_field(doc, "Lua_Playtime", "600 sec")
    set_field(doc, "Lua_Warmup", "10 sec")
    g = parse_legacy_gametimes_data(doc)
    (f,) = [f for f in g.findings if f.code == "legacy-duration-capped"]
    assert "610 s" in f.message


def test_round_zero_is_flagged(doc: dict[str, Any]) -> None:
    doc["meta"]["round"] = 0
    set_field(doc, "Round", "0")
    g = parse_legacy_gametimes_data(doc)
    assert codes(g).count("legacy-round-zero") == 2


def test_discord_limits(doc: dict[str, Any]) -> None:
    team = [{"guid": f"{i:032X}", "name": f"player{i}"} for i in range(17)]
    set_field(doc, "Axis_JSON", json.dumps(team))
    for i in range(5):
        set_field(doc, f"Extra{i}", "x")
    g = parse_legacy_gametimes_data(doc)
    limits = [f for f in g.findings if f.code == "legacy-discord-limit"]
    assert {f.expected for f in limits} == {"<= 25", "<= 1024"}
    assert g.payload is not None
    assert g.payload.axis is not None
    assert len(g.payload.axis) == 17  # the file kept what Discord would have refused
    assert codes(g).count("legacy-unknown-field") == 5


def test_content_must_be_stats_ready(doc: dict[str, Any]) -> None:
    doc["payload"]["content"] = "hello"
    assert "legacy-not-stats-ready" in codes(parse_legacy_gametimes_data(doc))


def test_file_without_payload(doc: dict[str, Any]) -> None:
    del doc["payload"]
    g = parse_legacy_gametimes_data(doc)
    assert g.payload is None
    assert g.version is None
    assert "legacy-no-payload" in codes(g)


def test_file_name_parts_and_mismatch(doc: dict[str, Any], tmp_path: Path) -> None:
    name = parse_legacy_filename("/x/gametime-te_escape2-fix-R2-1770843722.json")
    assert name is not None
    assert (name.map_name, name.round_number, name.timestamp_unix) == (
        "te_escape2-fix",
        2,
        1770843722,
    )
    assert parse_legacy_filename("gametime-supply-R1.json") is None
    path = tmp_path / "gametime-supply-R2-1770843722.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    g = parse_legacy_gametimes_file(path)
    assert [(f.code, f.field) for f in g.findings if f.code == "legacy-filename-mismatch"] == [
        ("legacy-filename-mismatch", "round")
    ]


def test_webhook_alone_carries_its_findings(doc: dict[str, Any]) -> None:
    set_field(doc, "Round", "0")
    w = parse_webhook_payload(json.dumps(doc["payload"]), source="msg")
    assert w.round == 0
    assert "legacy-round-zero" in [f.code for f in w.findings]
    assert all(f.source == "msg" for f in w.findings)


def test_payload_duration_must_match_its_own_clock(doc: dict[str, Any]) -> None:
    set_field(doc, "Lua_RoundStart", "1770843000")  # 50 s earlier than the play time allows
    g = parse_legacy_gametimes_data(doc)
    (f,) = [f for f in g.findings if f.code == "legacy-duration-inconsistent"]
    assert (f.field, f.expected, f.actual) == ("Lua_Playtime", "660", "610")


def test_summary_without_spawn_stats_is_a_mismatch(doc: dict[str, Any]) -> None:
    doc["meta"]["spawn_stats"] = []
    g = parse_legacy_gametimes_data(doc)
    (f,) = [f for f in g.findings if f.code == "legacy-spawn-summary-mismatch"]
    assert f.expected == "(0, 0, 0, 0)"


def test_raw_control_characters_of_old_scripts_are_read_with_a_warning() -> None:
    # Pre-v1.6.4 escaping: a name with a backspace byte was written raw into the JSON.
    text = EXAMPLE.read_text(encoding="utf-8").replace('"name": "AxisOne"', '"name": "Axis\bOne"')
    g = parse_legacy_gametimes_bytes(text.encode("utf-8"), source="old.json")
    assert g.meta.spawn_stats[0].name == "Axis\bOne"
    (f,) = [f for f in g.findings if f.code == "legacy-raw-control-chars"]
    assert f.severity == "warning"
    assert f.line is not None
    with pytest.raises(ParseError):  # other syntax errors stay errors
        parse_legacy_gametimes_bytes(text.encode("utf-8") + b",")
