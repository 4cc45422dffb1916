"""The drain worker: deliver due outbox rows through their sinks, with backoff, alerts and
target disabling. Runs inside ``watch`` and ``serve`` (:func:`start_worker`) and as
``etstats deliver``. Never holds a store transaction while a sink talks to the network."""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping

from attrs import define, field

from etstats.errors import EtStatsError
from etstats.outbox.enqueue import enqueue_alert
from etstats.outbox.model import OutboxEntry
from etstats.outbox.sinks import Outcome, Sink
from etstats.storage.base import Storage

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 5.0
BACKOFF_CAP_SECONDS = 900.0
"""Retry delays of a row: 5 s doubling per attempt up to 15 min, with ±25 % jitter."""
SESSION_CHECK_SECONDS = 30.0
"""How often a running worker looks for sessions that closed (a session closes after an hour
without rounds, so this costs nothing in timeliness)."""
ALERT_AFTER_ATTEMPTS = 5
"""A row failing this many times in a row raises one admin alert."""


@define
class DrainReport:
    """What one :func:`drain_once` pass did."""

    shown: int = 0
    retried: int = 0
    failed: int = 0
    disabled: list[str] = field(factory=list)
    skipped: int = 0

    @property
    def handled(self) -> int:
        return self.shown + self.retried + self.failed + self.skipped


class _Journal:
    def __init__(self, storage: Storage, entry: OutboxEntry, wall: Callable[[], float]) -> None:
        self.storage, self.entry, self.wall = storage, entry, wall

    def sending(self) -> None:
        with self.storage.transaction() as tx:
            tx.outbox_update(self.entry.id, int(self.wall()), sending_since_unix=self.wall())

    def created(self, message_ids: list[str]) -> None:
        with self.storage.transaction() as tx:
            tx.outbox_update(
                self.entry.id,
                int(self.wall()),
                sending_since_unix=None,
                message_ids=json.dumps(message_ids),
            )


def backoff_seconds(attempts: int, rng: Callable[[], float] = random.random) -> float:
    """Delay before retry number ``attempts`` (1-based), in seconds, jittered ±25 %; the cap
    is ``$ETSTATS_OUTBOX_MAX_BACKOFF`` seconds when set (default 900)."""
    cap = float(os.environ.get("ETSTATS_OUTBOX_MAX_BACKOFF") or BACKOFF_CAP_SECONDS)
    base = min(cap, BACKOFF_BASE_SECONDS * 2.0 ** max(0, attempts - 1))
    return base * (0.75 + 0.5 * rng())


def _alert(storage: Storage, sinks: Mapping[str, Sink], text: str, dedupe: str, now: int) -> None:
    targets = [name for name, s in sinks.items() if s.alerts]
    if not targets:
        log.warning("delivery alert (no admin target configured): %s", text)
        return
    with storage.transaction() as tx:
        for name in targets:
            enqueue_alert(tx, name, text, dedupe=dedupe, now=now)


def _record(
    storage: Storage,
    sinks: Mapping[str, Sink],
    entry: OutboxEntry,
    out: Outcome,
    report: DrainReport,
    wall: Callable[[], float],
) -> None:
    now = wall()
    stamp = int(now)
    alerts: list[tuple[str, str]] = []
    with storage.transaction() as tx:
        if out.status == "shown":
            tx.outbox_finish(
                entry.id,
                entry.generation,
                stamp,
                message_ids=json.dumps(list(out.message_ids)),
                fingerprint=out.fingerprint,
            )
            report.shown += 1
        elif out.status == "retry":
            attempts = entry.attempts + 1
            delay = out.retry_after if out.retry_after is not None else backoff_seconds(attempts)
            tx.outbox_update(
                entry.id,
                stamp,
                attempts=attempts,
                last_error=out.error,
                next_attempt_unix=now + delay,
            )
            if out.target_down:  # the other rows wait with it: one probe per backoff step
                tx.outbox_defer_target(entry.target, now + delay)
            report.retried += 1
            if attempts == ALERT_AFTER_ATTEMPTS and entry.kind != "alert":
                alerts.append(
                    (
                        f"Deliveries to {entry.target} are failing ({attempts} tries "
                        f"of one post; last error: {out.error}).",
                        f"failing:{entry.target}",
                    )
                )
        elif out.status == "failed":
            tx.outbox_update(
                entry.id, stamp, state="failed", last_error=out.error, sending_since_unix=None
            )
            report.failed += 1
        elif out.status == "skipped":
            tx.outbox_update(entry.id, stamp, state="skipped", last_error=out.error)
            report.skipped += 1
        elif out.status == "disable":
            tx.set_target_disabled(entry.target, out.error or "disabled", stamp)
            tx.outbox_update(entry.id, stamp, state="disabled", last_error=out.error)
            report.disabled.append(entry.target)
            alerts.append(
                (
                    f"Delivery target {entry.target} was disabled: {out.error}. "
                    f"Fix it, then run `etstats deliver --enable {entry.target}`.",
                    f"disabled:{entry.target}:{stamp}",
                )
            )
        else:  # pragma: no cover - sinks return the documented statuses
            raise ValueError(f"unknown outcome {out.status!r}")
    if out.alert:
        alerts.append((out.alert, f"entry:{entry.id}:{entry.generation}:{out.alert}"))
    for text, dedupe in alerts:
        _alert(
            storage,
            {k: v for k, v in sinks.items() if k != entry.target or entry.kind != "alert"},
            text,
            dedupe,
            stamp,
        )


