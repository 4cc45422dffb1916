"""Store writes that run behind this process's own work, where the store does the writing.

At the end of a bulk batch three things remain: writing the batch's per-round rows (player and
weapon lines and the rest, :meth:`etstats.ingest.batch.RowBuffer.write_behind`), reconciling
its rounds, and committing (after the verdicts' rows and the outbox rows). On PostgreSQL the
writes and the commit are mostly the server's work (``COPY``, its triggers and indexes) while
this process waits with the GIL released, so they run in a thread: the rows while this process
reconciles (reconciling reads artifacts and rounds, never those rows), the commit while it
reads and parses the next batch (:mod:`etstats.ingest.bulk_stream`). The server's time and
ours overlap. SQLite writes inside this process and needs the GIL for every row; there the
writes simply run first, in order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Behind:
    """``work()`` started at creation: in a thread with ``background``, else right there
    (then its failure is raised at creation, as a plain call would). :meth:`wait` returns once
    it has finished and raises its failure (once)."""

    def __init__(self, work: Callable[[], None], background: bool, name: str) -> None:
        self._failed: BaseException | None = None
        self._thread: threading.Thread | None = None
        if not background:
            work()
            return

        def run() -> None:
            try:
                work()
            except BaseException as exc:  # raised again in the waiting thread
                self._failed = exc

        self._thread = threading.Thread(target=run, name=f"etstats-{name}", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Block until the work has finished; raise its failure."""
        self.wait_quietly()
        failed, self._failed = self._failed, None
        if failed is not None:
            raise failed

    def wait_quietly(self) -> None:
        """Block until the work has finished; its failure (if any) stays for :meth:`wait`.
        For a caller already failing: the work must not outlive what it writes into."""
        if self._thread is not None:
            self._thread.join()


@contextmanager
def writes_alongside(write: Callable[[], None]) -> Iterator[Callable[[], None]]:
    """Yields ``start``: call it where ``write()`` may begin; it runs right there, once (on
    PostgreSQL ``write`` is :meth:`etstats.ingest.batch.RowBuffer.write_behind`, which hands
    the rows to a :class:`Behind` thread by itself). A block that never calls ``start`` runs
    ``write()`` on leaving, in this thread, finished before the block is left; a block that
    fails first writes nothing (the transaction is rolled back anyway)."""
    started = False

    def start() -> None:
        nonlocal started
        if not started:
            started = True
            write()

    yield start
    if not started:  # nothing left to overlap: here, and finished before we return
        write()


__all__ = ["Behind", "writes_alongside"]
