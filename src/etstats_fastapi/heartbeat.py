"""``POST /v1/heartbeat``: the signed heartbeat of a game server (lua/etstats.lua).

The same signed ingest v2 headers as ``/v1/ingest`` (:mod:`etstats.ingest.signing`), checked
before any body byte is read, with the file name ``heartbeat.json`` (signed, so an upload
cannot be replayed here, nor a heartbeat there). The body is a small JSON object::

    {"type": "heartbeat", "version": 1, "sent_unix": 1767312000, "players": 6,
     "map": "supply", ...}

Only the newest heartbeat per server is kept (:func:`etstats.queries.heartbeats.record_heartbeat`);
204 answers a kept or an older (ignored) one, problem details anything malformed.
"""

# No ``from __future__ import annotations``: FastAPI inspects endpoint annotations at runtime.
import json
import re
import time
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from etstats.ingest.signing import Refusal, check_headers
from etstats_fastapi.ingest import HEARTBEAT_FILENAME, read_signed_body, refusal_response
from etstats_fastapi.problems import problem
from etstats_fastapi.runtime import Runtime

MAX_HEARTBEAT_BYTES = 4096
"""A heartbeat is about 150 bytes; anything larger is refused before it is read."""

MAX_PLAYERS = 1024
MAX_MAP_CHARS = 64
_MAP = re.compile(rf"[A-Za-z0-9_.-]{{1,{MAX_MAP_CHARS}}}")
"""A map as the engine names its file (the script replaces anything else with ``_``): safe
to show in an admin alert without escaping."""


def parse_heartbeat(body: bytes) -> tuple[int, int, str | None] | str:
    """(sent Unix seconds, players, map) from a heartbeat body, or why it is malformed."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "the body is not UTF-8 JSON"
    if not isinstance(doc, dict) or doc.get("type") != "heartbeat":
        return 'the body must be a JSON object with "type": "heartbeat"'
    sent, players, map_name = doc.get("sent_unix"), doc.get("players"), doc.get("map")
    if type(sent) is not int or not 0 < sent < 1 << 40:
        return '"sent_unix" must be Unix seconds (an integer)'
    if type(players) is not int or not 0 <= players <= MAX_PLAYERS:
        return f'"players" must be an integer from 0 to {MAX_PLAYERS}'
    if map_name is not None and (not isinstance(map_name, str) or not _MAP.fullmatch(map_name)):
        return f'"map" must be a map file name (A-Z a-z 0-9 _ . -, at most {MAX_MAP_CHARS})'
    return sent, players, map_name or None


async def heartbeat_endpoint(request: Request, runtime: Runtime) -> Response:
    """Authenticate, read and keep one heartbeat."""
    now = time.time()
    checked = check_headers(
        request.headers, runtime.keys, now=now, max_body_bytes=MAX_HEARTBEAT_BYTES
    )
    if isinstance(checked, Refusal):
        runtime.refusals.note(checked.kind, now)
        return refusal_response(checked)
    if checked.filename != HEARTBEAT_FILENAME:
        runtime.refusals.note("bad-heartbeat", now)
        return problem(
            400,
            "bad-heartbeat",
            f"a heartbeat is signed with the file name {HEARTBEAT_FILENAME}",
        )
    body = await read_signed_body(request, runtime, checked, now)
    if isinstance(body, Response):
        return body
    parsed = parse_heartbeat(body)
    if isinstance(parsed, str):
        runtime.refusals.note("bad-heartbeat", now)
        return problem(400, "bad-heartbeat", parsed)
    sent, players, map_name = parsed
    server = checked.server

    def keep(storage: Any) -> bool:
        with storage.transaction() as tx:
            return bool(
                tx.record_heartbeat(
                    server,
                    sent_unix=sent,
                    received_unix=int(now),
                    players=players,
                    map_name=map_name,
                )
            )

    await run_in_threadpool(runtime.read, keep)
    return Response(status_code=204)