def drain_once(
    storage: Storage,
    sinks: Mapping[str, Sink],
    *,
    wall: Callable[[], float] = time.time,
    limit: int = 50,
    sessions: bool = True,
    paused: dict[str, float] | None = None,
    silence_hours: float | None = None,
) -> DrainReport:
    """Deliver every row that is due now (at most ``limit`` per target per pass), after
    enqueueing the summaries of sessions that closed and the "no round while players were
    on" alerts (:mod:`etstats.outbox.silence`; ``silence_hours``: N, default
    ``$ETSTATS_NO_ROUND_HOURS`` or 2), unless ``sessions`` is false.

    ``paused`` (target -> Unix seconds), kept by a long-running caller, skips a target that
    is down until its backoff ends, also for rows enqueued meanwhile."""
    from etstats.outbox.sessions import enqueue_closed_sessions
    from etstats.outbox.silence import alert_silent_servers

    report = DrainReport()
    try:
        if sessions:
            enqueue_closed_sessions(storage, sinks, wall())
    except EtStatsError as exc:  # a session query problem never stops the posts
        log.warning("session summaries: %s", exc)
    try:
        if sessions:
            alert_silent_servers(storage, sinks, wall(), hours=silence_hours)
    except EtStatsError as exc:  # nor does a heartbeat problem
        log.warning("no-round alerts: %s", exc)
    paused = {} if paused is None else paused
    for name, sink in sinks.items():
        if paused.get(name, 0.0) > wall():
            continue
        with storage.transaction() as tx:
            if tx.target_disabled(name) is not None:
                continue
            due = tx.outbox_due(name, wall(), limit)
        for entry in due:
            try:
                out = sink.deliver(storage, entry, _Journal(storage, entry, wall))
            except EtStatsError as exc:  # a data problem: keep the row, back off
                out = Outcome("retry", error=str(exc))
            except Exception as exc:  # one bad row never stops the worker
                log.exception("delivery of outbox row %s failed", entry.id)
                out = Outcome("retry", error=f"{type(exc).__name__}: {exc}")
            _record(storage, sinks, entry, out, report, wall)
            if out.target_down:
                with storage.transaction() as tx:
                    paused[name] = tx.outbox_get(entry.id).next_attempt_unix
            if out.status == "disable" or out.target_down:
                break
    return report


def next_due(
    storage: Storage, sinks: Mapping[str, Sink], paused: Mapping[str, float] | None = None
) -> float | None:
    """Earliest retry time (Unix seconds) over the enabled targets' pending rows (a paused
    target's rows not before its pause ends)."""
    times: list[float] = []
    with storage.transaction() as tx:
        for name in sinks:
            if tx.target_disabled(name) is None:
                t = tx.outbox_next_due(name)
                if t is not None:
                    times.append(max(t, (paused or {}).get(name, 0.0)))
    return min(times) if times else None


class WorkerHandle:
    """A running drain worker thread; :meth:`stop` ends it (after the current delivery)."""

    def __init__(self, storage: Storage, sinks: Mapping[str, Sink], interval: float) -> None:
        self.storage, self.sinks, self.interval = storage, dict(sinks), interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.thread = threading.Thread(target=self._run, name="etstats-outbox", daemon=True)

    def wake(self) -> None:
        """Drain now (e.g. right after an ingest enqueued something)."""
        self._wake.set()

    def _run(self) -> None:
        last_sessions = 0.0
        paused: dict[str, float] = {}
        while not self._stop.is_set():
            try:
                check = time.monotonic() - last_sessions >= SESSION_CHECK_SECONDS
                if check:
                    last_sessions = time.monotonic()
                drain_once(self.storage, self.sinks, sessions=check, paused=paused)
                due = next_due(self.storage, self.sinks, paused)
            except EtStatsError as exc:  # the store is busy or down: try again later
                log.warning("outbox worker: %s", exc)
                due = None
            wait = (
                self.interval if due is None else max(0.05, min(self.interval, due - time.time()))
            )
            self._wake.wait(wait)
            self._wake.clear()

    def stop(self, timeout: float | None = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        self.thread.join(timeout)
        for sink in self.sinks.values():
            sink.close()


def start_worker(
    storage: Storage, sinks: Mapping[str, Sink], *, interval: float = 2.0
) -> WorkerHandle:
    """Start draining ``sinks`` (target name -> :class:`Sink`) in a daemon thread; call
    ``stop()`` on the returned handle at shutdown. ``interval``: seconds between idle polls."""
    handle = WorkerHandle(storage, sinks, interval)
    handle.thread.start()
    return handle
