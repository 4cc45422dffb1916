"""Running the app under uvicorn with limits against slow and flooding clients.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) but has no timeout for a
connection that never finishes its request headers, so half-open connections would pile up
until the process runs out of file descriptors. :class:`HeaderTimeoutH11Protocol` closes a
connection whose headers are not complete within ``header_timeout_s``. Bodies are bounded by the
ingest route itself (declared length, per-read timeout, total deadline).

See docs/http.md for the matching reverse-proxy settings.
"""

from __future__ import annotations

import asyncio
import resource
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


@dataclass(frozen=True)
class ServerLimits:
    """Connection limits (seconds ``_s``; counts are connections)."""

    header_timeout_s: float = 5.0
    """A connection must complete its request headers within this time, or it is closed."""
    keep_alive_s: int = 5
    """Idle keep-alive connections are closed after this time."""
    max_connections: int = 4096
    """Above this many open connections or tasks, uvicorn answers 503 at once."""
    backlog: int = 2048
    max_header_bytes: int = 16 * 1024
    """Largest request head (h11's incomplete-event limit)."""
    graceful_shutdown_s: int = 10


class HeaderTimeoutH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus a deadline for the request headers of each request."""

    header_timeout_s: float = ServerLimits.header_timeout_s

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The next request on a kept-alive connection is bounded by the keep-alive timer
        # until its first byte, then by ours: simpler to re-arm here for the whole head.
        self._arm_header_timer(self.header_timeout_s + float(self.timeout_keep_alive))

    def _arm_header_timer(self, delay: float | None = None) -> None:
        handle = getattr(self, "_etstats_header_timer", None)
        if handle is not None:
            handle.cancel()
        self._etstats_header_timer = self.loop.call_later(
            delay if delay is not None else self.header_timeout_s, self._header_deadline
        )

    def _header_deadline(self) -> None:
        # Headers are complete once a request cycle exists for a new request.
        waiting = self.cycle is None or self.cycle.response_complete
        if waiting and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        handle = getattr(self, "_etstats_header_timer", None)
        if handle is not None:
            handle.cancel()
        super().connection_lost(exc)


def raise_open_file_limit(wanted: int) -> int:
    """Raise the soft RLIMIT_NOFILE towards ``wanted`` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


def uvicorn_config(
    app: Any, host: str, port: int, limits: ServerLimits | None = None, *, log_level: str = "info"
) -> Any:
    """A ``uvicorn.Config`` with the limits applied (no access log: a flood must not fill it)."""
    import uvicorn

    chosen = limits or ServerLimits()

    class Protocol(HeaderTimeoutH11Protocol):
        header_timeout_s = chosen.header_timeout_s

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=Protocol,
        lifespan="on",
        access_log=False,
        log_level=log_level,
        limit_concurrency=chosen.max_connections,
        timeout_keep_alive=chosen.keep_alive_s,
        backlog=chosen.backlog,
        h11_max_incomplete_event_size=chosen.max_header_bytes,
        timeout_graceful_shutdown=chosen.graceful_shutdown_s,
    )


class _Stopped(Exception):
    """SIGTERM arrived (uvicorn re-raises the signal it handled once it has shut down)."""


def _stop(signum: int, frame: object) -> None:
    raise _Stopped


def serve(app: Any, host: str, port: int, limits: ServerLimits | None = None) -> None:
    """Run ``app`` until Ctrl-C or SIGTERM, then return after a graceful shutdown.

    uvicorn handles the signal itself (draining requests, running the lifespan's shutdown) and
    then re-raises it; that second delivery is caught here, so stopping the server is a clean
    exit (code 0), not a ``KeyboardInterrupt`` traceback or death by SIGTERM.
    """
    import signal
    import threading

    import uvicorn

    limits = limits or ServerLimits()
    raise_open_file_limit(limits.max_connections + 256)
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop) if main else None
    try:
        uvicorn.Server(uvicorn_config(app, host, port, limits)).run()
    except (KeyboardInterrupt, _Stopped):
        pass
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
