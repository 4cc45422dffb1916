"""JSON Schema generation: every serialised model validates; schema and reader agree."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from tests.helpers import examples, need

from etstats.cli import main
from etstats.errors import ValidationError
from etstats.model.legacy_gametimes import LegacyGametimes, LegacySpawnStat, WebhookRound
from etstats.parsing.legacy_gametimes import parse_legacy_gametimes_file
from etstats.schema import (
    DIALECT,
    SCHEMA_MODELS,
    available_models,
    json_schema,
    register_schema_model,
    resolve_model,
    schema_for,
)
from etstats.serde import from_builtins, to_json

jsonschema = pytest.importorskip("jsonschema")

EXAMPLE = (
    Path(__file__).resolve().parent.parent
    / "data"
    / "gametimes_legacy"
    / "gametime-supply-R1-1770843722.json"
)

# (schema name, strategy "module:function", keyword arguments)
SCHEMA_STRATEGIES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "legacy-gametimes",
        "etstats.testing.legacy_strategies:legacy_gametimes",
        {"with_extras": True},
    ),
    ("webhook-round", "etstats.testing.legacy_strategies:webhook_rounds", {}),
    ("legacy-spawn-stat", "etstats.testing.legacy_strategies:spawn_stats", {}),
    ("finding", "etstats.testing.legacy_strategies:findings", {}),
    ("stats-round", "etstats.testing.strategies:stats_rounds", {}),
    ("endstats-round", "etstats.testing.endstats_strategies:endstats_rounds", {}),
    ("gametimes", "etstats.testing.gametimes_strategies:gametimes", {}),
]


def validator(schema: dict[str, Any]) -> Any:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize(
    ("name", "strategy", "kwargs"), SCHEMA_STRATEGIES, ids=[n for n, _, _ in SCHEMA_STRATEGIES]
)
def test_generated_instances_validate(name: str, strategy: str, kwargs: dict[str, Any]) -> None:
    module_name, _, func = strategy.partition(":")
    try:
        values = getattr(importlib.import_module(module_name), func)(**kwargs)
    except (ImportError, AttributeError):
        need(False, f"{strategy} is not available yet")
    try:
        check_schema = validator(schema_for(name))
    except LookupError:
        need(False, f"model {name} is not available yet")

    @settings(max_examples=examples(50))  # validation is slow
    @given(values)
    def check(value: Any) -> None:
        errors = [
            f"{e.message} @ {e.json_path}"
            for e in check_schema.iter_errors(json.loads(to_json(value)))
        ]
        assert errors == []

    check()


def test_every_available_model_has_a_valid_schema() -> None:
    models = available_models()
    assert {"legacy-gametimes", "webhook-round", "legacy-spawn-stat", "stats-round"} <= set(models)
    for cls in models.values():
        schema = json_schema(cls)
        assert schema["$schema"] == DIALECT
        validator(schema)


def test_schema_shape_of_the_spawn_stat() -> None:
    schema = json_schema(LegacySpawnStat)
    assert schema["required"] == [
        "guid",
        "name",
        "spawns",
        "deaths",
        "dead_seconds",
        "avg_respawn",
        "max_respawn",
    ]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["dead_seconds"]["type"] == "integer"
    assert "seconds" in schema["properties"]["avg_respawn"]["description"].lower()


def test_optional_tuples_enums_and_fixed_tuples() -> None:
    schema = json_schema(WebhookRound)
    version = schema["properties"]["version"]["anyOf"]
    assert {"type": "null"} in version
    (fixed,) = [s for s in version if s.get("type") == "array"]
    assert (fixed["minItems"], fixed["maxItems"], fixed["items"]) == (3, 3, False)
    assert schema["properties"]["timelimit_minutes"]["anyOf"][0] == {"type": "number"}
    finding = schema["$defs"]["Finding"]
    assert finding["properties"]["severity"]["enum"] == ["error", "warning", "info"]
    assert "findings" not in schema["required"]


def test_schema_and_reader_agree_on_extra_and_missing_keys() -> None:
    g = parse_legacy_gametimes_file(EXAMPLE)
    check = validator(json_schema(LegacyGametimes))
    data = json.loads(to_json(g))
    assert list(check.iter_errors(data)) == []
    data["meta"]["surprise"] = 1
    del data["meta"]["round"]
    assert len(list(check.iter_errors(data))) == 2
    with pytest.raises(ValidationError) as info:
        from_builtins(data, LegacyGametimes)
    text = " ".join(info.value.problems)
    assert "$.meta" in text
    assert "surprise" in text


def test_registry_accepts_classes_and_rejects_non_attrs() -> None:
    register_schema_model("test-spawn-stat", LegacySpawnStat)
    try:
        assert schema_for("test-spawn-stat") == json_schema(LegacySpawnStat)
    finally:
        del SCHEMA_MODELS["test-spawn-stat"]
    with pytest.raises(TypeError):
        register_schema_model("bad", dict)


def test_cli_lists_and_prints(
    capsys: pytest.CaptureFixture[str], no_entry_point_plugins: None
) -> None:
    assert main(["schema", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "legacy-gametimes\tetstats.model.legacy_gametimes.LegacyGametimes" in listing
    assert main(["schema", "legacy-spawn-stat"]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema(LegacySpawnStat)
    assert main(["schema", "no-such-model"]) == 2
    assert "unknown model" in capsys.readouterr().err


def test_unavailable_models_are_reported_not_raised() -> None:
    available = available_models()
    for name in SCHEMA_MODELS:
        if name in available:
            assert schema_for(name)["title"] == available[name].__name__
        else:
            with pytest.raises(LookupError, match=name):
                schema_for(name)


def test_computed_properties_written_by_serde_are_in_the_schema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from etstats import serde
    from etstats.model.legacy_gametimes import LegacyMeta

    monkeypatch.setattr(
        serde,
        "EXTRA_PROPERTIES",
        {"etstats.model.legacy_gametimes:LegacyMeta": ("port",)},
        raising=False,
    )
    prop = json_schema(LegacyMeta)["properties"]["port"]
    assert prop["readOnly"] is True
    assert {"type": "integer"} in prop["anyOf"]
    assert "port" not in json_schema(LegacyMeta)["required"]


@pytest.mark.parametrize("name", sorted(SCHEMA_MODELS))
def test_annotation_driven_instances_validate(name: str) -> None:
    """Every registered model, including those without a strategy of their own."""
    from hypothesis import HealthCheck

    from etstats.testing.legacy_strategies import from_annotations

    try:
        cls = resolve_model(name)
    except LookupError:
        need(False, f"model {name} is not available yet")
    check_schema = validator(json_schema(cls))

    @settings(max_examples=examples(30), suppress_health_check=[HealthCheck.filter_too_much])
    @given(from_annotations(cls))
    def check(value: Any) -> None:
        errors = [
            f"{e.message} @ {e.json_path}"
            for e in check_schema.iter_errors(json.loads(to_json(value)))
        ]
        assert errors == []

    if name == "gametimes":  # strict validators: covered by its own strategy above
        return
    check()
