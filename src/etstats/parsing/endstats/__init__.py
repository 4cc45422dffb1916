"""Endstats award files: parsing and linking to stats rounds (spec section 9).

Public API: :func:`parse_endstats_bytes`, :func:`parse_endstats_text`,
:func:`parse_endstats_file` (raise only :class:`etstats.errors.ParseError`),
:func:`parse_award_value` and :func:`link_endstats`. The format and every finding code are
described in docs/formats/endstats.md.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime

import attrs

from etstats.model.common import Finding, Provenance, Severity
from etstats.model.endstats import EndstatsRound
from etstats.parsing.endstats.linking import (
    DEFAULT_WINDOW_SECONDS,
    EndstatsLink,
    EndstatsLinking,
    link_endstats,
)
from etstats.parsing.endstats.reader import decode_endstats, parse_award_value, read_endstats
from etstats.parsing.filenames import parse_stats_filename
from etstats.parsing.input_file import read_input_file, too_large

MAX_ENDSTATS_BYTES = 10 * 1024 * 1024
"""Largest endstats file accepted (bytes); real files are about 1 KB."""


def _name_parts(path: str) -> tuple[datetime | None, str | None, int | None]:
    """Timestamp (naive local), map and round from an endstats file name (``None`` if not)."""
    parsed = parse_stats_filename(path)
    if parsed is None or not parsed.is_endstats:
        return None, None, None
    return parsed.timestamp, parsed.map_name, parsed.round_number


def parse_endstats_text(text: str, *, source: str = "<text>") -> EndstatsRound:
    """Parse endstats text (``\\n`` or ``\\r\\n`` line ends). No provenance is set.

    :raises ParseError: the text is not an endstats file (see docs/formats/endstats.md).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    rnd, findings = read_endstats(text, source=source)
    return attrs.evolve(rnd, findings=tuple(findings))


def parse_endstats_bytes(
    data: bytes, *, source: str = "<bytes>", path: str | None = None
) -> EndstatsRound:
    """Parse endstats bytes (UTF-8, else Latin-1). Provenance: hash, size, and the file-name
    timestamp/map/round when ``path`` is given.

    :raises ParseError: the bytes are not an endstats file, or are larger than
        :data:`MAX_ENDSTATS_BYTES`.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    raw = bytes(data)
    if path is not None and source == "<bytes>":
        source = path.replace("\\", "/").rsplit("/", 1)[-1]
    if len(raw) > MAX_ENDSTATS_BYTES:
        raise too_large(source, MAX_ENDSTATS_BYTES, f"{len(raw)} bytes")
    text, latin1 = decode_endstats(raw)
    rnd, findings = read_endstats(text, source=source)
    if latin1:
        findings.insert(
            0,
            Finding(
                code="latin1-decoded",
                severity=Severity.INFO,
                message="bytes are not valid UTF-8; decoded as Latin-1",
                source=source,
            ),
        )
    if not rnd.awards and not rnd.versus:
        findings.append(
            Finding(
                code="empty-endstats",
                severity=Severity.WARNING,
                message="endstats file has no award and no versus line",
                source=source,
            )
        )
    ts, mp, rn = _name_parts(path) if path is not None else (None, None, None)
    provenance = Provenance(
        sha256=hashlib.sha256(raw).hexdigest(),
        size_bytes=len(raw),
        path=path,
        file_timestamp=ts,
        file_map=mp,
        file_round=rn,
    )
    return attrs.evolve(rnd, provenance=provenance, findings=tuple(findings))


def parse_endstats_file(path: str | os.PathLike[str]) -> EndstatsRound:
    """Read and parse an endstats file.

    :raises ParseError: the file cannot be read, is larger than :data:`MAX_ENDSTATS_BYTES`
        (refused without reading it whole) or is not an endstats file.
    """
    name = os.fspath(path)
    return parse_endstats_bytes(read_input_file(name, MAX_ENDSTATS_BYTES), path=name)


__all__ = [
    "DEFAULT_WINDOW_SECONDS",
    "MAX_ENDSTATS_BYTES",
    "EndstatsLink",
    "EndstatsLinking",
    "link_endstats",
    "parse_award_value",
    "parse_endstats_bytes",
    "parse_endstats_file",
    "parse_endstats_text",
]
