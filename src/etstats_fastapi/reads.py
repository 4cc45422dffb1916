"""The read API: rounds, one round, map results, sessions, players, leaderboards and records.

Every route answers from the core's typed read API (:mod:`etstats.queries`, the Storage read
methods) serialised with :func:`etstats.serde.to_builtins`; its OpenAPI schema is the core's
JSON Schema of the same attrs class. Reads carry an ``ETag`` (SHA-256 of the body) and
``Cache-Control``; a matching ``If-None-Match`` gets 304.
"""

# No ``from __future__ import annotations``: FastAPI inspects endpoint annotations at runtime.
import enum
import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from etstats.queries import stat_names
from etstats.queries.types import (
    Career,
    Leaderboard,
    MapResult,
    PlayerMatch,
    RecordEntry,
    RoundDetail,
    RoundSummary,
    Session,
    SessionSummary,
    Window,
)
from etstats.serde import to_builtins
from etstats.storage.base import ROUND_TABLES, Storage
from etstats_fastapi.auth import Auth
from etstats_fastapi.problems import problem_responses
from etstats_fastapi.runtime import Runtime
from etstats_fastapi.schemas import array_of, inline_schema, json_response, page_of

CACHE_CONTROL = "public, max-age=30"
"""Reads may be cached briefly: a new round shows within 30 s."""
MAX_UNIX = 253_402_300_799  # 9999-12-31T23:59:59Z: every value formats as a date
GUID_PATTERN = r"^[0-9A-Fa-f]{8,32}$"
StatName = enum.Enum("StatName", {n: n for n in stat_names()}, type=str)  # type: ignore[misc]


