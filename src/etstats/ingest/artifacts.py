"""Raw artifacts (one file's bytes plus where it came from) and kind detection.

An :class:`Artifact` is what enters the ingestion pipeline: a stats file, an endstats file or a
gametimes JSON (legacy slomix format or etstats v1). The kinds and their detection are the
artifact front door's (:mod:`etstats.artifacts`). Its identity is the SHA-256 of its bytes, so
the same file ingested twice is recognised however it is named.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

from attrs import field, frozen

from etstats.artifacts import (
    LEGACY_GAMETIMES_RE,
    STATS_NAME_RE,
    V1_GAMETIMES_RE,
    ArtifactKind,
    base_name,
    detect_kind,
    name_stamp,
)
from etstats.file_bytes import read_open_file
from etstats.ingest.folder_walk import (
    INGESTIBLE_SUFFIXES,
    iter_artifact_paths,
    special_kind,
    walk_artifact_files,
)

MAX_ARTIFACT_BYTES = 16 * 1024 * 1024
"""Largest artifact accepted (bytes): real stats files are a few kB, gametimes a few tens."""


def _storable_name(name: str) -> str:
    return storable_name(name)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("received_at must be timezone-aware (UTC)")
    return value.astimezone(UTC)


@frozen
class Artifact:
    """One raw artifact: bytes, name, kind and arrival time.

    ``sha256`` is computed from ``data`` when not given; a mismatching value is rejected.
    """

    kind: ArtifactKind
    name: str = field(converter=_storable_name)
    """Base file name (used for kind detection and the file-name timestamp/map/round). Bytes
    that are not UTF-8 (a file name from a Linux folder) are kept as ``\\xNN`` escapes, see
    :func:`storable_name`."""
    data: bytes = field(repr=lambda d: f"<{len(d)} bytes>")
    sha256: str = field()
    """Hex SHA-256 of ``data``: the artifact's identity."""
    received_at: datetime = field(factory=_now, converter=_aware_utc)
    """When the artifact arrived (aware, UTC). Not part of the stored state's identity."""
    server: str = "default"
    """Name of the game server the artifact came from (the ingestion source, not the
    ``sv_hostname`` in a stats header)."""

    @sha256.default
    def _sha_default(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @sha256.validator
    def _sha_check(self, _attribute: object, value: str) -> None:
        if value != hashlib.sha256(self.data).hexdigest():
            raise ValueError("sha256 does not match data")

    @classmethod
    def from_bytes(
        cls,
        data: bytes,
        name: str,
        *,
        server: str = "default",
        received_at: datetime | None = None,
        kind: ArtifactKind | None = None,
    ) -> Artifact:
        """An artifact from bytes; ``kind`` is detected from the name and content if omitted."""
        base = base_name(name)
        return cls(
            kind=kind if kind is not None else detect_kind(base, data),
            name=base,
            data=bytes(data),
            received_at=received_at or _now(),
            server=server,
        )

    @classmethod
    def from_path(
        cls,
        path: str | os.PathLike[str],
        *,
        server: str = "default",
        received_at: datetime | None = None,
    ) -> Artifact:
        """Read a file (at most :data:`MAX_ARTIFACT_BYTES` + 1 bytes); raises ``OSError`` if
        unreadable or not a regular file (a FIFO, socket or device is never waited on)."""
        p = Path(path)
        data = read_regular_file(p, MAX_ARTIFACT_BYTES + 1)
        return cls.from_bytes(data, p.name, server=server, received_at=received_at)


def storable_name(name: str) -> str:
    """``name`` as text every store and terminal holds, losslessly.

    A Linux file name is bytes; Python hands undecodable bytes over as lone surrogates
    (``surrogateescape``), which neither UTF-8 text columns nor ``print`` accept. Each such
    byte becomes the four characters ``\\xNN``, and so do NUL and other C0 control
    characters. A base name never contains a backslash (:func:`base_name` splits on it), so
    :func:`name_bytes` reverses this exactly. Names that are valid text are unchanged.
    """
    if name.isascii() and name.isprintable() and "\\" not in name:
        return name
    if "\\" in name:  # only a full path can hold one: keep its last component
        name = base_name(name)
    raw = (
        name.encode("utf-8", "surrogateescape")
        if _escapable(name)
        else name.encode("utf-8", "surrogatepass")
    )
    text = raw.decode("utf-8", "backslashreplace")
    return "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 or c == "\x7f" else c for c in text)


def _escapable(name: str) -> bool:
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in name)


def name_bytes(name: str) -> bytes:
    """The original file-name bytes of a :func:`storable_name` result."""
    out = bytearray()
    i = 0
    while i < len(name):
        if name.startswith("\\x", i) and len(name) >= i + 4:
            out.append(int(name[i + 2 : i + 4], 16))
            i += 4
        else:
            out += name[i].encode("utf-8")
            i += 1
    return bytes(out)


def name_parses(name: str) -> bool:
    """Whether the name is one of the artifact name patterns (stats/endstats with a real
    calendar timestamp, legacy or v1 gametimes). Such a name beats one that is not, when the
    same bytes arrive under two names (docs/storage.md, "Which copy of a round wins")."""
    if STATS_NAME_RE.search(name):
        return file_time(name) is not None
    return bool(LEGACY_GAMETIMES_RE.search(name) or V1_GAMETIMES_RE.search(name))


def name_preference(name: str) -> tuple[bool, str]:
    """Sort key of the names one artifact's bytes arrived under: the smallest wins. A name
    that parses first, then the smallest name (so the choice is independent of arrival)."""
    return (not name_parses(name), name)


def file_time(name: str) -> datetime | None:
    """The naive server-local timestamp in a stats/endstats file name, ``None`` if absent."""
    m = STATS_NAME_RE.search(base_name(name))
    if m is None:
        return None
    return name_stamp(m["ts"])


def read_regular_file(path: Path, limit: int) -> bytes:
    """Up to ``limit`` bytes of the regular file at ``path``
    (:func:`etstats.file_bytes.read_open_file`).

    Opened non-blocking and checked with ``fstat`` before reading, so a FIFO (which would block
    until a writer appears), a socket or a device raises ``OSError`` instead of hanging.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(
                errno.EINVAL, f"not a regular file ({special_kind(st.st_mode)})", str(path)
            )
        return read_open_file(fd, st.st_size, limit)
    finally:
        os.close(fd)


__all__ = [
    "INGESTIBLE_SUFFIXES",
    "LEGACY_GAMETIMES_RE",
    "MAX_ARTIFACT_BYTES",
    "STATS_NAME_RE",
    "V1_GAMETIMES_RE",
    "Artifact",
    "ArtifactKind",
    "base_name",
    "detect_kind",
    "file_time",
    "iter_artifact_paths",
    "name_bytes",
    "name_parses",
    "name_preference",
    "read_regular_file",
    "special_kind",
    "storable_name",
    "walk_artifact_files",
]
