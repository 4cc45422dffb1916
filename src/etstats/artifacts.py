"""The artifact front door: the four kinds of file, how a kind is told, and one ``load()``.

An *artifact* is one file a game server writes: a c0rnp0rn stats file, an endstats file, or
a gametimes JSON (slomix's legacy format or etstats.lua's v1). Everything that reads files
(``etstats reconcile``, the ingest pipeline, the CLI) starts here::

    from etstats.artifacts import load

    art = load("2025-11-01-233014-supply-round-1.txt")   # a path, or bytes with a name
    art.kind      # ArtifactKind.STATS
    art.model     # the parsed StatsRound (EndstatsRound, Gametimes or LegacyGametimes)

* :class:`ArtifactKind` names the kinds; :func:`detect_kind` tells one from a file name, then
  from the content; :func:`kind_of` from a parsed model.
* :data:`ArtifactModel` is the typed union of the four models.
* :func:`load` parses a path or bytes into a :class:`LoadedArtifact` (kind, name, model) and
  raises only :class:`~etstats.errors.ParseError`; :func:`parse_artifact_bytes` is the same
  for bytes whose kind is already known (the ingest pipeline's case).
"""

from __future__ import annotations

import enum
import os
import re
import stat
from datetime import datetime
from pathlib import Path
from typing import TypeAlias, TypeVar

from attrs import frozen

from etstats.errors import ParseError
from etstats.model.endstats import EndstatsRound
from etstats.model.gametimes import Gametimes
from etstats.model.legacy_gametimes import LegacyGametimes
from etstats.model.stats import StatsRound

ArtifactModel: TypeAlias = StatsRound | EndstatsRound | Gametimes | LegacyGametimes
"""What an artifact parses into, one model per kind."""

STATS_NAME_RE = re.compile(
    r"(?P<ts>\d{4}-\d{2}-\d{2}-\d{6})-(?P<map>[A-Za-z0-9_.+-]+?)-round-(?P<round>\d+)"
    r"(?P<endstats>-endstats)?\.txt$"
)
"""A stats (``...-round-N.txt``) or endstats (``...-round-N-endstats.txt``) file name.

Searched at the end of the base name, so a collector's prefix (``iamez_``) is allowed.
"""


def name_stamp(text: str) -> datetime | None:
    """The naive datetime of a file name's ``YYYY-MM-DD-HHMMSS`` stamp (the ``ts`` group of
    :data:`STATS_NAME_RE`), ``None`` if it names no valid time. What
    ``datetime.strptime(text, "%Y-%m-%d-%H%M%S")`` accepts for such a text, at a sixth of
    its CPU (4 against 22 µs; the main process of an ingest reads two names a round)."""
    try:
        return datetime(
            int(text[0:4]),
            int(text[5:7]),
            int(text[8:10]),
            int(text[11:13]),
            int(text[13:15]),
            int(text[15:17]),
        )
    except ValueError:
        return None


LEGACY_GAMETIMES_RE = re.compile(
    r"gametime-(?P<map>[A-Za-z0-9_.+-]+)-R(?P<round>\d+)-(?P<ts>\d+)\.json$"
)
"""slomix's ``gametime-<map>-R<round>-<round_end_unix>.json``."""

V1_GAMETIMES_RE = re.compile(
    r"etstats-(?P<map>[A-Za-z0-9_.+-]+)-R(?P<round>\d+)-(?P<ts>\d+)-(?P<port>\d+)\.json$"
)
"""etstats.lua's ``etstats-<map>-R<round>-<round_start_unix>-<port>.json``."""

_SNIFF_BYTES = 4096


class ArtifactKind(enum.StrEnum):
    """What an artifact contains."""

    STATS = "stats"
    """A c0rnp0rn stats file (one round)."""
    ENDSTATS = "endstats"
    """An endstats award file."""
    GAMETIMES_LEGACY = "gametimes-legacy"
    """slomix's gametimes JSON (``meta`` + webhook ``payload``)."""
    GAMETIMES = "gametimes"
    """etstats.lua's versioned gametimes JSON (``schema_version`` 1)."""
    UNKNOWN = "unknown"
    """Not recognised."""


