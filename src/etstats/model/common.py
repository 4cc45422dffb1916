"""Model pieces shared by every artifact: teams, findings, provenance.

Model classes are frozen attrs classes with no parsing or JSON knowledge; parsers live in
:mod:`etstats.parsing` and the wire format in :mod:`etstats.serde`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from datetime import datetime

from attrs import frozen

from etstats._sealing import sealed_builder

_COLOUR_CODE = re.compile(r"\^[^^]")


def strip_colours(name: str) -> str:
    """Remove ET colour codes (``^`` followed by any one character) from a name.

    ET:Legacy treats ``^`` plus any following character other than ``^`` as a colour code
    (``^/``, ``^a``, ``^7``...: the engine's ``Q_IsColorString``), so the clean name drops both
    characters; ``^^`` and a trailing lone ``^`` are kept as text. A name without ``^`` is
    returned as it is, without running the pattern (most names; every player line reads it).
    """
    return _COLOUR_CODE.sub("", name) if "^" in name else name


class Team(enum.IntEnum):
    """``sess.sessionTeam`` values as written by the engine."""

    FREE = 0
    AXIS = 1
    ALLIES = 2
    SPECTATOR = 3


class Severity(enum.StrEnum):
    """How bad a finding is.

    ``error``: the value cannot be used as written. ``warning``: a known defect of the
    producer or an implausible value; the data is kept. ``info``: noteworthy, not wrong.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@frozen
class Finding:
    """One validation result attached to a parsed artifact (never raised)."""

    code: str
    """Stable machine code, e.g. ``"weapon-mask-mismatch"`` (see docs/formats.md)."""
    severity: Severity
    message: str
    """One human sentence."""
    source: str = ""
    """File name (or ``<bytes>``) the finding is about."""
    line: int | None = None
    """1-based line number in the source, ``None`` for whole-file findings."""
    field: str | None = None
    """Field name as in docs/formats.md (``f8``, ``TAB[25]``, ``time_dead_minutes``...)."""
    expected: str | None = None
    actual: str | None = None
    player_guid: str | None = None
    """GUID (prefix) of the player the finding is about, if any."""


@frozen
class Provenance:
    """Where an artifact came from: the file (if any), its bytes' hash, its name's timestamp."""

    sha256: str
    """Hex SHA-256 of the raw bytes as read."""
    size_bytes: int
    path: str | None = None
    """Path as given by the caller (``None`` for in-memory input)."""
    file_timestamp: datetime | None = None
    """Timestamp embedded in the file name.

    Stats and endstats names carry server-local wall-clock time: a naive ``datetime``.
    Gametimes names carry a UTC epoch: an aware ``datetime`` in UTC.
    """
    file_map: str | None = None
    """Map name embedded in the file name."""
    file_round: int | None = None
    """Round number embedded in the file name (``-round-N``)."""

    @property
    def name(self) -> str:
        """Base name of :attr:`path`, or ``"<bytes>"``."""
        if self.path is None:
            return "<bytes>"
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]


# --- sealed builders (etstats._sealing): positional, every field in field order -----------

build_finding: Callable[
    [str, Severity, str, str, int | None, str | None, str | None, str | None, str | None],
    Finding,
] = sealed_builder(Finding)
"""``Finding(code, severity, message, source, line, field, expected, actual, player_guid)``."""
build_provenance: Callable[
    [str, int, str | None, datetime | None, str | None, int | None], Provenance
] = sealed_builder(Provenance)
"""``Provenance(sha256, size_bytes, path, file_timestamp, file_map, file_round)``."""
