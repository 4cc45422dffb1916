"""Diagnostics routes (API key by default): store summary, pipeline and Lua-webhook health,
round linkage and the spawn audit."""

# No ``from __future__ import annotations``: FastAPI inspects endpoint annotations at runtime.
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from etstats.storage.base import Storage
from etstats_fastapi.auth import Auth
from etstats_fastapi.problems import problem_responses
from etstats_fastapi.runtime import Runtime


def store_summary(storage: Storage) -> dict[str, Any]:
    """Schema version, round counts by source, verdict counts, rejected and unlinked totals."""
    from etstats.ingest.audit import audit_report

    report = audit_report(storage)
    return {
        "schema_version": storage.schema_version(),
        "rounds": report["rounds"],
        "verdicts": report["verdicts"],
        "rejected": len(report["rejected"]),
        "unlinked": len(report["unlinked"]),
    }


def register_diagnostics(router: APIRouter, holder: Callable[[], Runtime], *, admin: Auth) -> None:
    """Add the diagnostics routes to ``router``, guarded by ``admin``."""
    guarded = [Depends(admin)]
    errors = problem_responses(401, 503)

    @router.get("/v1/diagnostics", tags=["diagnostics"], dependencies=guarded,
                responses=errors, summary="What the store holds")  # fmt: skip
    async def diagnostics_summary(runtime: Runtime = Depends(holder)) -> dict[str, Any]:  # noqa: B008
        return await run_in_threadpool(runtime.read, store_summary)