@frozen
class LoadedArtifact:
    """A parsed artifact: its kind, the name reports use, and its model."""

    kind: str
    """An :class:`ArtifactKind` value: ``stats``, ``endstats``, ``gametimes`` (v1) or
    ``gametimes-legacy`` (never ``unknown``)."""
    name: str
    """Base file name (or ``<memory>``)."""
    model: ArtifactModel
    """StatsRound, EndstatsRound, Gametimes or LegacyGametimes, as :attr:`kind` says."""

    @property
    def stats(self) -> StatsRound:
        """:attr:`model` of a stats artifact (``TypeError`` for another kind)."""
        return _expect(self, StatsRound)

    @property
    def endstats(self) -> EndstatsRound:
        """:attr:`model` of an endstats artifact (``TypeError`` for another kind)."""
        return _expect(self, EndstatsRound)

    @property
    def gametimes(self) -> Gametimes:
        """:attr:`model` of a v1 gametimes artifact (``TypeError`` for another kind)."""
        return _expect(self, Gametimes)

    @property
    def legacy_gametimes(self) -> LegacyGametimes:
        """:attr:`model` of a legacy gametimes artifact (``TypeError`` for another kind)."""
        return _expect(self, LegacyGametimes)


_M = TypeVar("_M")


def _expect(art: LoadedArtifact, cls: type[_M]) -> _M:
    if not isinstance(art.model, cls):
        raise TypeError(f"{art.name} is a {art.kind} artifact, not a {cls.__name__}")
    return art.model


