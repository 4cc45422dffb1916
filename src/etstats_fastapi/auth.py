"""API-key authentication for diagnostics and admin routes, as a replaceable dependency.

A client sends ``X-API-Key: <key>`` (or ``Authorization: Bearer <key>``). Keys come from
:class:`~etstats_fastapi.runtime.HttpSettings` (``$ETSTATS_API_KEYS``). A host application that
has its own login passes its own dependency to
:func:`etstats_fastapi.router.create_router` (``auth=...``) instead.

Game-server upload signing is a different mechanism: :mod:`etstats.ingest.signing`.
"""

# No ``from __future__ import annotations``: FastAPI inspects the dependency's signature.
import hmac
from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.exceptions import HTTPException

Auth = Callable[[Request], Awaitable[None]]
"""A dependency that returns when the request may proceed and raises ``HTTPException`` if not."""


def _presented_key(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def api_key_auth(keys: tuple[str, ...]) -> Auth:
    """A dependency accepting any of ``keys`` (constant-time compare); 401 otherwise."""
    encoded = tuple(k.encode("utf-8") for k in keys)

    async def require_api_key(request: Request) -> None:
        given = _presented_key(request)
        if given is not None:
            raw = given.encode("utf-8", "replace")
            # Compare against every key so the time taken does not tell which one is close.
            if sum(hmac.compare_digest(raw, k) for k in encoded) > 0:
                return
        raise HTTPException(401, "an API key is required (X-API-Key header)")

    return require_api_key


async def allow_all(_request: Request) -> None:
    """The dependency for public routes (what ``public_reads=True`` uses)."""
