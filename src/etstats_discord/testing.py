"""A fake Discord REST server for tests: a real HTTP server on 127.0.0.1 (not a mock).

It serves the webhook routes the sender uses (execute with ``wait=true``, message GET/PATCH/
DELETE, webhook GET) and a bot route to list a channel, and behaves like Discord where it
matters to a sender:

* it **enforces the limits** (2000/256/4096/25/256/1024/2048/6000, 10 embeds) independently
  of :mod:`etstats_discord.limits`, answering 400 with code 50035 and an ``errors`` tree;
* it **paces each webhook** at ``limit`` requests per ``per`` seconds with real
  ``X-RateLimit-*`` headers, answering 429 (``retry_after``, ``Retry-After``, scope, ``Via``)
  when a client ignores them; :attr:`FakeDiscord.rate_limited` counts those;
* scripted **faults** for the next requests (:meth:`FakeDiscord.fail`): ``429``,
  ``429-global``, ``429-shared``, ``429-novia``, ``500``, ``502``, ``hang`` (answer only after
  :attr:`hang_seconds` of real time), ``drop-before`` (close without doing anything),
  ``drop-after`` (do the request, then close without answering), ``404`` (unknown webhook),
  ``400`` (50035), and an :attr:`outage` switch (503 for everything).

Time for the rate limits comes from ``clock`` (seconds), so tests share a fake clock with the
sender. Used by tests/discord and by anyone testing a host bot offline.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DISCORD_EPOCH_MS = 1420070400000


def _too_long(text: Any, limit: int) -> bool:
    return isinstance(text, str) and len(text.strip()) > limit


def form_errors(body: dict[str, Any]) -> dict[str, Any]:
    """Discord's ``errors`` tree for a message body breaking a limit (empty if none)."""
    errors: dict[str, Any] = {}

    def put(path: list[str], msg: str) -> None:
        node = errors
        for p in path:
            node = node.setdefault(p, {})
        node["_errors"] = [{"code": "BASE_TYPE_MAX_LENGTH", "message": msg}]

    if _too_long(body.get("content"), 2000):
        put(["content"], "Must be 2000 or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        put(["embeds"], "Must be 10 or fewer in length.")
    total = 0
    for i, e in enumerate(embeds):
        for key, limit in (("title", 256), ("description", 4096)):
            if _too_long(e.get(key), limit):
                put(["embeds", str(i), key], f"Must be {limit} or fewer in length.")
            total += len(str(e.get(key, "")).strip())
        footer = (e.get("footer") or {}).get("text", "")
        if _too_long(footer, 2048):
            put(["embeds", str(i), "footer", "text"], "Must be 2048 or fewer in length.")
        total += len(footer.strip())
        fields = e.get("fields") or []
        if len(fields) > 25:
            put(["embeds", str(i), "fields"], "Must be 25 or fewer in length.")
        for j, f in enumerate(fields):
            name, value = str(f.get("name", "")), str(f.get("value", ""))
            if not name.strip() or len(name.strip()) > 256:
                put(["embeds", str(i), "fields", str(j), "name"], "Must be 1-256 in length.")
            if not value.strip() or len(value.strip()) > 1024:
                put(["embeds", str(i), "fields", str(j), "value"], "Must be 1-1024 in length.")
            total += len(name.strip()) + len(value.strip())
    if total > 6000:
        put(["embeds"], "Embed size exceeds maximum size of 6000")
    return errors


class FakeDiscord:
    """The fake server. Use as a context manager (starts and stops the server thread).

    :param clock: time source in seconds for the rate limits (shared with the sender in tests).
    :param limit: requests per webhook per ``per`` seconds (Discord's observed 5 per 2 s).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        limit: int = 5,
        per: float = 2.0,
        bot_token: str = "fake-bot-token",  # noqa: S107 - a fake
    ) -> None:
        self.clock, self.limit, self.per, self.bot_token = clock, limit, per, bot_token
        self.lock = threading.RLock()
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.faults: deque[str] = deque()
        self.outage = False
        self.hang_seconds = 1.0
        self.requests: list[tuple[str, str, int]] = []
        """(method, path without token, status) of every request answered."""
        self.rate_limited = 0
        """429s the pacer had to serve (a sender that obeys the headers gets none)."""
        self._windows: dict[str, tuple[float, int]] = {}
        self._seq = itertools.count()
        self._ids = itertools.count(1)
        self.server: ThreadingHTTPServer | None = None

    # -- setup ------------------------------------------------------------------------------
    def add_webhook(
        self,
        token: str = "t0ken",  # noqa: S107 - a fake's token
        channel_id: str = "9001",
    ) -> str:
        """A new webhook; returns its URL (as Discord shows it, on 127.0.0.1)."""
        with self.lock:
            wid = str(100000000000000000 + next(self._ids))
            self.webhooks[wid] = {"token": token, "channel_id": channel_id, "deleted": False}
        return f"{self.api_base}/webhooks/{wid}/{token}"

    def delete_webhook(self, url: str) -> None:
        """The webhook is deleted in Discord: every later call gets 404 / 10015."""
        wid = url.rstrip("/").split("/")[-2]
        with self.lock:
            self.webhooks[wid]["deleted"] = True

    def fail(self, *faults: str) -> None:
        """Apply these faults to the next requests, one each, in order."""
        with self.lock:
            self.faults.extend(faults)

    @property
    def api_base(self) -> str:
        if self.server is None:
            raise RuntimeError("start the fake first (with FakeDiscord() as fake)")
        return f"http://127.0.0.1:{self.server.server_port}/api/v10"

    def live(self, channel_id: str | None = None) -> list[dict[str, Any]]:
        """Messages that exist (not deleted), oldest first."""
        with self.lock:
            return [
                m
                for m in self.messages.values()
                if not m["deleted"] and (channel_id is None or m["channel_id"] == channel_id)
            ]

    def __enter__(self) -> FakeDiscord:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-discord",
            daemon=True,
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # -- behaviour --------------------------------------------------------------------------
    def snowflake(self) -> str:
        ms = int(self.clock() * 1000) - DISCORD_EPOCH_MS
        return str((max(ms, 0) << 22) | (next(self._seq) & 0x3FFFFF))

    def pace(self, wid: str) -> tuple[bool, dict[str, str], float]:
        """(allowed, rate-limit headers, seconds until reset) for one request."""
        now = self.clock()
        with self.lock:
            start, used = self._windows.get(wid, (now, 0))
            if now >= start + self.per:
                start, used = now, 0
            allowed = used < self.limit
            if allowed:
                used += 1
            self._windows[wid] = (start, used)
            reset = start + self.per
        after = max(0.0, reset - now)
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.limit - used),
            "X-RateLimit-Reset": f"{reset:.3f}",
            "X-RateLimit-Reset-After": f"{after:.3f}",
            "X-RateLimit-Bucket": f"webhook-{wid}",
        }
        return allowed, headers, after


def _handler(fake: FakeDiscord) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: object) -> None:
            pass

        def _send(
            self,
            status: int,
            body: Any = None,
            headers: dict[str, str] | None = None,
            path: str = "",
        ) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            with fake.lock:
                fake.requests.append((self.command, path, status))

        def _drop(self) -> None:
            self.close_connection = True
            with suppress(OSError):
                self.connection.shutdown(2)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            self.files: dict[str, int] = {}
            ctype = self.headers.get("Content-Type", "")
            if ctype.startswith("multipart/form-data"):
                return self._multipart(ctype, raw)
            try:
                value = json.loads(raw or b"{}")
            except ValueError:
                return {}
            return value if isinstance(value, dict) else {}

        def _multipart(self, ctype: str, raw: bytes) -> dict[str, Any]:
            """``payload_json`` and ``files[n]`` of a multipart body (file sizes kept)."""
            from email.parser import BytesParser
            from email.policy import default

            msg = BytesParser(policy=default).parsebytes(
                f"Content-Type: {ctype}\r\n\r\n".encode() + raw
            )
            body: dict[str, Any] = {}
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                if name == "payload_json":
                    value = json.loads(data or b"{}")
                    body = value if isinstance(value, dict) else {}
                else:
                    self.files[str(part.get_filename())] = len(data)
            return body

        def do_GET(self) -> None:
            self._route()

        def do_POST(self) -> None:
            self._route()

        def do_PATCH(self) -> None:
            self._route()

        def do_DELETE(self) -> None:
            self._route()

        def _route(self) -> None:
            url = urlsplit(self.path)
            parts = url.path.strip("/").split("/")
            body = self._body() if self.command in ("POST", "PATCH") else {}
            if parts[:2] != ["api", "v10"]:
                return self._send(404, {"message": "404: Not Found", "code": 0})
            parts = parts[2:]
            if parts[:1] == ["channels"] and len(parts) == 3 and self.command == "GET":
                return self._list_channel(parts[1], parse_qs(url.query))
            if parts[:1] != ["webhooks"] or len(parts) < 3:
                return self._send(404, {"message": "404: Not Found", "code": 0})
            wid, token = parts[1], parts[2]
            path = f"{self.command} /webhooks/{wid}/" + "/".join(parts[3:])
            hook = fake.webhooks.get(wid)
            with fake.lock:
                fault = fake.faults.popleft() if fake.faults else None
            if fault == "drop-before":
                return self._drop()
            if fault == "hang":
                time.sleep(fake.hang_seconds)
                return self._drop()
            if fake.outage:
                return self._send(503, {"message": "upstream connect error", "code": 0}, path=path)
            if hook is None or hook["deleted"] or hook["token"] != token or fault == "404":
                return self._send(404, {"message": "Unknown Webhook", "code": 10015}, path=path)
            allowed, headers, after = fake.pace(wid)
            if (fault and fault.startswith("429")) or not allowed:
                scope = {"429-global": "global", "429-shared": "shared"}.get(fault or "", "user")
                wait = round(after if not fault else 0.5, 3) or 0.1
                h = {"Retry-After": str(max(1, round(wait))), "X-RateLimit-Scope": scope}
                if fault != "429-novia":
                    h["Via"] = "1.1 google"
                if scope == "global":
                    h["X-RateLimit-Global"] = "true"
                if not allowed and not fault:
                    with fake.lock:
                        fake.rate_limited += 1
                return self._send(
                    429,
                    {
                        "message": "You are being rate limited.",
                        "retry_after": wait,
                        "global": scope == "global",
                    },
                    {**headers, **h},
                    path,
                )
            if fault in ("500", "502"):
                return self._send(
                    int(fault), {"message": "Internal Server Error", "code": 0}, headers, path
                )
            if fault == "400":
                return self._send(
                    400,
                    {
                        "message": "Invalid Form Body",
                        "code": 50035,
                        "errors": {
                            "embeds": {
                                "0": {
                                    "description": {
                                        "_errors": [
                                            {"code": "BASE_TYPE_MAX_LENGTH", "message": "too long"}
                                        ]
                                    }
                                }
                            }
                        },
                    },
                    headers,
                    path,
                )
            if self.command in ("POST", "PATCH"):
                errors = form_errors(body)
                if errors:
                    return self._send(
                        400,
                        {"message": "Invalid Form Body", "code": 50035, "errors": errors},
                        headers,
                        path,
                    )
                if not (body.get("content") or body.get("embeds")) and self.command == "POST":
                    return self._send(
                        400,
                        {"message": "Cannot send an empty message", "code": 50006},
                        headers,
                        path,
                    )
            result = self._apply(wid, hook, parts[3:], body, path, headers)
            if result is None:
                return None
            if fault == "drop-after":
                return self._drop()
            status, answer = result
            return self._send(status, answer, headers, path)

        def _apply(
            self,
            wid: str,
            hook: dict[str, Any],
            rest: list[str],
            body: dict[str, Any],
            path: str,
            headers: dict[str, str],
        ) -> tuple[int, Any] | None:
            if not rest:
                if self.command == "GET":
                    return 200, {
                        "id": wid,
                        "type": 1,
                        "channel_id": hook["channel_id"],
                        "guild_id": "77",
                        "name": "etstats",
                    }
                if self.command == "POST":
                    with fake.lock:
                        mid = fake.snowflake()
                        msg = {
                            "id": mid,
                            "webhook_id": wid,
                            "channel_id": hook["channel_id"],
                            "content": body.get("content", ""),
                            "embeds": body.get("embeds", []),
                            "allowed_mentions": body.get("allowed_mentions"),
                            "files": dict(getattr(self, "files", {})),
                            "edits": 0,
                            "deleted": False,
                        }
                        fake.messages[mid] = msg
                    wait = parse_qs(urlsplit(self.path).query).get("wait", ["false"])[0]
                    return (200, _public(msg)) if wait == "true" else (204, None)
            elif rest[0] == "messages" and len(rest) == 2:
                old = fake.messages.get(rest[1])
                if old is None or old["deleted"] or old["webhook_id"] != wid:
                    return 404, {"message": "Unknown Message", "code": 10008}
                if self.command == "GET":
                    return 200, _public(old)
                if self.command == "PATCH":
                    with fake.lock:
                        old.update(
                            {
                                k: body[k]
                                for k in ("content", "embeds", "allowed_mentions")
                                if k in body
                            }
                        )
                        if getattr(self, "files", None):
                            old["files"] = dict(self.files)
                        old["edits"] += 1
                    return 200, _public(old)
                if self.command == "DELETE":
                    with fake.lock:
                        old["deleted"] = True
                    return 204, None
            self._send(405, {"message": "405: Method Not Allowed", "code": 0}, headers, path)
            return None

        def _list_channel(self, channel_id: str, query: dict[str, list[str]]) -> None:
            if self.headers.get("Authorization") != f"Bot {fake.bot_token}":
                return self._send(401, {"message": "401: Unauthorized", "code": 0})
            after = int(query.get("after", ["0"])[0])
            found = sorted(
                (m for m in fake.live(channel_id) if int(m["id"]) > after),
                key=lambda m: -int(m["id"]),
            )[: int(query.get("limit", ["50"])[0])]
            return self._send(200, [_public(m) for m in found], path="GET /channels")

    return Handler


def _public(msg: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in msg.items() if k not in ("deleted",)}


@contextmanager
def fake_discord(**options: Any) -> Iterator[FakeDiscord]:
    """``with fake_discord() as fake: url = fake.add_webhook()``."""
    with FakeDiscord(**options) as fake:
        yield fake
