"""WAL checkpoints of a SQLite store in a thread of their own, not inside a writer's commit.

SQLite checkpoints in the connection whose ``COMMIT`` takes the WAL past
``wal_autocheckpoint`` pages: that commit copies the WAL's pages into the database file and
waits for its ``fsync`` before it returns. With 16 KB pages
(:data:`etstats.storage.sqlite.NEW_STORE_PAGE_BYTES`) a single arrival into a 100,000-round
store writes about 5 MB of WAL, so every third stats file paid a 16 MB checkpoint: 150 ms
instead of 5-25 ms, past the 50 ms an arrival may take (docs/performance.md, "A single
arrival and the WAL"). So a file store's own connection checkpoints only during a bulk load
(every :data:`etstats.storage.sqlite.BULK_WAL_BYTES`, its own pace); after any other commit it
wakes a :class:`Checkpointer`, whose thread runs a passive checkpoint on a connection of its
own while the writer goes on. A passive checkpoint never waits for a writer or a reader (a
page a reader's snapshot still needs is left for the next one), and it gives up the GIL while
it copies. A kill loses nothing: a commit is durable in the WAL, checkpointed or not, and the
next open replays it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)

CLOSE_WAIT_SECONDS = 10.0
"""How long :meth:`Checkpointer.close` waits for a checkpoint under way (it takes
milliseconds to a few seconds; opening a connection waits at most 5 s for a busy file)."""


class Checkpointer:
    """Passive checkpoints of the SQLite file ``path`` after commits (:meth:`poke`), in a
    daemon thread started on first use; :meth:`close` stops it. Commits that come while a
    checkpoint runs are taken by the next one, so a burst of commits (``watch`` catching up)
    is copied in a few larger checkpoints, not one per commit."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0
        """Checkpoints run so far (for tests and diagnostics)."""

    def poke(self) -> None:
        """A commit happened: checkpoint soon (never in the caller's thread)."""
        if self._thread is None:
            with self._start_lock:
                if self._thread is None and not self._stopping.is_set():
                    self._thread = threading.Thread(
                        target=self._run, name="etstats-wal-checkpoint", daemon=True
                    )
                    self._thread.start()
        self._wake.set()

    def close(self) -> None:
        """Stop the thread (a checkpoint under way finishes first) and close its connection.
        Waits at most :data:`CLOSE_WAIT_SECONDS`: a store's close never hangs on a checkpoint
        (the daemon thread then ends with its own connection; the store's is unaffected)."""
        with self._start_lock:
            self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(CLOSE_WAIT_SECONDS)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None)
        except sqlite3.Error as exc:  # the store's own connection reports what is wrong
            log.warning("cannot open %s for WAL checkpoints: %s", self._path, exc)
            return
        try:
            while True:
                self._wake.wait()
                if self._stopping.is_set():
                    return
                self._wake.clear()
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error as exc:  # e.g. busy: the next commit tries again
                    log.debug("WAL checkpoint of %s skipped: %s", self._path, exc)
        finally:
            conn.close()


__all__ = ["CLOSE_WAIT_SECONDS", "Checkpointer"]
