"""Why an artifact was rejected, in words a user can act on.

A parse error already names file, line, field, expected and actual. A failure while *storing*
an artifact (a number the store cannot hold, a constraint, a driver error) carries the
driver's text, which names SQL, tables and columns: :func:`failure_reason` turns it into a
short reason without them; ``etstats serve`` answers it as a 422 problem (docs/http.md).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import attrs

from etstats.errors import DuplicateRound, EtStatsError, StorageError
from etstats.storage.base import ArtifactRecord

if TYPE_CHECKING:
    from etstats.ingest.artifacts import Artifact
    from etstats.storage.base import Storage

log = logging.getLogger(__name__)

MAX_REASON_CHARS = 300
"""Longest reason returned over HTTP (characters); the full text stays in the store."""


def failure_reason(exc: BaseException) -> str:
    """A short reason for an error raised while storing one artifact (no SQL, no names of
    tables or columns)."""
    chain = [exc, *(_causes(exc))]
    for item in chain:
        if isinstance(item, OverflowError) or _named(item, "NumericValueOutOfRange"):
            return "a number is outside the range the store holds (64-bit integers)"
        if isinstance(item, UnicodeError) or _named(
            item, "CharacterNotInRepertoire", "UntranslatableCharacter"
        ):
            return "text the store cannot hold (undecodable bytes or a lone surrogate)"
        if isinstance(item, DuplicateRound):
            return "it conflicts with a round already stored under the same round key"
        if _named(
            item,
            "IntegrityError",
            "UniqueViolation",
            "ForeignKeyViolation",
            "CheckViolation",
            "NotNullViolation",
        ):
            return "it conflicts with what the store already holds"
        if _named(item, "DataError", "InvalidTextRepresentation", "StringDataRightTruncation"):
            return "a value the store refuses"
    if isinstance(exc, StorageError):
        return "the store refused it"
    if isinstance(exc, EtStatsError):
        return f"{type(exc).__name__}"
    return f"internal error ({type(exc).__name__})"


def record_rejection(storage: Storage, artifact: Artifact, exc: Exception, timezone: str) -> str:
    """Archive ``artifact`` as rejected after its transaction failed and rolled back; returns
    the reason stored.

    Bytes already archived are left as they are (the failed transaction changed nothing). If
    archiving fails too, the store itself is unusable and ``exc`` propagates.
    """
    reason = f"{artifact.name}: could not be stored: {failure_reason(exc)}"
    log.warning("%s (%s: %s)", reason, type(exc).__name__, exc)
    try:
        with storage.transaction() as tx:
            server_id = tx.ensure_server(artifact.server, timezone)
            if tx.get_artifact(artifact.sha256) is None:
                tx.insert_artifact(
                    ArtifactRecord(
                        sha256=artifact.sha256,
                        kind=str(artifact.kind),
                        name=artifact.name,
                        server_id=server_id,
                        size_bytes=len(artifact.data),
                        received_unix=int(artifact.received_at.timestamp()),
                        status="rejected",
                        error=reason,
                    ),
                    artifact.data,
                )
    except Exception:
        raise exc from None
    return reason


def mark_rejected(storage: Storage, rec: ArtifactRecord, exc: Exception) -> str:
    """Mark an archived artifact rejected after re-deriving it failed (``rebuild``); returns
    the reason stored."""
    reason = f"{rec.name}: could not be stored: {failure_reason(exc)}"
    log.warning("%s (%s: %s)", reason, type(exc).__name__, exc)
    with storage.transaction() as tx:
        tx.update_artifact(attrs.evolve(rec, status="rejected", error=reason))
    return reason


def is_artifact_failure(exc: BaseException) -> bool:
    """Whether ``exc`` was caused by the artifact being written, not by the store's state.

    True for values the store refuses (numbers outside 64 bits, text it cannot encode, data
    errors) and constraint conflicts: retrying the same bytes fails the same way, so the
    artifact is rejected. False for everything else (a lost connection, a full disk, a lock
    timeout, a crash in the middle): those propagate, nothing of the artifact is kept, and
    the same batch can simply run again.
    """
    for item in (exc, *_causes(exc)):
        if isinstance(item, OverflowError | UnicodeError | DuplicateRound):
            return True
        if _named(item, "IntegrityError", "DataError"):  # sqlite3 and psycopg families
            return True
        if isinstance(item, ValueError) and not isinstance(item, EtStatsError):
            return True  # a driver refusing a value (e.g. NUL in PostgreSQL text)
    return False


def _causes(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur = exc.__cause__ or exc.__context__
    while cur is not None and len(out) < 8:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


def _named(exc: BaseException, *names: str) -> bool:
    return any(cls.__name__ in names for cls in type(exc).__mro__)


def clip(text: str, limit: int = MAX_REASON_CHARS) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "MAX_REASON_CHARS",
    "clip",
    "failure_reason",
    "is_artifact_failure",
    "mark_rejected",
    "record_rejection",
]