def json_with_etag(request: Request, data: Any) -> Response:
    """``data`` as JSON with an ETag and Cache-Control; 304 when the client has it."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if etag in (t.strip() for t in request.headers.get("if-none-match", "").split(",")):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


CURSOR_PATTERN = r"^o[0-9]{1,9}$"
"""Cursors are opaque to clients; pass back ``next_cursor`` as it came."""


def encode_cursor(offset: int) -> str:
    return f"o{offset}"


def decode_cursor(cursor: str | None) -> int:
    """The position a cursor (already matched against :data:`CURSOR_PATTERN`) stands for."""
    return 0 if cursor is None else int(cursor[1:])


def _window(since: int | None, until: int | None, server: str | None) -> Window:
    return Window(since_unix=since, until_unix=until, server=server)


def round_extras(storage: Storage, round_id: int) -> dict[str, Any]:
    """Lua timing and the reconciliation checks (verdict, causes) stored for a round."""
    lua = storage.table_rows("lua_timing", [round_id])
    columns = ROUND_TABLES["lua_timing"]
    timing = dict(zip(columns, lua[0], strict=False)) if lua else None
    recon = storage.table_rows("reconciliations", [round_id])
    checks: list[dict[str, Any]] = []
    verdict = None
    if recon:
        verdict = str(recon[0][1])
        for cmp in json.loads(recon[0][4]).get("comparisons", []):
            if cmp.get("verdict") != "agree":
                checks.append(
                    {
                        k: cmp.get(k)
                        for k in (
                            "check",
                            "verdict",
                            "player",
                            "player_name",
                            "difference",
                            "tolerance",
                            "unit",
                            "causes",
                            "message",
                        )
                    }
                )
    return {"lua_timing": timing, "verdict": verdict, "checks": checks}


ROUND_VIEW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["round", "lua_timing", "verdict", "checks"],
    "properties": {
        "round": inline_schema(RoundDetail),
        "lua_timing": {"anyOf": [{"type": "object"}, {"type": "null"}]},
        "verdict": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "checks": {"type": "array", "items": {"type": "object"}},
    },
}


def register_reads(router: APIRouter, holder: Callable[[], Runtime], *, reader: Auth) -> None:
    """Add the read routes to ``router``, guarded by ``reader`` (public by default)."""
    deps = [Depends(reader)]
    errs = problem_responses(400, 401, 404, 422, 503)

    def ok(description: str, schema: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
        return {
            200: json_response(description, schema),
            304: {"description": "Not modified"},
            **errs,
        }

    async def read(runtime: Runtime, fn: Callable[[Storage], Any]) -> Any:
        return await run_in_threadpool(runtime.read, fn)

    def found(value: Any, what: str) -> Any:
        if value is None:
            raise HTTPException(404, f"no such {what}")
        return to_builtins(value)

    rt = Depends(holder)

    @router.get(
        "/v1/rounds",
        tags=["rounds"],
        dependencies=deps,
        response_class=Response,
        responses=ok("Rounds, newest first", page_of(RoundSummary)),
        summary="Rounds (cursor paging; filters by server, map, date)",
    )
    async def list_rounds(
        request: Request,
        runtime: Runtime = rt,
        server: str | None = Query(None, max_length=64),
        map_name: str | None = Query(None, max_length=64),
        round_number: int | None = Query(None, ge=1, le=2),
        since_unix: int | None = Query(None, ge=0, le=MAX_UNIX),
        until_unix: int | None = Query(None, ge=0, le=MAX_UNIX),
        limit: int = Query(50, ge=1, le=500),
        cursor: str | None = Query(None, max_length=40, pattern=CURSOR_PATTERN),
    ) -> Response:
        offset = decode_cursor(cursor)
        rows = await read(
            runtime,
            lambda s: s.list_rounds(
                server=server,
                map_name=map_name,
                round_number=round_number,
                since_unix=since_unix,
                until_unix=until_unix,
                limit=limit + 1,
                offset=offset,
            ),
        )
        more = len(rows) > limit
        return json_with_etag(
            request,
            {
                "items": to_builtins(rows[:limit]),
                "next_cursor": encode_cursor(offset + limit) if more else None,
            },
        )

    @router.get(
        "/v1/rounds/{round_id}",
        tags=["rounds"],
        dependencies=deps,
        response_class=Response,
        summary="One round: players, Lua timing, verdicts",
        responses=ok("The round", ROUND_VIEW_SCHEMA),
    )
    async def get_round(
        request: Request, runtime: Runtime = rt, round_id: int = Path(ge=1, le=MAX_UNIX)
    ) -> Response:
        def build(s: Storage) -> dict[str, Any]:
            detail = found(s.round_detail(round_id), "round")
            return {"round": detail, **round_extras(s, round_id)}

        return json_with_etag(request, await read(runtime, build))

    @router.get(
        "/v1/rounds/{round_id}/map-result",
        tags=["rounds"],
        dependencies=deps,
        response_class=Response,
        summary="The stopwatch map result of a round",
        responses=ok("The map result", inline_schema(MapResult)),
    )
    async def get_map_result(
        request: Request, runtime: Runtime = rt, round_id: int = Path(ge=1, le=MAX_UNIX)
    ) -> Response:
        data = await read(runtime, lambda s: found(s.map_result(round_id), "map result"))
        return json_with_etag(request, data)

    @router.get(
        "/v1/sessions",
        tags=["sessions"],
        dependencies=deps,
        response_class=Response,
        summary="Gaming sessions, newest first",
        responses=ok("Sessions", page_of(SessionSummary)),
    )
    async def list_sessions(
        request: Request,
        runtime: Runtime = rt,
        server: str | None = Query(None, max_length=64),
        limit: int = Query(20, ge=1, le=200),
        cursor: str | None = Query(None, max_length=40, pattern=CURSOR_PATTERN),
    ) -> Response:
        offset = decode_cursor(cursor)
        rows = await read(
            runtime, lambda s: s.sessions(server=server, limit=limit + 1, offset=offset)
        )
        more = len(rows) > limit
        return json_with_etag(
            request,
            {
                "items": to_builtins(rows[:limit]),
                "next_cursor": encode_cursor(offset + limit) if more else None,
            },
        )

    @router.get(
        "/v1/sessions/latest",
        tags=["sessions"],
        dependencies=deps,
        response_class=Response,
        summary="The latest session",
        responses=ok("The session", inline_schema(Session)),
    )
    async def latest_session(
        request: Request, runtime: Runtime = rt, server: str | None = Query(None, max_length=64)
    ) -> Response:
        data = await read(runtime, lambda s: found(s.latest_session(server=server), "session"))
        return json_with_etag(request, data)

    @router.get(
        "/v1/sessions/{session_id}",
        tags=["sessions"],
        dependencies=deps,
        response_class=Response,
        summary="One session (id = its start, Unix seconds)",
        responses=ok("The session", inline_schema(Session)),
    )
    async def get_session(
        request: Request, runtime: Runtime = rt, session_id: int = Path(ge=0, le=MAX_UNIX)
    ) -> Response:
        data = await read(runtime, lambda s: found(s.session(session_id), "session"))
        return json_with_etag(request, data)

    @router.get(
        "/v1/players",
        tags=["players"],
        dependencies=deps,
        response_class=Response,
        summary="Find players by GUID, GUID prefix or name",
        responses=ok("Matches", inline_schema(PlayerMatch)),
    )
    async def find_players(
        request: Request,
        runtime: Runtime = rt,
        q: str = Query(min_length=1, max_length=64),
        limit: int = Query(10, ge=1, le=100),
    ) -> Response:
        data = await read(runtime, lambda s: to_builtins(s.find_players(q, limit=limit)))
        return json_with_etag(request, data)

    @router.get(
        "/v1/players/{guid}",
        tags=["players"],
        dependencies=deps,
        response_class=Response,
        summary="A player's career, by map and by weapon",
        responses=ok("The career", inline_schema(Career)),
    )
    async def get_player(
        request: Request,
        runtime: Runtime = rt,
        guid: str = Path(pattern=GUID_PATTERN),
        since_unix: int | None = Query(None, ge=0, le=MAX_UNIX),
        until_unix: int | None = Query(None, ge=0, le=MAX_UNIX),
        server: str | None = Query(None, max_length=64),
    ) -> Response:
        window = _window(since_unix, until_unix, server)
        data = await read(runtime, lambda s: found(s.career(guid.upper(), window=window), "player"))
        return json_with_etag(request, data)

    @router.get(
        "/v1/leaderboards/{stat}",
        tags=["players"],
        dependencies=deps,
        response_class=Response,
        summary="Players ranked by a statistic",
        responses=ok("The leaderboard", inline_schema(Leaderboard)),
    )
    async def get_leaderboard(
        request: Request,
        stat: StatName,
        runtime: Runtime = rt,
        since_unix: int | None = Query(None, ge=0, le=MAX_UNIX),
        until_unix: int | None = Query(None, ge=0, le=MAX_UNIX),
        server: str | None = Query(None, max_length=64),
        min_rounds: int | None = Query(None, ge=0, le=100_000),
        limit: int = Query(20, ge=1, le=200),
        offset: int = Query(0, ge=0, le=100_000),
    ) -> Response:
        window = _window(since_unix, until_unix, server)
        data = await read(
            runtime,
            lambda s: to_builtins(
                s.leaderboard(
                    stat.value, window=window, min_rounds=min_rounds, limit=limit, offset=offset
                )
            ),
        )
        return json_with_etag(request, data)

    @router.get(
        "/v1/records",
        tags=["players"],
        dependencies=deps,
        response_class=Response,
        summary="Best single round and best map per statistic",
        responses=ok("Records", array_of(RecordEntry)),
    )
    async def get_records(
        request: Request,
        runtime: Runtime = rt,
        stat: list[StatName] | None = Query(None, max_length=20),  # noqa: B008
        since_unix: int | None = Query(None, ge=0, le=MAX_UNIX),
        until_unix: int | None = Query(None, ge=0, le=MAX_UNIX),
        server: str | None = Query(None, max_length=64),
    ) -> Response:
        names = [s.value for s in stat] if stat else None
        window = _window(since_unix, until_unix, server)
        data = await read(runtime, lambda s: to_builtins(s.records(names, window=window)))
        return json_with_etag(request, data)
