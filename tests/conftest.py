"""Shared test configuration: Hypothesis profiles, real-corpus and PostgreSQL fixtures.

A test that needs a missing part (the real corpus, PostgreSQL, lupa) fails loudly when
``CI=true`` and is skipped with the reason on a developer's machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from tests.helpers import IN_CI, REAL_STATS, need, strict_parser

from etstats.storage.base import Storage

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("fast", max_examples=20, deadline=None)
settings.register_profile("long", max_examples=2000, deadline=None)  # a fuzz campaign, by hand
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if IN_CI else "dev"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every Hypothesis test ``property`` and every test reading the real corpus through
    its fixtures ``corpus``, wherever they live (``-m "not property and not corpus"``)."""
    for item in items:
        if isinstance(item, pytest.Function) and hasattr(item.obj, "hypothesis"):
            item.add_marker(pytest.mark.property)
        if {"real_stats_dir", "real_stats_files"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.corpus)


@pytest.fixture(scope="module", params=["fast", "strict"])
def parser_mode(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a module's tests twice: with the stats parser's fast paths, and with them all off
    (:func:`tests.helpers.strict_parser`). A module opts in with
    ``pytestmark = pytest.mark.usefixtures("parser_mode")``; module scope, so one switch
    serves every test and Hypothesis example of the module."""
    if request.param == "fast":
        yield "fast"
        return
    with strict_parser():
        yield "strict"


@pytest.fixture(scope="session")
def real_stats_dir() -> Path:
    """``../shared/real_stats`` (the real corpus; never copied into this repository)."""
    need((REAL_STATS / "c0rnp0rn").is_dir(), f"real corpus not found at {REAL_STATS}")
    return REAL_STATS


@pytest.fixture(scope="session")
def real_stats_files(real_stats_dir: Path) -> list[Path]:
    """Every real c0rnp0rn stats file, sorted by name."""
    return sorted((real_stats_dir / "c0rnp0rn").glob("*.txt"))


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """DSN of the real PostgreSQL server started by scripts/test (``ETSTATS_TEST_DSN``)."""
    dsn = os.environ.get("ETSTATS_TEST_DSN", "")
    need(bool(dsn), "ETSTATS_TEST_DSN is not set (scripts/test starts a server and sets it)")
    return dsn


@pytest.fixture
def no_entry_point_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolate a test from plugins installed in the environment."""
    monkeypatch.setenv("ETSTATS_LOAD_PLUGINS", "")


# -- storage: every test gets a fresh store on each backend (SQLite file, PostgreSQL database
# cloned from a migrated template) --


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.pg)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """A fresh, migrated store of each backend."""
    if request.param == "sqlite":
        from etstats.storage.sqlite import SQLiteStorage

        s: Storage = SQLiteStorage(str(tmp_path / "store.db"))
        yield s
        s.close()
        return
    dsn = request.getfixturevalue("pg_dsn")
    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.testing import pg_database

    with pg_database(dsn) as url:
        s = PostgresStorage(url, max_size=2)
        yield s
        s.close()


@pytest.fixture(scope="session", autouse=True)
def _drop_pg_templates() -> Iterator[None]:
    """Drop the migrated template database this session created (if any)."""
    yield
    import os

    dsn = os.environ.get("ETSTATS_TEST_DSN")
    if dsn:
        from etstats.storage.testing import drop_templates

        drop_templates(dsn)
