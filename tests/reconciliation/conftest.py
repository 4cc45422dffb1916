"""Fixtures for the reconciliation tests: truth rounds written as real files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from etstats.testing.reconcile_truth import TruthRound, render_legacy, render_stats, render_v1

Writer = Callable[..., list[Path]]


@pytest.fixture
def write_round(tmp_path: Path) -> Writer:
    """Write a truth round's stats file and Lua file (``lua``: v1, legacy, mixing, none)."""

    def write(
        tr: TruthRound, *, version: int = 8, lua: str = "v1", directory: Path | None = None
    ) -> list[Path]:
        where = directory or tmp_path
        where.mkdir(parents=True, exist_ok=True)
        out = []
        name, text = render_stats(tr, version=version)
        out.append(where / name)
        out[-1].write_text(text, encoding="utf-8")
        if lua != "none":
            if lua == "v1":
                name, text = render_v1(tr)
            else:
                name, text = render_legacy(tr, version=(1, 6, 1) if lua == "mixing" else (1, 7, 2))
            out.append(where / name)
            out[-1].write_text(text, encoding="utf-8")
        return out

    return write
