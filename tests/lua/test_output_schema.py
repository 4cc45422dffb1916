"""What lua/etstats.lua writes in every bundled scenario validates against the published
JSON Schema (``etstats schema gametimes``) and parses into the library's model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etstats.model.gametimes import Gametimes
from etstats.parsing.gametimes import parse_gametimes_file
from etstats.schema import json_schema
from etstats.testing.simulator.api import run_scenario
from etstats.testing.simulator.bundled import bundled_scenarios

jsonschema = pytest.importorskip("jsonschema")


@pytest.mark.lua
@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_script_output_validates_against_the_schema(
    etstats_lua: Path, tmp_path: Path, name: str
) -> None:
    schema = json_schema(Gametimes)
    validator = jsonschema.Draft202012Validator(schema)
    result = run_scenario(bundled_scenarios()[name], etstats_lua, homepath=tmp_path)
    assert result.gametimes_files, "the script wrote no gametimes file"
    for path in result.gametimes_files:
        document = json.loads(path.read_bytes())
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        assert not errors, f"{path.name}: {[f'{e.message} @ {list(e.path)}' for e in errors]}"
        parsed = parse_gametimes_file(path)
        assert parsed.schema_version == 1
