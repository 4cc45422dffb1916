"""Unit tests for the gametimes v1 parser: the documented example, errors, dispatch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from etstats.errors import ParseError, ValidationError
from etstats.model.gametimes import ClosedBy, Emit, EndReason, KillKind
from etstats.parsing.gametimes import (
    parse_any_gametimes,
    parse_any_gametimes_file,
    parse_gametimes_bytes,
    parse_gametimes_file,
    parse_gametimes_filename,
    safe_map_name,
)

GUID_A = "A1B2C3D4E5F60718293A4B5C6D7E8F90"
GUID_B = "1C747DF1A037D2AFECCB6ED063DF44E7"


def example() -> dict[str, Any]:
    """The example of docs/formats/gametimes-v1.md (one pause, one enemy kill)."""
    return {
        "schema_version": 1,
        "producer": {"name": "etstats.lua", "version": "0.1.0", "lua": "Lua 5.4"},
        "server": {"hostname": "^1My ^7Server", "ip": "", "port": 27960},
        "map": "supply",
        "gametype": 3,
        "round": 1,
        "emit": "round_end",
        "round_start_unix": 1770843050,
        "round_end_unix": 1770843722,
        "round_start_level_ms": 123450,
        "round_end_level_ms": 795450,
        "play_ms": 610000,
        "timelimit_ms": 720000,
        "warmup_ms": 31000,
        "warmup_start_unix": 1770843019,
        "started_mid_round": False,
        "pauses": [
            {
                "start_level_ms": 300000,
                "end_level_ms": 362000,
                "duration_ms": 62000,
                "start_unix": 1770843300,
                "end_unix": 1770843362,
            }
        ],
        "pause_total_ms": 62000,
        "end": {
            "reason": "objective",
            "exit_line": "Exit: Wolf EndRound.",
            "winner": 2,
            "defender": 1,
            "surrender_team": 0,
            "surrender_caller_guid": None,
            "surrender_caller_name": None,
        },
        "limbo_ms": {"axis": 30000, "allies": 20000},
        "players": [
            {
                "guid": GUID_A,
                "slot": 0,
                "name": "^1Axis^7One",
                "team": 1,
                "connected_at_end": True,
                "spawns": 2,
                "revives": 0,
                "deaths": 1,
                "kills": 0,
                "team_kills": 0,
                "self_kills": 0,
                "dead_ms": 20000,
                "denied_ms": 0,
                "time_axis_ms": 600000,
                "time_allies_ms": 0,
                "connects": 1,
                "disconnects": 0,
                "team_changes": 0,
                "deaths_detail": [
                    {
                        "at_level_ms": 200000,
                        "end_level_ms": 220000,
                        "killer_guid": GUID_B,
                        "killer_slot": 3,
                        "kind": "enemy",
                        "mod": 8,
                        "dead_ms": 20000,
                        "paused_ms": 0,
                        "closed_by": "respawn",
                    }
                ],
            }
        ],
    }


def test_example_is_read_with_units_and_enums() -> None:
    g = parse_gametimes_bytes(json.dumps(example()).encode())
    assert (g.map, g.round, g.emit) == ("supply", 1, Emit.ROUND_END)
    assert g.end.reason is EndReason.OBJECTIVE
    assert g.play_ms == 610000
    assert g.pause_total_ms == 62000
    assert g.key == (27960, "supply", 1, 1770843050)
    p = g.player(GUID_A.lower())
    assert p is not None
    assert p.clean_name == "AxisOne"
    assert p.guid8 == "A1B2C3D4"
    death = p.deaths_detail[0]
    assert (death.kind, death.closed_by, death.dead_ms) == (KillKind.ENEMY, ClosedBy.RESPAWN, 20000)
    assert g.server.clean_hostname == "My Server"


def test_unknown_schema_version_is_named() -> None:
    doc = example() | {"schema_version": 7}
    with pytest.raises(ParseError, match="unsupported schema_version 7"):
        parse_gametimes_bytes(json.dumps(doc).encode())
    with pytest.raises(ParseError, match="unsupported schema_version 7"):
        parse_any_gametimes(json.dumps(doc).encode())


def test_missing_schema_version_points_to_the_dispatcher() -> None:
    doc = example()
    del doc["schema_version"]
    with pytest.raises(ParseError, match="parse_any_gametimes"):
        parse_gametimes_bytes(json.dumps(doc).encode())


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("play_ms",), "610000"),
        (("play_ms",), 610000.5),
        (("round",), -1),  # any round >= 0 is valid (Last Man Standing counts rounds)
        (("emit",), "crash"),
        (("end", "reason"), "victory"),
        (("players", 0, "guid"), "a1b2c3d4"),
        (("players", 0, "dead_ms"), -1),
        (("started_mid_round",), 0),
    ],
)
def test_wrong_values_raise_validation_error_with_path(
    path: tuple[Any, ...], value: object
) -> None:
    doc = example()
    target: Any = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(ValidationError) as info:
        parse_gametimes_bytes(json.dumps(doc).encode(), source="x.json")
    assert info.value.source == "x.json"
    assert any(str(path[-1]) in problem for problem in info.value.problems)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("end",), None, "expected a JSON object, got NoneType @ $.end"),
        (("limbo_ms",), 5, "expected a JSON object, got int @ $.limbo_ms"),
        (("players", 0), "p", "expected a JSON object, got str @ $.players[0]"),
        (("pauses",), "xy", "expected a JSON array, got str @ $.pauses"),
        (("pauses",), {}, "expected a JSON array, got dict @ $.pauses"),
        (("players",), True, "expected a JSON array, got bool @ $.players"),
        (("players", 0, "deaths_detail"), 7, "got int @ $.players[0].deaths_detail"),
    ],
)
def test_an_object_or_array_of_the_wrong_json_kind_is_named(
    path: tuple[Any, ...], value: object, expected: str
) -> None:
    # regression: these leaked cattrs' AttributeError ("invalid value (AttributeError)"), and a
    # string or an object stood in for an array (read as its characters or keys)
    doc = example()
    target: Any = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(ValidationError) as info:
        parse_gametimes_bytes(json.dumps(doc).encode(), source="x.json")
    assert [p for p in info.value.problems if expected in p], info.value.problems
    assert not [p for p in info.value.problems if "Error)" in p], info.value.problems


def test_unknown_keys_are_rejected() -> None:
    with pytest.raises(ValidationError, match="extra fields"):
        parse_gametimes_bytes(json.dumps(example() | {"surprise": 1}).encode())


def test_files_and_unreadable_paths(tmp_path: Path) -> None:
    path = tmp_path / "etstats-supply-R1-1770843050-27960.json"
    path.write_text(json.dumps(example()), encoding="utf-8")
    assert parse_gametimes_file(path).map == "supply"
    assert parse_any_gametimes_file(path) == parse_gametimes_file(path)
    with pytest.raises(ParseError, match="cannot read"):
        parse_gametimes_file(tmp_path / "missing.json")


def test_legacy_documents_go_to_the_legacy_parser() -> None:
    from etstats.model.legacy_gametimes import LegacyGametimes

    legacy = {
        "meta": {
            "map": "supply",
            "round": 1,
            "round_start_unix": 1770843050,
            "round_end_unix": 1770843722,
            "actual_duration_seconds": 610,
        },
        "payload": None,
    }
    assert isinstance(parse_any_gametimes(json.dumps(legacy).encode()), LegacyGametimes)


def test_file_names() -> None:
    name = parse_gametimes_filename("/x/gametimes/etstats-te_escape2-R2-1770843050-27961.json")
    assert name is not None
    assert (name.map_name, name.round_number, name.round_start_unix, name.port) == (
        "te_escape2",
        2,
        1770843050,
        27961,
    )
    assert parse_gametimes_filename("gametime-supply-R1-1770843722.json") is None
    assert safe_map_name("mp/oasis b") == "mp_oasis_b"


def test_verify_signature_accepts_only_the_exact_body_and_key() -> None:
    import hashlib
    import hmac

    from etstats.parsing.gametimes import verify_signature

    body, stamp, key = b'{"schema_version":1}\n', "1770843722", "0123456789abcdef"
    good = "sha256=" + hmac.new(key.encode(), b"1770843722." + body, hashlib.sha256).hexdigest()
    assert verify_signature(body, timestamp=stamp, signature=good, secret=key)
    assert verify_signature(
        body, timestamp=stamp, signature=good.upper().replace("SHA", "sha"), secret=key.encode()
    )
    assert not verify_signature(body, timestamp="1770843723", signature=good, secret=key)
    assert not verify_signature(body, timestamp=stamp, signature=good, secret=key + "x")
    assert not verify_signature(body, timestamp=stamp, signature=good[7:], secret=key)
    assert not verify_signature(body, timestamp=stamp, signature="md5=" + good[7:], secret=key)
