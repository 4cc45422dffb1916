"""Migration files: plain SQL in ``etstats/storage/migrations/<dialect>/NNNN_name.sql``.

The runner (each backend's ``migrate()``) applies every file whose version is not yet in
``schema_migrations(version, name, applied_unix)``, each in its own transaction, in order.
``schema.sql`` beside them is the documented end state; a test checks both agree.
"""

from __future__ import annotations

import re
from importlib import resources

from attrs import frozen

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

CREATE_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_unix BIGINT NOT NULL)"
)


@frozen
class Migration:
    """One migration file."""

    version: int
    name: str
    sql: str


def load_migrations(dialect: str) -> list[Migration]:
    """The migrations of ``dialect`` (``"sqlite"`` or ``"postgres"``) in version order."""
    folder = resources.files("etstats.storage.migrations").joinpath(dialect)
    found: list[Migration] = []
    for entry in folder.iterdir():
        m = _NAME.match(entry.name)
        if m is not None:
            found.append(Migration(int(m[1]), m[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    versions = [mig.version for mig in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions in {dialect}: {versions}")
    return found


def schema_sql(dialect: str) -> str:
    """The documented schema (``schema.sql``) of ``dialect``."""
    return (
        resources.files("etstats.storage.migrations")
        .joinpath(dialect)
        .joinpath("schema.sql")
        .read_text(encoding="utf-8")
    )
