"""RFC 9457 problem details for every error the HTTP adapter answers.

Every error body is ``application/problem+json`` with ``type`` (``urn:etstats:problem:<slug>``),
``title``, ``status`` and ``detail``; extension members are added only where documented. No
client input, SQL, file path or traceback is ever echoed: validation errors name the location
of the bad parameter, not its value (a lone surrogate in an echoed value made other services
answer 500).

Only a FastAPI *app* has exception handlers, so the router carries :class:`ProblemRoute`,
which answers with problem details on its own wherever it is mounted;
:func:`install_problem_handlers` covers the rest of a standalone app (404, 405, 500).
"""

# No ``from __future__ import annotations``: FastAPI inspects handler annotations at runtime.
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from etstats.errors import EtStatsError

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("etstats.http")

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    408: "Request timeout",
    409: "Conflict",
    411: "Length required",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


def problem(
    status: int, kind: str, detail: str, /, *, title: str | None = None, **extra: Any
) -> JSONResponse:
    """A problem+json response (``extra``: extension members, never raw client input)."""
    body: dict[str, Any] = {
        "type": f"urn:etstats:problem:{kind}",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    headers = {"WWW-Authenticate": 'ApiKey realm="etstats"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _validation_problem(exc: RequestValidationError) -> JSONResponse:
    where = []
    for err in exc.errors()[:20]:
        loc = ".".join(str(part) for part in err.get("loc", ()) if isinstance(part, str | int))
        where.append({"location": loc[:200], "message": str(err.get("msg", ""))[:200]})
    return problem(422, "validation", "a parameter is missing or not valid", errors=where)


def _http_problem(exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    return problem(exc.status_code, f"http-{exc.status_code}", detail)


def _internal_problem(exc: Exception) -> JSONResponse:
    if isinstance(exc, EtStatsError):  # e.g. the store is unreachable: retryable
        log.warning("etstats http: store error (%s)", type(exc).__name__)
        return problem(503, "unavailable", "the store is unavailable; retry later")
    log.exception("etstats http: unexpected error")  # the traceback goes to the log only
    return problem(500, "internal", "an internal error occurred")


class ProblemRoute(APIRoute):
    """Route class that turns every error of its handler into problem details."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except RequestValidationError as exc:
                return _validation_problem(exc)
            except StarletteHTTPException as exc:
                return _http_problem(exc)
            except Exception as exc:
                return _internal_problem(exc)

        return handler


def install_problem_handlers(app: FastAPI) -> None:
    """Problem details for app-level errors (unknown paths, wrong methods, crashes)."""

    async def on_http(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for it only
        return _http_problem(exc)

    async def on_validation(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)  # noqa: S101
        return _validation_problem(exc)

    async def on_error(_request: Request, exc: Exception) -> Response:
        return _internal_problem(exc)

    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_error)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
    "additionalProperties": True,
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries declaring problem+json bodies for ``statuses``."""
    return {
        s: {
            "description": _TITLES.get(s, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
        for s in statuses
    }