def base_name(name: str) -> str:
    """The last path component of ``name`` (``/`` or ``\\`` separated)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def detect_kind(name: str, data: bytes = b"") -> ArtifactKind:
    """The kind, from the file name, then from the content.

    Names win: ``...-round-N-endstats.txt`` is endstats, ``...-round-N.txt`` a stats file,
    ``gametime-...json`` legacy gametimes, ``etstats-...json`` v1 gametimes. Otherwise a JSON
    object with ``schema_version`` (in its first 4 KiB) is v1 and one with ``meta`` legacy;
    text whose first line has at least 7 backslashes is a stats file.
    """
    base = base_name(name)
    m = STATS_NAME_RE.search(base)
    if m is not None:
        return ArtifactKind.ENDSTATS if m["endstats"] else ArtifactKind.STATS
    if LEGACY_GAMETIMES_RE.search(base):
        return ArtifactKind.GAMETIMES_LEGACY
    if V1_GAMETIMES_RE.search(base):
        return ArtifactKind.GAMETIMES
    head = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        if b'"schema_version"' in head:
            return ArtifactKind.GAMETIMES
        if b'"meta"' in head:
            return ArtifactKind.GAMETIMES_LEGACY
        return ArtifactKind.UNKNOWN
    first = head.split(b"\n", 1)[0]
    if first.count(b"\\") >= 7:
        return ArtifactKind.STATS
    return ArtifactKind.UNKNOWN


def kind_of(model: object) -> ArtifactKind:
    """The kind of a parsed model (``UNKNOWN`` for anything else)."""
    if isinstance(model, StatsRound):
        return ArtifactKind.STATS
    if isinstance(model, EndstatsRound):
        return ArtifactKind.ENDSTATS
    if isinstance(model, Gametimes):
        return ArtifactKind.GAMETIMES
    if isinstance(model, LegacyGametimes):
        return ArtifactKind.GAMETIMES_LEGACY
    return ArtifactKind.UNKNOWN


def _not_an_artifact(name: str) -> ParseError:
    return ParseError(
        "not a stats, endstats or gametimes file",
        source=name,
        expected="a stats, endstats or gametimes file name or content",
        actual=name,
    )


def parse_artifact_bytes(kind: ArtifactKind, data: bytes, name: str) -> ArtifactModel:
    """Parse ``data`` as ``kind`` (``name`` is the source in errors and the provenance path).

    Either gametimes kind is parsed by content, so a v1 file under a legacy name still reads;
    the model's type (:func:`kind_of`) is then the truth. Raises only :class:`ParseError`.
    """
    if kind is ArtifactKind.STATS:
        from etstats.parsing.stats_file import parse_stats_bytes

        return parse_stats_bytes(data, source=name, path=name)
    if kind is ArtifactKind.ENDSTATS:
        from etstats.parsing.endstats import parse_endstats_bytes

        return parse_endstats_bytes(data, source=name, path=name)
    if kind in (ArtifactKind.GAMETIMES, ArtifactKind.GAMETIMES_LEGACY):
        from etstats.parsing.gametimes import parse_any_gametimes

        return parse_any_gametimes(data, source=name)
    raise _not_an_artifact(name)


def load(source: str | os.PathLike[str] | bytes, *, name: str | None = None) -> LoadedArtifact:
    """Parse one artifact from a path or from bytes.

    ``name`` names bytes (default ``<bytes>``; the kind is then told by content) or overrides
    a path's base name. A pipe or character device is read once and parsed as bytes named by
    its base name. Any other path is read by its kind's file parser (the provenance holds the
    path). A ``.json`` file whose kind neither name nor content tells is parsed as gametimes,
    so the error says what is wrong with it. Raises only :class:`ParseError` (a missing or
    unreadable file too).
    """
    if isinstance(source, bytes | bytearray | memoryview):
        label = name or "<bytes>"
        data = bytes(source)
        kind = detect_kind(label, data)
        if kind is ArtifactKind.UNKNOWN and label.lower().endswith(".json"):
            kind = ArtifactKind.GAMETIMES
        model = parse_artifact_bytes(kind, data, label)
        return LoadedArtifact(kind_of(model).value, base_name(label), model)
    path = Path(source)
    label = name or path.name
    if not path.exists():
        raise ParseError("no such file or directory", source=str(source))
    if _is_stream(path):
        # a pipe (``etstats reconcile <(zcat f.gz)``, /dev/stdin) is read once, here: sniffing
        # its kind would consume its first bytes, and the parser would read what is left
        return load(_read_stream(path), name=label)
    kind = detect_kind(label)
    if kind is ArtifactKind.UNKNOWN and not label.lower().endswith(".json"):
        kind = detect_kind(label, _head(path))
    if kind is ArtifactKind.STATS:
        from etstats.parsing.stats_file import parse_stats_file

        parsed: ArtifactModel = parse_stats_file(path)
    elif kind is ArtifactKind.ENDSTATS:
        from etstats.parsing.endstats import parse_endstats_file

        parsed = parse_endstats_file(path)
    elif kind is not ArtifactKind.UNKNOWN or label.lower().endswith(".json"):
        from etstats.parsing.gametimes import parse_any_gametimes_file

        parsed = parse_any_gametimes_file(path)
    else:
        raise _not_an_artifact(label)
    return LoadedArtifact(kind_of(parsed).value, label, parsed)


def _is_stream(path: Path) -> bool:
    """Whether ``path`` is a FIFO or a character device (what can be read only once)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False  # the parser's read reports it
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def _read_stream(path: Path) -> bytes:
    """A stream's bytes, one past the largest artifact any parser accepts (the kind's own
    parser then refuses what is too large for it)."""
    from etstats.file_bytes import read_path
    from etstats.parsing.jsontext import MAX_JSON_BYTES

    try:
        return read_path(str(path), MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}", source=str(path)) from exc


def _head(path: Path) -> bytes:
    """The first bytes of a file, for content sniffing (``b""`` if unreadable: the caller
    then reports it as not an artifact)."""
    try:
        with path.open("rb") as handle:
            return handle.read(_SNIFF_BYTES)
    except OSError:
        return b""


__all__ = [
    "LEGACY_GAMETIMES_RE",
    "STATS_NAME_RE",
    "V1_GAMETIMES_RE",
    "ArtifactKind",
    "ArtifactModel",
    "LoadedArtifact",
    "base_name",
    "detect_kind",
    "kind_of",
    "load",
    "parse_artifact_bytes",
]
