"""``etstats db upgrade|status [--db URL]``: schema migrations."""

from __future__ import annotations

import argparse

from etstats.cli.storage_args import add_db_argument
from etstats.storage.migrate import load_migrations
from etstats.storage.registry import open_storage, redact_url


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("db", help="database schema: upgrade or show its version")
    sub = p.add_subparsers(dest="db_command", metavar="ACTION")
    sub.required = True
    up = sub.add_parser("upgrade", help="apply pending migrations")
    add_db_argument(up)
    up.set_defaults(func=run_upgrade)
    st = sub.add_parser("status", help="show the applied schema version")
    add_db_argument(st)
    st.set_defaults(func=run_status)


def run_upgrade(args: argparse.Namespace) -> int:
    storage = open_storage(args.db, migrate=False)
    try:
        applied = storage.migrate()
        version = storage.schema_version()
    finally:
        storage.close()
    if applied:
        print(
            f"{redact_url(args.db)}: applied migration(s) {', '.join(map(str, applied))}; "
            f"schema version {version}"
        )
    else:
        print(f"{redact_url(args.db)}: schema is up to date (version {version})")
    return 0


def run_status(args: argparse.Namespace) -> int:
    storage = open_storage(args.db, migrate=False)
    try:
        version = storage.schema_version()
        dialect = getattr(storage, "dialect", "sqlite")
    finally:
        storage.close()
    latest = max((m.version for m in load_migrations(dialect)), default=0)
    state = "up to date" if version == latest else f"{latest - version} migration(s) pending"
    print(f"{redact_url(args.db)}: schema version {version} of {latest} ({state})")
    return 0
