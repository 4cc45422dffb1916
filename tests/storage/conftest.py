"""Storage fixtures: every test gets a fresh store on each backend (SQLite file, PostgreSQL
database cloned from a migrated template)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from etstats.storage.base import Storage


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
