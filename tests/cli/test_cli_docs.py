"""Every ``etstats`` subcommand (built-in or from an installed adapter) is documented."""

from __future__ import annotations

import argparse
from pathlib import Path

from etstats.cli import build_parser

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _commands() -> list[str]:
    parser = build_parser()
    for action in parser._actions:  # argparse has no public accessor for subcommands
        if isinstance(action, argparse._SubParsersAction):
            return sorted(action.choices)
    raise AssertionError("no subcommands")


def test_every_command_has_a_section_in_docs_cli() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [c for c in _commands() if f"## `etstats {c}" not in text]
    assert not missing, f"undocumented commands in docs/cli.md: {missing}"


def test_core_commands_are_all_there() -> None:
    expected = {
        "parse",
        "validate",
        "reconcile",
        "schema",
        "lua-check",
        "ingest",
        "watch",
        "rebuild",
        "audit",
        "db",
    }
    assert expected <= set(_commands())
