"""Raw artifacts (one file's bytes plus where it came from) and kind detection.

An :class:`Artifact` is what enters the ingestion pipeline: a stats file, an endstats file or a
gametimes JSON (legacy slomix format or etstats v1). The kinds and their detection are the
artifact front door's (:mod:`etstats.artifacts`). Its identity is the SHA-256 of its bytes, so
the same file ingested twice is recognised however it is named.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
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
)

MAX_ARTIFACT_BYTES = 16 * 1024 * 1024
"""Largest artifact accepted (bytes): real stats files are a few kB, gametimes a few tens."""


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
    name: str
    """Base file name (used for kind detection and the file-name timestamp/map/round)."""
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
        cls, path: str | os.PathLike[str], *, server: str = "default",
        received_at: datetime | None = None,
    ) -> Artifact:
        """Read a file (at most :data:`MAX_ARTIFACT_BYTES`); raises ``OSError`` if unreadable."""
        p = Path(path)
        with p.open("rb") as handle:
            data = handle.read(MAX_ARTIFACT_BYTES + 1)
        return cls.from_bytes(data, p.name, server=server, received_at=received_at)


def file_time(name: str) -> datetime | None:
    """The naive server-local timestamp in a stats/endstats file name, ``None`` if absent."""
    m = STATS_NAME_RE.search(base_name(name))
    if m is None:
        return None
    try:
        return datetime.strptime(m["ts"], "%Y-%m-%d-%H%M%S")
    except ValueError:
        return None


INGESTIBLE_SUFFIXES = (".txt", ".json")


def iter_artifact_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Expand files and directories (recursively, sorted) into candidate artifact files.

    Directories contribute their ``*.txt`` and ``*.json`` files; explicit files are kept as
    given whatever their suffix. Hidden files and partial writes (``*.tmp``) are skipped.
    """
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in INGESTIBLE_SUFFIXES
                    and not child.name.startswith(".")
                ):
                    yield child
        else:
            yield p


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
]
