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
ETSTATS_REQUIRES: tuple[str, ...] = ("fastapi", "uvicorn")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from etstats.cli import plugin_manager
    from etstats_fastapi.app import create_app

    app = create_app(args.db, timezone=args.timezone, max_body_bytes=args.max_body_bytes,
                     pm=plugin_manager(args))  # fmt: skip
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


@hookimpl
def etstats_register_commands(register: Any) -> None:
    """``etstats serve``: run the signed ingestion API with uvicorn."""
    p = register.add_parser(
        "serve",
        help="run the HTTP ingestion API (POST /v1/ingest, GET /v1/diagnostics)",
        description="Per-server secrets come from $ETSTATS_INGEST_SECRETS (name=secret,...).",
    )
    p.add_argument("--db", default=os.environ.get("ETSTATS_DB", "etstats.db"))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--timezone", default=os.environ.get("ETSTATS_TIMEZONE", "UTC"))
    p.add_argument("--max-body-bytes", type=int, default=1024 * 1024)
    p.set_defaults(func=_serve)
