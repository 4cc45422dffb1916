"""Fixtures of the Lua simulator tests: script paths and small scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import need

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = Path(__file__).resolve().parent / "scripts"


@pytest.fixture(scope="session")
def etstats_lua() -> Path:
    """The project's gametimes script ``lua/etstats.lua``."""
    path = ROOT / "lua" / "etstats.lua"
    need(path.is_file(), f"{path} not found")
    return path


@pytest.fixture(scope="session")
def lua_scripts() -> Path:
    """``tests/lua/scripts``: small test modules (probe, recorder, bad scripts)."""
    return SCRIPTS
