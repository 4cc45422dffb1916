"""The error model: one root, structured attributes, readable messages, picklable."""

from __future__ import annotations

import pickle

import pytest

from etstats.errors import (
    AdapterUnavailable,
    EtStatsError,
    ParseError,
    PluginError,
    ValidationError,
)


def test_parse_error_message_names_file_line_field_expected_and_actual() -> None:
    err = ParseError(
        "not an integer",
        source="round.txt",
        line=12,
        column=5,
        field="kills",
        expected="integer",
        actual="abc",
    )
    assert str(err) == "round.txt:12:5: kills: not an integer (expected integer, got 'abc')"
    assert (err.source, err.line, err.column, err.field) == ("round.txt", 12, 5, "kills")


def test_parse_error_is_a_value_error_and_an_etstats_error() -> None:
    err = ParseError("bad", source="x")
    assert isinstance(err, ValueError)
    assert isinstance(err, EtStatsError)


def test_long_actual_values_are_clipped() -> None:
    err = ParseError("bad", actual="A" * 1000, expected="short")
    assert len(str(err)) < 200


def test_validation_error_lists_every_problem() -> None:
    err = ValidationError("not a valid X", problems=["a @ $.x", "b @ $.y"], source="f.json")
    assert err.problems == ("a @ $.x", "b @ $.y")
    assert str(err) == "f.json: not a valid X: a @ $.x; b @ $.y"
    assert isinstance(err, ParseError)


def test_parse_errors_survive_pickling_for_worker_processes() -> None:
    err = ParseError("bad", source="r.txt", line=3, field="f7", expected="M:SS", actual="7")
    clone = pickle.loads(pickle.dumps(err))  # noqa: S301 - our own bytes
    assert type(clone) is ParseError
    assert str(clone) == str(err)
    assert clone.line == 3


def test_default_message_is_the_class_docstring() -> None:
    assert "optional dependencies" in str(AdapterUnavailable())


def test_adapter_unavailable_is_catchable_as_import_error() -> None:
    with pytest.raises(ImportError):
        raise AdapterUnavailable("discord extra missing")
    assert issubclass(AdapterUnavailable, PluginError)
