"""etstats plugin entry point of the fastapi adapter.

Registers the ``etstats serve`` command (the HTTP ingestion API, see
:mod:`etstats_fastapi.app`). Hook implementations only; FastAPI and uvicorn are imported when
the command runs, and are declared in :data:`ETSTATS_REQUIRES` so a missing extra is reported
when the plugin loads.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from etstats.hookspecs import hookimpl

ETSTATS_EXTRA = "fastapi"
ETSTATS_REQUIRES: tuple[str, ...] = ("fastapi", "uvicorn", "jinja2")


def _serve(args: argparse.Namespace) -> int:
    from etstats.cli import plugin_manager
    from etstats_fastapi.app import create_app
    from etstats_fastapi.runtime import HttpSettings
    from etstats_fastapi.server import ServerLimits, serve

    settings = HttpSettings(
        db_url=args.db,
        timezone=args.timezone,
        max_body_bytes=args.max_body_bytes,
        deliver=tuple(args.deliver),
        public_reads=not args.private_reads,
        pm=plugin_manager(args),
    )
    limits = ServerLimits(
        header_timeout_s=args.header_timeout,
        keep_alive_s=args.keep_alive,
        max_connections=args.max_connections,
    )
    serve(create_app(settings), args.host, args.port, limits)
    return 0


@hookimpl
def etstats_register_commands(register: Any) -> None:
    """``etstats serve``: run the HTTP API and pages with uvicorn."""
    from etstats.cli.storage_args import add_deliver_argument

    p = register.add_parser(
        "serve",
        help="run the HTTP API: signed ingest, read API, diagnostics and web pages",
        description="Ingest keys come from $ETSTATS_INGEST_SECRETS (name=secret,...; a name "
        "given twice has two valid keys during a change); diagnostics keys from "
        "$ETSTATS_API_KEYS. See docs/http.md.",
    )
    p.add_argument("--db", default=os.environ.get("ETSTATS_DB", "etstats.db"))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--timezone", default=os.environ.get("ETSTATS_TIMEZONE", "UTC"))
    p.add_argument(
        "--max-body-bytes",
        type=int,
        default=1024 * 1024,
        help="largest accepted upload in bytes (default 1 MiB)",
    )
    p.add_argument(
        "--header-timeout",
        type=float,
        default=5.0,
        help="seconds a connection may take to send its request headers",
    )
    p.add_argument("--keep-alive", type=int, default=5, help="idle keep-alive timeout, seconds")
    p.add_argument(
        "--max-connections",
        type=int,
        default=4096,
        help="open connections above which new requests get 503",
    )
    p.add_argument(
        "--private-reads",
        action="store_true",
        help="require an API key for the read API and pages too",
    )
    add_deliver_argument(p)
    p.set_defaults(func=_serve)
