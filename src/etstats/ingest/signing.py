"""Signed ingest v2: the canonical string, the signer and the header checks (standard library).

A game server (``lua/etstats.lua``, ``etstats push`` or any other sender) uploads one
artifact per request to ``POST /v1/ingest`` with these headers::

    X-Etstats-Server:          <server name>           [A-Za-z0-9._-], 1..64 characters
    X-Etstats-Timestamp:       <Unix seconds>          decimal ASCII, 1..12 digits, the SEND time
    X-Etstats-Filename:        <file base name>        no path, 1..255 safe characters
    X-Etstats-Content-SHA256:  <64 lowercase hex>      SHA-256 of the body
    X-Etstats-Signature:       sha256=<64 lowercase hex HMAC-SHA256(secret, canonical)>
    Content-Length:            <body length in bytes>  required (no chunked uploads)

where ``canonical`` is the UTF-8 (in practice ASCII) string::

    "etstats-ingest-v2\\n" + server + "\\n" + timestamp + "\\n" + filename + "\\n" + content_sha256

Because the body enters the MAC through its digest, the receiver authenticates the request
from the headers alone, before it reads a single body byte, and then streams the body and
compares its SHA-256 with the signed digest. Each attempt is signed anew with the current
time; the receiver refuses timestamps more than :data:`MAX_SKEW_SECONDS` from its clock.

The receiver is :mod:`etstats_fastapi.ingest`; this module is shared with the sender so both
agree byte for byte.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from etstats.errors import ConfigError

PROTOCOL = "etstats-ingest-v2"
"""First line of the canonical string (the protocol version is signed too)."""

SERVER_HEADER = "X-Etstats-Server"
TIMESTAMP_HEADER = "X-Etstats-Timestamp"
FILENAME_HEADER = "X-Etstats-Filename"
DIGEST_HEADER = "X-Etstats-Content-SHA256"
SIGNATURE_HEADER = "X-Etstats-Signature"

MAX_SKEW_SECONDS = 300
"""Largest accepted difference (seconds) between the signed timestamp and the receiver clock."""

MAX_TIMESTAMP_DIGITS = 12
"""Timestamps longer than this are refused before any integer conversion."""

MAX_KEYS_PER_SERVER = 2
"""During a key change the old and the new secret are both valid; never more."""

SECRETS_ENV = "ETSTATS_INGEST_SECRETS"
"""Receiver: ``name=secret,name=secret2,...``; a name given twice has two valid keys."""

PUSH_SECRET_ENV = "ETSTATS_PUSH_SECRET"  # noqa: S105 - a variable name, not a secret
"""Sender (``etstats push``): this server's secret."""

_SERVER_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_TIMESTAMP_RE = re.compile(rf"[0-9]{{1,{MAX_TIMESTAMP_DIGITS}}}")
_FILENAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._+@=,()-]{0,254}")
_HEX64_RE = re.compile(r"[0-9a-f]{64}")
_SIGNATURE_RE = re.compile(r"sha256=([0-9a-f]{64})")


def canonical(server: str, timestamp: str, filename: str, content_sha256: str) -> bytes:
    """The bytes the signature covers (see the module docstring)."""
    text = "\n".join((PROTOCOL, server, timestamp, filename, content_sha256))
    return text.encode("utf-8")


def signature(secret: str, server: str, timestamp: str, filename: str, digest: str) -> str:
    """The ``X-Etstats-Signature`` header value: ``sha256=<lowercase hex>``."""
    mac = hmac.new(
        secret.encode("utf-8"), canonical(server, timestamp, filename, digest), hashlib.sha256
    )
    return "sha256=" + mac.hexdigest()


def sign_upload(
    secret: str, server: str, filename: str, body: bytes, *, now: float | None = None
) -> dict[str, str]:
    """Every header of a signed upload of ``body`` (``now``: Unix seconds, default the clock).

    Sign each attempt anew: a retry with an old timestamp is refused once it is
    :data:`MAX_SKEW_SECONDS` old.
    """
    stamp = str(int(time.time() if now is None else now))
    digest = hashlib.sha256(body).hexdigest()
    return {
        SERVER_HEADER: server,
        TIMESTAMP_HEADER: stamp,
        FILENAME_HEADER: filename,
        DIGEST_HEADER: digest,
        SIGNATURE_HEADER: signature(secret, server, stamp, filename, digest),
        "Content-Length": str(len(body)),
        "Content-Type": "application/octet-stream",
    }


@dataclass(frozen=True)
class SignedUpload:
    """The authenticated header facts of one upload; the body is still unread."""

    server: str
    timestamp: int
    filename: str
    content_sha256: str
    content_length: int


@dataclass(frozen=True)
class Refusal:
    """Why an upload is refused, as an RFC 9457 problem (no client input is echoed)."""

    status: int
    kind: str
    """Short slug, the last part of the problem ``type`` URI."""
    title: str
    detail: str


def _refuse(status: int, kind: str, title: str, detail: str) -> Refusal:
    return Refusal(status, kind, title, detail)


def _malformed(header: str, expected: str) -> Refusal:
    return Refusal(400, "bad-header", "Malformed header", f"{header} must be {expected}")


