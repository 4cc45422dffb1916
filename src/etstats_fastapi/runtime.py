"""Settings of the HTTP adapter and the per-process runtime its lifespan opens.

:class:`HttpSettings` is plain data (units in the names: ``_s`` seconds, ``_bytes`` bytes);
:class:`Runtime` holds the open store, the ingest pipeline and the lock that serialises store
access from the thread pool (one SQLite connection is not shared between threads at once).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from etstats.ingest.signing import secrets_from_env

if TYPE_CHECKING:
    from etstats.ingest.artifacts import Artifact
    from etstats.ingest.pipeline import IngestResult, Pipeline
    from etstats.storage.base import Storage
    from etstats_fastapi.ingest import RefusalLog

T = TypeVar("T")

API_KEYS_ENV = "ETSTATS_API_KEYS"
"""Comma-separated API keys for diagnostics and admin routes (never logged)."""

MAX_BODY_BYTES = 1024 * 1024
"""Default upload cap (bytes): real artifacts are a few kB to a few tens of kB."""


@dataclass(frozen=True)
class HttpSettings:
    """What the router and the app need; every field has a safe default.

    :param db_url: store URL (``None``: ``$ETSTATS_DB`` or ``./etstats.db``).
    :param secrets: server name -> valid ingest keys (``None``: ``$ETSTATS_INGEST_SECRETS``).
    :param api_keys: keys for diagnostics/admin (``None``: ``$ETSTATS_API_KEYS``; empty: those
        routes answer 401 to everyone).
    :param public_reads: the read API and pages need no key.
    :param deliver: delivery targets (``etstats_register_deliveries`` names) for stored rounds,
        the same ones ``etstats ingest --deliver`` uses.
    """

    db_url: str | None = None
    secrets: Mapping[str, tuple[str, ...]] | None = None
    api_keys: tuple[str, ...] | None = None
    timezone: str = "UTC"
    max_body_bytes: int = MAX_BODY_BYTES
    body_read_timeout_s: float = 10.0
    body_deadline_s: float = 30.0
    public_reads: bool = True
    deliver: tuple[str, ...] = ()
    pm: Any = None

    def resolved_keys(self) -> dict[str, tuple[str, ...]]:
        return dict(self.secrets) if self.secrets is not None else secrets_from_env()

    def resolved_api_keys(self) -> tuple[str, ...]:
        if self.api_keys is not None:
            return self.api_keys
        raw = os.environ.get(API_KEYS_ENV, "")
        return tuple(k.strip() for k in raw.split(",") if k.strip())


@dataclass
class Runtime:
    """The open store and pipeline of one router (built by its lifespan)."""

    settings: HttpSettings
    storage: Storage
    pipeline: Pipeline
    keys: dict[str, tuple[str, ...]]
    refusals: RefusalLog
    lock: threading.Lock = field(default_factory=threading.Lock)
    worker: Any = None
    """The outbox drain worker (``etstats.outbox.worker``) when delivery targets are set."""

    @classmethod
    def open(cls, settings: HttpSettings) -> Runtime:
        from etstats.cli.storage_args import delivery_targets
        from etstats.ingest.pipeline import Pipeline
        from etstats.outbox.registry import worker_sinks
        from etstats.outbox.worker import start_worker
        from etstats.storage.registry import open_storage
        from etstats_fastapi.ingest import RefusalLog

        keys = settings.resolved_keys()
        deliver = delivery_targets(list(settings.deliver), settings.pm) if settings.deliver else []
        storage = open_storage(settings.db_url or os.environ.get("ETSTATS_DB"), pm=settings.pm)
        try:
            # Rounds that arrive over HTTP are enqueued in the ingest transaction, exactly as
            # `etstats ingest --deliver` does; the same drain worker as `watch` posts them.
            pipeline = Pipeline(
                storage, pm=settings.pm, timezone=settings.timezone, deliver=deliver
            )
            sinks = worker_sinks(deliver, settings.pm) if deliver else {}
            worker = start_worker(storage, sinks) if sinks else None
        except BaseException:
            storage.close()
            raise
        return cls(settings, storage, pipeline, keys, RefusalLog(), worker=worker)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        self.storage.close()

    def ingest(self, artifact: Artifact) -> IngestResult:
        """Ingest under the store lock (called from the thread pool)."""
        with self.lock:
            return self.pipeline.ingest(artifact)

    def stored_result(self, sha256: str) -> dict[str, Any]:
        """What the store holds for an archived artifact: status, error and its rounds."""
        with self.lock, self.storage.transaction() as tx:
            record = tx.get_artifact(sha256)
            rounds = tx.rounds_with_artifacts([sha256]) if record is not None else []
        if record is None:
            return {"stored_status": None}
        return {
            "stored_status": record.status,
            "error": record.error,
            "round_ids": sorted({r.id for r in rounds}),
        }

    def read(self, fn: Callable[[Storage], T]) -> T:
        """Run a read against the store under the lock (called from the thread pool)."""
        with self.lock:
            return fn(self.storage)
