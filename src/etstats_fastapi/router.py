"""The mountable router: ``app.include_router(create_router(settings), prefix="/etstats")``.

The router owns its lifespan (the store and pipeline open when the host app starts and close
when it stops; FastAPI merges router lifespans into the app's), answers every error with
problem details (:class:`~etstats_fastapi.problems.ProblemRoute`) and gives each operation a
stable ``operationId`` (``etstats_<name>``) and a tag.
"""

# No ``from __future__ import annotations``: FastAPI inspects endpoint annotations at runtime.
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from etstats_fastapi.auth import Auth, allow_all, api_key_auth
from etstats_fastapi.diagnostics import register_diagnostics
from etstats_fastapi.heartbeat import heartbeat_endpoint
from etstats_fastapi.ingest import ingest_endpoint
from etstats_fastapi.pages import register_pages
from etstats_fastapi.problems import ProblemRoute, problem_responses
from etstats_fastapi.reads import register_reads
from etstats_fastapi.runtime import HttpSettings, Runtime

INGEST_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    },
    "parameters": [
        {"name": n, "in": "header", "required": False, "schema": {"type": "string"}}
        for n in (
            "X-Etstats-Server",
            "X-Etstats-Timestamp",
            "X-Etstats-Filename",
            "X-Etstats-Content-SHA256",
            "X-Etstats-Signature",
        )
    ],
}


def operation_id(route: APIRoute) -> str:
    """Stable operation ids: ``etstats_`` + the endpoint's name."""
    return f"etstats_{route.name}"


class RuntimeHolder:
    """Where the router's lifespan puts its :class:`Runtime` (one per router)."""

    def __init__(self) -> None:
        self.runtime: Runtime | None = None

    def __call__(self) -> Runtime:
        if self.runtime is None:
            from starlette.exceptions import HTTPException

            raise HTTPException(503, "the etstats store is not open (lifespan not running)")
        return self.runtime


def create_router(
    settings: HttpSettings | None = None,
    *,
    auth: Auth | None = None,
    read_auth: Auth | None = None,
) -> APIRouter:
    """The etstats API as an ``APIRouter`` with its own store lifespan.

    :param auth: dependency guarding diagnostics and admin routes (default: API keys from
        ``settings``); a host passes its own to reuse its login.
    :param read_auth: dependency guarding the read API and pages (default: public when
        ``settings.public_reads``, else ``auth``).
    """
    settings = settings or HttpSettings()
    holder = RuntimeHolder()
    admin = auth or api_key_auth(settings.resolved_api_keys())
    reader = read_auth or (allow_all if settings.public_reads else admin)

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[dict[str, Any]]:
        runtime = await run_in_threadpool(Runtime.open, settings)
        holder.runtime = runtime
        try:
            yield {}
        finally:
            holder.runtime = None
            await run_in_threadpool(runtime.close)

    router = APIRouter(
        route_class=ProblemRoute, lifespan=lifespan, generate_unique_id_function=operation_id
    )
    router.etstats_runtime = holder  # type: ignore[attr-defined]  # for hosts and tests

    @router.post(
        "/v1/ingest",
        tags=["ingest"],
        status_code=201,
        summary="Upload one signed artifact (stats, endstats or gametimes file)",
        responses={
            200: {"description": "Already stored: the stored result"},
            **problem_responses(400, 401, 408, 411, 413, 422, 503),
        },
        openapi_extra=INGEST_BODY_DOC,
    )
    async def ingest(request: Request, runtime: Runtime = Depends(holder)) -> Response:  # noqa: B008
        return await ingest_endpoint(request, runtime)

    @router.post(
        "/v1/heartbeat",
        tags=["ingest"],
        status_code=204,
        summary="A signed heartbeat of a game server (players, map): kept per server",
        responses={
            204: {"description": "Kept (or older than the one kept)"},
            **problem_responses(400, 401, 408, 411, 413, 503),
        },
        openapi_extra=INGEST_BODY_DOC,
    )
    async def heartbeat(request: Request, runtime: Runtime = Depends(holder)) -> Response:  # noqa: B008
        return await heartbeat_endpoint(request, runtime)

    register_diagnostics(router, holder, admin=admin)
    register_reads(router, holder, reader=reader)
    register_pages(router, holder, reader=reader)
    return router
