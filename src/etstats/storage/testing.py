"""Helpers for tests of storage backends and plugins (no pytest dependency).

* :func:`pg_database`: a fresh, migrated PostgreSQL database cloned from a template, dropped
  afterwards, so every test module or test gets an isolated store.
* :func:`snapshot`: the store's content with surrogate ids replaced by natural keys, so two
  stores built in different orders can be compared with ``==``.
"""

from __future__ import annotations

import atexit
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from etstats.storage.base import ROUND_TABLES, Storage
from etstats.storage.record_lines import clear_record_lines

_TEMPLATES: dict[str, str] = {}


def _with_dbname(dsn: str, dbname: str) -> str:
    """``dsn`` pointing at ``dbname``, as a ``postgresql://`` URL (what ``--db`` and
    :func:`etstats.storage.registry.open_storage` recognise; a ``key=value`` conninfo would be
    taken for a SQLite file name)."""
    from urllib.parse import quote, urlencode

    from psycopg.conninfo import conninfo_to_dict

    params = {k: str(v) for k, v in conninfo_to_dict(dsn).items() if v is not None}
    user = quote(params.pop("user", ""), safe="")
    password = params.pop("password", None)
    host = params.pop("host", "")
    port = params.pop("port", "")
    params.pop("dbname", None)
    auth = user + (f":{quote(password, safe='')}" if password is not None else "")
    netloc = f"{auth}@" if auth else ""
    netloc += f"[{host}]" if ":" in host else quote(host, safe="")
    netloc += f":{port}" if port else ""
    query = f"?{urlencode(params)}" if params else ""
    return f"postgresql://{netloc}/{quote(dbname, safe='')}{query}"


def _admin(dsn: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(statement.encode("utf-8"))


def _template(dsn: str) -> str:
    """A migrated template database (created once per process and DSN)."""
    if dsn not in _TEMPLATES:
        from etstats.storage.postgres import PostgresStorage

        name = f"etstats_tpl_{uuid.uuid4().hex[:12]}"
        _admin(dsn, f'CREATE DATABASE "{name}" TEMPLATE template0')
        store = PostgresStorage(_with_dbname(dsn, name), max_size=1)
        store.close()
        _TEMPLATES[dsn] = name
        atexit.register(drop_templates, dsn)  # also when a test session is cut short
    return _TEMPLATES[dsn]


def drop_templates(dsn: str) -> None:
    """Drop the template created by :func:`pg_database` for ``dsn`` (end of a session)."""
    name = _TEMPLATES.pop(dsn, None)
    if name is not None:
        try:
            _admin(dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception:  # the server may already be gone at interpreter exit
            _TEMPLATES.setdefault(dsn, name)


@contextmanager
def pg_database(dsn: str) -> Iterator[str]:
    """Yield the DSN of a fresh migrated database on the server of ``dsn``; drop it after."""
    template = _template(dsn)
    name = f"etstats_t_{uuid.uuid4().hex[:12]}"
    _admin(dsn, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _with_dbname(dsn, name)
    finally:
        _admin(dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def snapshot(storage: Storage, *, with_received: bool = True) -> dict[str, Any]:
    """The store's content keyed by natural keys (round ids and server ids removed)."""
    servers = {row[0]: row[1] for row in storage.table_rows("servers")}
    rounds = storage.rounds()
    key = {
        r.id: (servers[r.server_id], r.map_name, r.round_number, r.round_start_unix) for r in rounds
    }
    out: dict[str, Any] = {
        "servers": sorted((row[1], row[2]) for row in storage.table_rows("servers")),
        "artifacts": sorted(
            (
                a.sha256,
                a.kind,
                a.name,
                servers[a.server_id],
                a.size_bytes,
                a.received_unix if with_received else None,
                a.status,
                a.error,
                a.map_name,
                a.round_number,
                a.anchor_unix,
                a.start_unix,
                a.link_note,
            )
            for a in storage.artifacts()
        ),
        "rounds": sorted(
            (
                key[r.id],
                r.start_source,
                r.round_end_unix,
                r.stats_sha256,
                r.lua_sha256,
                r.endstats_sha256,
                r.stats_file_unix,
                r.hostname,
                r.winner_team,
                r.defender_team,
                r.time_limit_seconds,
                r.clock_seconds,
                r.playtime_ms,
                r.tab_layout,
                r.values_scope,
                None if r.r1_round_id is None else key[r.r1_round_id],
            )
            for r in rounds
        ),
    }
    for table in ROUND_TABLES:
        out[table] = sorted((key[row[0]], *row[1:]) for row in storage.table_rows(table))
    return out


def wipe(storage: Storage) -> None:
    """Delete everything (servers, artifacts, rounds, per-round rows) from a store."""
    with storage.transaction() as tx:
        clear_record_lines(tx)
        for table in (*reversed(tuple(ROUND_TABLES)), "rounds", "artifacts", "servers"):
            tx.execute(f"DELETE FROM {table}")  # type: ignore[attr-defined]  # noqa: S608
