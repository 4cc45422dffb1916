"""Scenarios as JSON: ``scenario_to_json`` / ``scenario_from_json``.

Every timeline event is an object with a ``"type"`` tag naming its class (``"Kill"``,
``"Pause"``, ...); everything else follows etstats' wire rules (:mod:`etstats.serde`):
unknown keys are rejected, problems carry their JSON path. Example::

    {"name": "mine", "description": "a pause", "map_name": "supply",
     "players": [{"slot": 0, "guid": "0123456789ABCDEF0123456789ABCDEF", "name": "A", "team": 1},
                 {"slot": 1, "guid": null, "name": "[BOT]B", "team": 2, "is_bot": true}],
     "rounds": [{"events": [{"type": "Kill", "at_ms": 2000, "victim": 0, "killer": 1},
                            {"type": "Pause", "at_ms": 5000}, {"type": "Unpause", "at_ms": 6000}],
                 "ending": {"kind": "objective", "at_ms": 40000, "winner": 2}}]}
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import cattrs
from cattrs.strategies import configure_tagged_union

from etstats.errors import ParseError, ValidationError
from etstats.serde import format_problems, make_converter
from etstats.testing.simulator.scenario import Event, Scenario


@cache
def _converter() -> cattrs.Converter:
    converter = make_converter()
    configure_tagged_union(Event, converter, tag_name="type")
    return converter


def scenario_to_builtins(scenario: Scenario) -> dict[str, Any]:
    """A scenario as JSON-ready dicts and lists."""
    data: dict[str, Any] = _converter().unstructure(scenario)
    return data


def scenario_to_json(scenario: Scenario, *, indent: int | None = 1) -> str:
    """A scenario as JSON text."""
    return json.dumps(scenario_to_builtins(scenario), indent=indent, ensure_ascii=False)


def scenario_from_json(text: str | bytes, *, source: str = "<json>") -> Scenario:
    """Read a scenario; raises :class:`~etstats.errors.ParseError` for bad JSON and
    :class:`~etstats.errors.ValidationError` for a bad structure."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"not JSON: {exc}", source=source) from exc
    try:
        return _converter().structure(data, Scenario)
    except Exception as exc:  # cattrs raises ExceptionGroups and plain errors
        raise ValidationError(
            "not a scenario", problems=format_problems(exc), source=source
        ) from exc


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario JSON file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror}", source=str(p)) from exc
    return scenario_from_json(data, source=str(p))
