"""Shared fixtures for the HTTP adapter tests: a store filled by the real pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from etstats.ingest.pipeline import Pipeline
from etstats.storage.registry import open_storage
from etstats.testing.synthetic import season


def filled_store(path: Path, rounds: int = 6, seed: int = 3) -> str:
    """A SQLite store with ``rounds`` synthetic rounds (stats, Lua and endstats each)."""
    storage = open_storage(str(path))
    try:
        pipeline = Pipeline(storage)
        for a in season(rounds, seed=seed):
            pipeline.ingest(a)
    finally:
        storage.close()
    return str(path)


@pytest.fixture(scope="session")
def season_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of a store with six synthetic rounds (read-only for tests)."""
    return filled_store(tmp_path_factory.mktemp("season") / "season.db")
