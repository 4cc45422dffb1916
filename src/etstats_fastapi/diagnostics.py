"""Diagnostics routes (API key by default): store summary, pipeline and Lua-webhook health,
round linkage and the spawn audit."""

# No ``from __future__ import annotations``: FastAPI inspects endpoint annotations at runtime.
import time
from collections.abc import Callable
from enum import Enum
from typing import Any

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from etstats.outbox.silence import silence_hours
from etstats.storage.base import Storage
from etstats_fastapi.audit_view import audit_page, audit_rows
from etstats_fastapi.auth import Auth
from etstats_fastapi.health import linkage, lua_webhook_health, pipeline_health
from etstats_fastapi.models import (
    Linkage,
    LuaWebhookHealth,
    PipelineHealth,
    SpawnAudit,
    StoreSummary,
)
from etstats_fastapi.problems import problem_responses
from etstats_fastapi.runtime import Runtime

MAX_UNIX = 253_402_300_799  # 9999-12-31T23:59:59Z: every value formats as a date
"""Upper bound for Unix-second query parameters (keeps SQL integers in range)."""


def store_summary(storage: Storage) -> dict[str, Any]:
    """Schema version, rounds, player lines, artifacts per status, rounds per verdict (SQL
    counts)."""
    counts = storage.store_counts()
    return {
        "schema_version": storage.schema_version(),
        "rounds": counts.rounds,
        "player_lines": counts.player_lines,
        "artifacts": counts.artifacts,
        "verdicts": counts.verdicts,
    }


def outbox_state(storage: Storage) -> dict[str, Any]:
    """Outbox depth (rows waiting), rows per target and state, and the failing targets (with
    ``failed`` or ``disabled`` rows)."""
    with storage.transaction() as tx:
        counts = tx.outbox_counts()
    by_target: dict[str, dict[str, int]] = {}
    for (target, state), n in counts.items():
        by_target.setdefault(target, {})[state] = n
    failing = sorted(
        t for t, states in by_target.items() if states.get("failed") or states.get("disabled")
    )
    depth = sum(n for (_t, state), n in counts.items() if state == "pending")
    return {"depth": depth, "by_target": by_target, "failing_targets": failing}


def register_diagnostics(router: APIRouter, holder: Callable[[], Runtime], *, admin: Auth) -> None:
    """Add the diagnostics routes to ``router``, guarded by ``admin``."""
    guarded = [Depends(admin)]
    errors = problem_responses(401, 422, 503)
    tags: list[str | Enum] = ["diagnostics"]

    @router.get(
        "/v1/diagnostics",
        tags=tags,
        dependencies=guarded,
        responses=errors,
        summary="What the store holds",
        response_model=StoreSummary,
    )
    async def diagnostics_summary(runtime: Runtime = Depends(holder)) -> Any:  # noqa: B008
        return await run_in_threadpool(runtime.read, store_summary)

    @router.get(
        "/v1/diagnostics/pipeline",
        tags=tags,
        dependencies=guarded,
        responses=errors,
        summary="Pipeline health: arrivals, staleness, outbox",
        response_model=PipelineHealth,
    )
    async def diagnostics_pipeline(
        runtime: Runtime = Depends(holder),  # noqa: B008
        stale_hours: float = Query(24.0, gt=0, le=24 * 365),
        no_round_hours: float | None = Query(None, gt=0, le=24 * 365),
    ) -> Any:
        hours = silence_hours() if no_round_hours is None else no_round_hours

        def build(storage: Storage) -> dict[str, Any]:
            return pipeline_health(
                storage,
                now_unix=time.time(),
                stale_hours=stale_hours,
                no_round_hours=hours,
                refusals=runtime.refusals.counts,
                outbox=outbox_state(storage),
            )

        return await run_in_threadpool(runtime.read, build)

    @router.get(
        "/v1/diagnostics/lua-webhook",
        tags=tags,
        dependencies=guarded,
        responses=errors,
        summary="Lua-webhook health: linkage, coverage, lag",
        response_model=LuaWebhookHealth,
    )
    async def diagnostics_lua_webhook(runtime: Runtime = Depends(holder)) -> Any:  # noqa: B008
        def build(storage: Storage) -> dict[str, Any]:
            return lua_webhook_health(storage, refusals=runtime.refusals.counts)

        return await run_in_threadpool(runtime.read, build)

    @router.get(
        "/v1/diagnostics/linkage",
        tags=tags,
        dependencies=guarded,
        responses=errors,
        summary="Which sources each round has",
        response_model=Linkage,
    )
    async def diagnostics_linkage(
        runtime: Runtime = Depends(holder),  # noqa: B008
        limit: int = Query(50, ge=1, le=500),
        offset: int = Query(0, ge=0, le=10_000_000),
    ) -> Any:
        def build(storage: Storage) -> dict[str, Any]:
            return linkage(storage, limit=limit, offset=offset)

        return await run_in_threadpool(runtime.read, build)

    @router.get(
        "/v1/diagnostics/spawn-audit",
        tags=tags,
        dependencies=guarded,
        responses=errors,
        response_model=SpawnAudit,
        summary="Lua dead time against the stats file's, worst first",
    )
    async def diagnostics_spawn_audit(
        runtime: Runtime = Depends(holder),  # noqa: B008
        round_id: int | None = Query(None, ge=1, le=MAX_UNIX),
        since_unix: int | None = Query(None, ge=0, le=MAX_UNIX),
        until_unix: int | None = Query(None, ge=0, le=MAX_UNIX),
        limit: int = Query(50, ge=1, le=500),
        offset: int = Query(0, ge=0, le=10_000_000),
    ) -> Any:
        def build(storage: Storage) -> dict[str, Any]:
            rows = audit_rows(
                storage,
                round_ids=None if round_id is None else [round_id],
                since_unix=since_unix,
                until_unix=until_unix,
            )
            return audit_page(rows, limit=limit, offset=offset)

        return await run_in_threadpool(runtime.read, build)
