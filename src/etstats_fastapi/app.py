"""FastAPI application factory: signed artifact ingestion and diagnostics.

``POST /v1/ingest`` takes one artifact's raw bytes as the body (``X-Etstats-Filename`` names
it; stats/endstats files need their ``YYYY-MM-DD-HHMMSS-<map>-round-<N>`` name to be linked),
authenticated per game server (:mod:`etstats_fastapi.auth`), at most ``max_body_bytes`` long.
``GET /v1/diagnostics`` reports what the store holds. FastAPI is imported inside
:func:`create_app` so this module imports without the extra.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the endpoint annotations
# (``Request``, imported inside create_app) at runtime.
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from etstats_fastapi.auth import secrets_from_env, verify

MAX_BODY_BYTES = 1024 * 1024
"""Default request size limit (bytes): real artifacts are a few kB to a few tens of kB."""


def create_app(
    db_url: str | None = None,
    *,
    secrets: dict[str, str] | None = None,
    timezone: str = "UTC",
    max_body_bytes: int = MAX_BODY_BYTES,
    pm: Any = None,
) -> Any:
    """Build the FastAPI app; the store is opened in the lifespan and closed after it.

    :param db_url: store URL (default ``./etstats.db``).
    :param secrets: server name -> signing secret (default ``$ETSTATS_INGEST_SECRETS``).
    """
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    from etstats.errors import EtStatsError
    from etstats.ingest.artifacts import Artifact
    from etstats.ingest.audit import audit_report
    from etstats.ingest.pipeline import Pipeline
    from etstats.ingest.rejection import http_answer, store_failure_answer
    from etstats.storage.registry import open_storage

    keys = secrets if secrets is not None else secrets_from_env()
    state: dict[str, Any] = {}
    lock = threading.Lock()

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        storage = open_storage(db_url, pm=pm)
        state["storage"] = storage
        state["pipeline"] = Pipeline(storage, pm=pm, timezone=timezone)
        try:
            yield
        finally:
            storage.close()

    app = FastAPI(title="etstats", lifespan=lifespan)

    @app.post("/v1/ingest")
    async def ingest(request: Request) -> JSONResponse:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
            return JSONResponse({"error": "request body too large"}, status_code=413)
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body_bytes:
                return JSONResponse({"error": "request body too large"}, status_code=413)
            chunks.append(chunk)
        body = b"".join(chunks)
        h = request.headers
        server = h.get("x-etstats-server")
        refused = verify(keys, server, h.get("x-etstats-timestamp"),
                         h.get("x-etstats-signature"), body, time.time())  # fmt: skip
        if refused is not None or server is None:
            return JSONResponse({"error": refused}, status_code=401)
        name = h.get("x-etstats-filename") or "upload"
        artifact = Artifact.from_bytes(body, name, server=server)

        def run() -> Any:
            with lock:
                return state["pipeline"].ingest(artifact)

        from starlette.concurrency import run_in_threadpool

        try:
            result = await run_in_threadpool(run)
        except EtStatsError as exc:  # the store itself failed: a short reason, no SQL
            failed, why = store_failure_answer(exc)
            return JSONResponse({"error": why}, status_code=failed)
        status, reason = http_answer(result)
        payload = {"status": result.status, "sha256": result.sha256, "kind": result.kind,
                   "round_ids": list(result.round_ids), "error": reason}  # fmt: skip
        return JSONResponse(payload, status_code=status)

    @app.get("/v1/diagnostics")
    async def diagnostics() -> dict[str, Any]:
        from starlette.concurrency import run_in_threadpool

        def run() -> dict[str, Any]:
            with lock:
                storage = state["storage"]
                report = audit_report(storage)
                return {
                    "schema_version": storage.schema_version(),
                    "rounds": report["rounds"],
                    "verdicts": report["verdicts"],
                    "rejected": len(report["rejected"]),
                    "unlinked": len(report["unlinked"]),
                }

        return await run_in_threadpool(run)

    return app
