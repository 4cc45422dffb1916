"""A batch's row writes beside its reconciliation, where the store does the writing.

At the end of a bulk batch two things remain: writing the batch's per-round rows (player and
weapon lines and the rest, :meth:`etstats.ingest.batch.RowBuffer.flush`) and reconciling its
rounds. They are independent (reconciling reads artifacts and rounds, never those rows). On
PostgreSQL the writes are mostly the server's work (``COPY``, its triggers and indexes) while
this process waits with the GIL released, so they run in a thread and this process reconciles
meanwhile: the server's time and ours overlap. SQLite writes inside this process and needs the
GIL for every row; there the writes simply run first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def writes_alongside(write: Callable[[], None], background: bool) -> Iterator[Callable[[], None]]:
    """Yields ``start``: call it where ``write()`` may begin. With ``background`` it runs in a
    thread from there, else right there. On leaving the block the writes have finished (a
    block that never called ``start`` runs them then); their failure is raised here, unless
    the block itself failed (that failure goes on; the transaction is rolled back anyway)."""
    thread: threading.Thread | None = None
    failed: list[BaseException] = []
    started = False

    def run() -> None:
        try:
            write()
        except BaseException as exc:  # raised again in the caller's thread
            failed.append(exc)

    def start() -> None:
        nonlocal thread, started
        if started:
            return
        started = True
        if not background:
            write()
            return
        thread = threading.Thread(target=run, name="etstats-batch-writes", daemon=True)
        thread.start()

    try:
        yield start
    finally:
        if thread is not None:
            thread.join()
    start()
    if failed:
        raise failed[0]


__all__ = ["writes_alongside"]