def check_headers(
    headers: Mapping[str, str],
    keys: Mapping[str, tuple[str, ...]],
    *,
    now: float,
    max_body_bytes: int,
) -> SignedUpload | Refusal:
    """Authenticate an upload from its headers alone (no body byte is needed).

    ``headers`` is case-insensitive in practice (a Starlette ``Headers``) or uses the lower-case
    names. Checks, cheapest first: shape of every header, declared length within
    ``max_body_bytes``, known server, fresh timestamp, then the MAC against each valid key in
    constant time. Never raises for any header value.
    """
    get = _getter(headers)
    server, stamp, name = get(SERVER_HEADER), get(TIMESTAMP_HEADER), get(FILENAME_HEADER)
    digest, sig, length = get(DIGEST_HEADER), get(SIGNATURE_HEADER), get("Content-Length")
    if not server or not stamp or not sig:
        names = f"{SERVER_HEADER}, {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}"
        return _refuse(401, "unauthenticated", "Authentication required", f"{names} are required")
    if not _SERVER_RE.fullmatch(server):
        return _malformed(SERVER_HEADER, "1-64 characters of A-Z a-z 0-9 . _ -")
    if not _TIMESTAMP_RE.fullmatch(stamp):
        return _malformed(TIMESTAMP_HEADER, f"Unix seconds, 1-{MAX_TIMESTAMP_DIGITS} digits")
    match = _SIGNATURE_RE.fullmatch(sig)
    if match is None:
        return _malformed(SIGNATURE_HEADER, "sha256=<64 lowercase hex digits>")
    if not name or not _FILENAME_RE.fullmatch(name):
        return _malformed(FILENAME_HEADER, "a file base name (1-255 safe characters)")
    if not digest or not _HEX64_RE.fullmatch(digest):
        return _malformed(DIGEST_HEADER, "64 lowercase hex digits")
    if length is None:
        return _refuse(
            411,
            "length-required",
            "Length required",
            "Content-Length is required (chunked uploads are not accepted)",
        )
    if not length.isascii() or not length.isdigit() or len(length) > 12:
        return _malformed("Content-Length", "a byte count")
    size = int(length)
    if size > max_body_bytes:
        return _refuse(
            413, "too-large", "Content too large", f"the body may be at most {max_body_bytes} bytes"
        )
    secrets = keys.get(server, ())
    expected = [signature(s, server, stamp, name, digest)[7:] for s in secrets]
    # Unknown server and bad MAC answer alike, so the reply does not enumerate servers.
    if not any(hmac.compare_digest(e, match.group(1)) for e in expected):
        return _refuse(
            401,
            "bad-signature",
            "Signature not valid",
            "the signature does not match this server's keys",
        )
    if abs(now - int(stamp)) > MAX_SKEW_SECONDS:
        return _refuse(
            401,
            "stale-timestamp",
            "Timestamp outside the window",
            f"{TIMESTAMP_HEADER} must be within {MAX_SKEW_SECONDS} s of the receiver "
            "clock; sign each attempt with the send time",
        )
    return SignedUpload(server, int(stamp), name, digest, size)


def _getter(headers: Mapping[str, str]) -> Callable[[str], str | None]:
    """Header lookup that works for case-insensitive and lower-case-keyed mappings."""

    def get(name: str) -> str | None:
        value = headers.get(name)
        return headers.get(name.lower()) if value is None else value

    return get


def parse_secrets(text: str) -> dict[str, tuple[str, ...]]:
    """Parse ``name=secret,name=secret2,...``: a name given twice has two valid keys.

    Raises :class:`~etstats.errors.ConfigError` on a malformed pair or more than
    :data:`MAX_KEYS_PER_SERVER` keys for one server. The error never contains a secret.
    """
    out: dict[str, tuple[str, ...]] = {}
    for index, item in enumerate(text.split(","), start=1):
        if not item.strip():
            continue
        name, sep, secret = item.partition("=")
        name = name.strip()
        if not sep or not secret or not _SERVER_RE.fullmatch(name):
            raise ConfigError(
                f"{SECRETS_ENV}: pair {index}: expected name=secret "
                "with a name of A-Z a-z 0-9 . _ -"
            )
        keys = (*out.get(name, ()), secret)
        if len(keys) > MAX_KEYS_PER_SERVER:
            raise ConfigError(
                f"{SECRETS_ENV}: server {name!r} has more than {MAX_KEYS_PER_SERVER} keys"
            )
        out[name] = keys
    return out


def secrets_from_env(value: str | None = None) -> dict[str, tuple[str, ...]]:
    """The receiver's keys from ``$ETSTATS_INGEST_SECRETS`` (or ``value``)."""
    return parse_secrets(os.environ.get(SECRETS_ENV, "") if value is None else value)


__all__ = [
    "DIGEST_HEADER",
    "FILENAME_HEADER",
    "MAX_SKEW_SECONDS",
    "PROTOCOL",
    "PUSH_SECRET_ENV",
    "SECRETS_ENV",
    "SERVER_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Refusal",
    "SignedUpload",
    "canonical",
    "check_headers",
    "parse_secrets",
    "secrets_from_env",
    "sign_upload",
    "signature",
]
