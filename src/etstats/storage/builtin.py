"""Built-in storage backends, registered through the ``etstats_register_storage`` hook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from etstats.hookspecs import hookimpl
from etstats.storage.base import Storage


def _sqlite(url: str, **options: Any) -> Storage:
    from etstats.storage.sqlite import SQLiteStorage

    return SQLiteStorage(url, **options)


def _postgres(url: str, **options: Any) -> Storage:
    from etstats.storage.postgres import PostgresStorage

    return PostgresStorage(url, **options)


@hookimpl(tryfirst=True)  # built-ins are registered first, so they win a clash
def etstats_register_storage(register: Callable[..., None]) -> None:
    """SQLite (``sqlite:`` URLs and bare paths) and PostgreSQL (``postgresql://``)."""
    register("sqlite", _sqlite)
    register("postgresql", _postgres)
