"""``POST /v1/ingest``: the signed ingest v2 receiver (contract in :mod:`etstats.ingest.signing`).

Order of work, so an unauthenticated client costs almost nothing:

1. every header is checked for shape and bounded length, the declared ``Content-Length``
   against the cap, and the HMAC over the canonical string, all BEFORE any body byte is read;
2. the body is read straight from the ASGI ``receive`` channel, counting bytes against the
   declared length, with a per-read timeout and a total deadline;
3. its SHA-256 must equal the signed ``X-Etstats-Content-SHA256``;
4. the pipeline ingests it (idempotent by content): 201 for a new artifact, 200 for one the
   store already holds (with the stored result), 422 problem details for a new artifact that
   was archived as rejected.

Refusals are logged at most once per :data:`LOG_EVERY_SECONDS` per reason so a flood cannot grow
the log without bound.
"""

# No ``from __future__ import annotations``: FastAPI inspects endpoint annotations at runtime.
import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from etstats.ingest.artifacts import Artifact
from etstats.ingest.signing import Refusal, SignedUpload, check_headers
from etstats_fastapi.problems import problem
from etstats_fastapi.runtime import Runtime

log = logging.getLogger("etstats.http.ingest")

LOG_EVERY_SECONDS = 60.0
"""A refusal reason is logged at most once per this many seconds (with a count)."""


HEARTBEAT_FILENAME = "heartbeat.json"
"""The signed file name of every heartbeat (``/v1/heartbeat``) and of nothing else: the
ingest route refuses it, so a heartbeat is never stored as an artifact."""


@dataclass
class RefusalLog:
    """Rate-limited logging of refusals: one line per reason per window, with the count."""

    window_s: float = LOG_EVERY_SECONDS
    counts: dict[str, int] = field(default_factory=dict)
    last: dict[str, float] = field(default_factory=dict)

    def note(self, kind: str, now: float) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if now - self.last.get(kind, -self.window_s) >= self.window_s:
            self.last[kind] = now
            log.warning("ingest refused (%s): %d so far", kind, self.counts[kind])


class BodyError(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.kind)
        self.refusal = refusal


async def read_body(
    request: Request, size: int, *, read_timeout_s: float, deadline_s: float
) -> bytes:
    """Exactly ``size`` body bytes from the ASGI channel, or :class:`BodyError`.

    ``read_timeout_s``: longest wait for one chunk (seconds); ``deadline_s``: longest total
    time for the whole body (seconds). More bytes than declared is refused at once.
    """
    chunks: list[bytes] = []
    got = 0
    end = time.monotonic() + deadline_s
    more = size > 0
    while more:
        left = end - time.monotonic()
        if left <= 0:
            raise BodyError(
                Refusal(
                    408,
                    "body-timeout",
                    "Request timeout",
                    f"the body must arrive within {deadline_s:g} s",
                )
            )
        try:
            message = await asyncio.wait_for(request.receive(), min(read_timeout_s, left))
        except TimeoutError:
            detail = f"no body bytes for {read_timeout_s:g} s"
            raise BodyError(Refusal(408, "body-timeout", "Request timeout", detail)) from None
        if message["type"] != "http.request":  # the client went away
            raise BodyError(
                Refusal(
                    400,
                    "incomplete-body",
                    "Bad request",
                    "the connection closed before the body ended",
                )
            )
        chunk = message.get("body", b"")
        got += len(chunk)
        if got > size:
            raise BodyError(
                Refusal(
                    400, "length-mismatch", "Bad request", "the body is longer than Content-Length"
                )
            )
        chunks.append(chunk)
        more = bool(message.get("more_body", False))
    if got != size:
        raise BodyError(
            Refusal(
                400, "length-mismatch", "Bad request", "the body is shorter than Content-Length"
            )
        )
    return b"".join(chunks)


def refusal_response(refusal: Refusal) -> JSONResponse:
    response = problem(refusal.status, refusal.kind, refusal.detail, title=refusal.title)
    if refusal.status in (400, 408, 411, 413):
        response.headers["Connection"] = "close"  # the rest of the body is never read
    return response


async def read_signed_body(
    request: Request, runtime: Runtime, checked: SignedUpload, now: float
) -> bytes | Response:
    """The body of a request whose signed headers passed, read within the runtime's read
    timeout and deadline (seconds) and checked against its signed SHA-256; or the problem
    response that refuses it (noted in the refusal log at ``now``, Unix seconds)."""
    try:
        body = await read_body(
            request,
            checked.content_length,
            read_timeout_s=runtime.settings.body_read_timeout_s,
            deadline_s=runtime.settings.body_deadline_s,
        )
    except BodyError as exc:
        runtime.refusals.note(exc.refusal.kind, now)
        return refusal_response(exc.refusal)
    if hashlib.sha256(body).hexdigest() != checked.content_sha256:
        runtime.refusals.note("digest-mismatch", now)
        return problem(
            400, "digest-mismatch", "the body's SHA-256 does not match X-Etstats-Content-SHA256"
        )
    return body


def _result_body(result: Any, upload: SignedUpload) -> dict[str, Any]:
    return {
        "status": result.status,
        "sha256": result.sha256,
        "kind": result.kind,
        "name": upload.filename,
        "server": upload.server,
        "round_ids": list(result.round_ids),
        "error": result.error,
    }


async def ingest_endpoint(request: Request, runtime: Runtime) -> Response:
    """Authenticate, read, verify and ingest one artifact."""
    settings = runtime.settings
    now = time.time()
    checked = check_headers(
        request.headers, runtime.keys, now=now, max_body_bytes=settings.max_body_bytes
    )
    if isinstance(checked, Refusal):
        runtime.refusals.note(checked.kind, now)
        return refusal_response(checked)
    if checked.filename == HEARTBEAT_FILENAME:  # signed for /v1/heartbeat: never an artifact
        runtime.refusals.note("wrong-route", now)
        return problem(400, "wrong-route", "a heartbeat goes to /v1/heartbeat")
    body = await read_signed_body(request, runtime, checked, now)
    if isinstance(body, Response):
        return body
    artifact = Artifact.from_bytes(body, checked.filename, server=checked.server)
    result = await run_in_threadpool(runtime.ingest, artifact)
    payload = _result_body(result, checked)
    if result.status == "duplicate":
        payload.update(await run_in_threadpool(runtime.stored_result, result.sha256))
        return JSONResponse(payload, status_code=200)
    if result.status == "rejected":  # problem "status" is the HTTP code: "outcome" carries ours
        payload["outcome"] = payload.pop("status")
        return problem(
            422,
            "rejected-artifact",
            f"the artifact was archived as rejected: {result.error}",
            title="Artifact rejected",
            **payload,
        )
    return JSONResponse(payload, status_code=201)
