"""Server-rendered pages (Jinja2): overview, session, player and the spawn-audit page.

Each page is one request with no script; the only other resource is the stylesheet at
``static/etstats.css``. Every HTML answer carries ``Content-Security-Policy: default-src
'self'``. Templates autoescape, so player names (untrusted game-client text) cannot inject
markup.
"""

# No ``from __future__ import annotations``: FastAPI inspects endpoint annotations at runtime.
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from etstats.serde import to_builtins
from etstats.storage.base import Storage
from etstats_fastapi.audit_view import AuditRow, audit_rows
from etstats_fastapi.auth import Auth
from etstats_fastapi.health import pipeline_health
from etstats_fastapi.problems import problem_responses
from etstats_fastapi.runtime import Runtime
from etstats_fastapi.svg import VERDICT_COLOURS, Point, scatter

CSP = (
    "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""``default-src 'self'`` plus tighter directives; no inline script or style is needed."""
AUDIT_PAGE_ROWS = 500
OVERVIEW_SESSIONS = 3
"""Sessions on the overview page (each is one session query with its map results)."""
DEFAULT_TOLERANCE_S = 5.0
MAX_UNIX = 253_402_300_799
"""9999-12-31T23:59:59Z, the last second a date can be shown for."""


def _when(value: int | None) -> str:
    if value is None:
        return "—"
    try:
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):  # a stored value far outside real time
        return f"{value} s"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _hours(value: float | None) -> str:
    return "ever" if value is None else f"{value:.0f} h"


def make_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("etstats_fastapi", "templates"), autoescape=select_autoescape(["html"])
    )
    env.filters.update(when=_when, num=_num, hours=_hours)
    return env


def audit_svg(rows: list[AuditRow], title: str) -> tuple[str, int, float]:
    """The scatter of the rows that have both values; (svg, plotted count, tolerance s)."""
    tolerances = [r.tolerance_seconds for r in rows if r.tolerance_seconds is not None]
    tolerance = statistics.median(tolerances) if tolerances else DEFAULT_TOLERANCE_S
    points = [
        Point(r.stats_dead_seconds, r.lua_dead_seconds, r.verdict, r.player_name or r.player_key)
        for r in rows
        if r.stats_dead_seconds is not None and r.lua_dead_seconds is not None
    ]
    return scatter(points, tolerance_s=tolerance, title=title), len(points), tolerance


def register_pages(router: APIRouter, holder: Callable[[], Runtime], *, reader: Auth) -> None:
    """Add the pages and the stylesheet to ``router``."""
    env = make_environment()
    css = resources.files("etstats_fastapi").joinpath("static/etstats.css").read_bytes()
    deps = [Depends(reader)]
    errs = problem_responses(401, 404, 422, 503)
    html_ok: dict[int | str, dict[str, Any]] = {
        200: {"content": {"text/html": {}}, "description": "The page"},
        **errs,
    }
    rt = Depends(holder)

    def render(request: Request, own_path: str, name: str, **context: Any) -> HTMLResponse:
        # Where the host mounted the router: the request path minus as many trailing
        # segments as this page's own path has (works whatever prefix include_router got).
        own = [part for part in own_path.split("/") if part]
        parts = str(request.scope.get("path", "/")).split("/")
        base = "/".join(parts[: len(parts) - len(own)] if own else parts)
        body = env.get_template(name).render(base=base.rstrip("/"), **context)
        return HTMLResponse(
            body,
            headers={
                "Content-Security-Policy": CSP,
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin",
                "Cache-Control": "no-cache",
            },
        )

    @router.get("/static/etstats.css", tags=["pages"], include_in_schema=False)
    async def page_stylesheet() -> Response:
        return Response(
            css, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"}
        )

    @router.get(
        "/",
        tags=["pages"],
        dependencies=deps,
        response_class=HTMLResponse,
        responses=html_ok,
        summary="Overview page",
    )
    async def page_overview(request: Request, runtime: Runtime = rt) -> HTMLResponse:
        def build(s: Storage) -> dict[str, Any]:
            summaries = s.sessions(limit=OVERVIEW_SESSIONS)
            full = [s.session(x.id, server=x.server) for x in summaries]
            return {
                "sessions": [to_builtins(x) for x in full if x is not None],
                "health": pipeline_health(s, now_unix=time.time()),
            }

        return render(request, "/", "overview.html", **await run_in_threadpool(runtime.read, build))

    @router.get(
        "/sessions/{session_id}",
        tags=["pages"],
        dependencies=deps,
        response_class=HTMLResponse,
        responses=html_ok,
        summary="Session page",
    )
    async def page_session(
        request: Request, runtime: Runtime = rt, session_id: int = Path(ge=0, le=MAX_UNIX)
    ) -> HTMLResponse:
        session = await run_in_threadpool(runtime.read, lambda s: s.session(session_id))
        if session is None:
            raise HTTPException(404, "no such session")
        return render(request, "/sessions/{session_id}", "session.html", s=to_builtins(session))

    @router.get(
        "/players/{guid}",
        tags=["pages"],
        dependencies=deps,
        response_class=HTMLResponse,
        responses=html_ok,
        summary="Player page",
    )
    async def page_player(
        request: Request, runtime: Runtime = rt, guid: str = Path(pattern=r"^[0-9A-Fa-f]{8,32}$")
    ) -> HTMLResponse:
        career = await run_in_threadpool(runtime.read, lambda s: s.career(guid.upper()))
        if career is None:
            raise HTTPException(404, "no such player")
        return render(request, "/players/{guid}", "player.html", c=to_builtins(career))

    @router.get(
        "/audit",
        tags=["pages"],
        dependencies=deps,
        response_class=HTMLResponse,
        responses=html_ok,
        summary="Spawn-audit page with an SVG scatter",
    )
    async def page_audit(
        request: Request,
        runtime: Runtime = rt,
        round_id: int | None = Query(None, ge=1, le=MAX_UNIX),
        since_unix: int | None = Query(None, ge=0, le=MAX_UNIX),
        until_unix: int | None = Query(None, ge=0, le=MAX_UNIX),
    ) -> HTMLResponse:
        def build(s: Storage) -> list[AuditRow]:
            return audit_rows(
                s,
                round_ids=None if round_id is None else [round_id],
                since_unix=since_unix,
                until_unix=until_unix,
            )

        rows = (await run_in_threadpool(runtime.read, build))[:AUDIT_PAGE_ROWS]
        scope = (
            f"round {round_id}"
            if round_id is not None
            else (f"{_when(since_unix)} – {_when(until_unix)}" if since_unix or until_unix else "")
        )
        svg, plotted, tolerance = audit_svg(rows, f"Lua against stats-file dead time {scope}")
        return render(
            request,
            "/audit",
            "audit.html",
            rows=rows,
            svg=svg,
            plotted=plotted,
            unplotted=len(rows) - plotted,
            tolerance=f"{tolerance:g}",
            scope=scope,
            colours=VERDICT_COLOURS,
        )
