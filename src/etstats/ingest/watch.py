"""Poll folders for new artifacts (a game server's ``gamestats/`` and ``gametimes/``).

Polling with the standard library (no inotify dependency). The Lua scripts write in place, so
a reader can see half a file, and a writer can stall for longer than one scan. A file is
therefore taken only when

* its size and modification time have not changed for ``settle_seconds`` (default
  :data:`DEFAULT_SETTLE_SECONDS`), measured from the scan that first saw them, and
* no process holds it open for writing, where the OS can tell (Linux ``/proc``, see
  :mod:`etstats.ingest.open_files`; elsewhere the settle time alone decides).

Each file is ingested once per version (size, modification time): a rejected file, or one
that failed, is remembered and not retried until it changes, so ``watch`` never loops on one
bad file. A failure of the store itself is reported and the file retried on the next scan.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from etstats.errors import StorageError
from etstats.ingest.artifacts import Artifact, iter_artifact_paths
from etstats.ingest.open_files import open_for_writing
from etstats.ingest.pipeline import IngestResult, Pipeline

log = logging.getLogger(__name__)

DEFAULT_SETTLE_SECONDS = 5.0
"""Seconds a file must stay unchanged before ``watch`` takes it."""

Signature = tuple[int, int]
"""(size in bytes, modification time in ns): a file's version."""


class Watcher:
    """Scan ``folders`` and ingest each new, settled file once per version.

    :param settle_seconds: how long (seconds) a file's size and modification time must stay
        the same before it is taken; 0 takes it on the first scan that sees it closed.
    :param clock: monotonic clock in seconds (tests pass a fake one).
    :param warn: called with a one-line message for a file that cannot be taken (unreadable,
        failed); default: logged as a warning.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        folders: Iterable[str | Path],
        *,
        server: str = "default",
        settle_seconds: float = DEFAULT_SETTLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.folders = [Path(f) for f in folders]
        self.server = server
        self.settle_seconds = settle_seconds
        self.clock = clock
        self.warn = warn or log.warning
        self._pending: dict[Path, tuple[Signature, float]] = {}
        self._done: dict[Path, Signature] = {}
        self._warned: set[str] = set()

    def scan(self, *, settle: bool = True) -> list[IngestResult]:
        """One pass: ingest the files that settled (see the module docs).

        With ``settle=False`` every new file is taken at once (``--once``: a final pass).
        """
        now = self.clock()
        ready: list[tuple[Path, Signature]] = []
        folders = (f for f in self.folders if f.is_dir())
        for path in iter_artifact_paths(folders, warn=self._warn_once):
            try:
                st = path.stat()
            except OSError:
                continue  # vanished between the listing and now
            sig = (st.st_size, st.st_mtime_ns)
            if self._done.get(path) == sig:
                continue
            seen = self._pending.get(path)
            if seen is None or seen[0] != sig:
                self._pending[path] = (sig, now)
                seen = (sig, now)
            if settle and now - seen[1] < self.settle_seconds:
                continue
            ready.append((path, sig))
        if settle and ready:
            busy = open_for_writing(p for p, _ in ready) or set()
            ready = [(p, s) for p, s in ready if p not in busy]
        return [r for path, sig in ready if (r := self._take(path, sig)) is not None]

    def _warn_once(self, message: str) -> None:
        """Warn about a skipped entry (a FIFO, an unreadable folder) once, not every scan."""
        if message not in self._warned:
            self._warned.add(message)
            self.warn(message)

    def _take(self, path: Path, sig: Signature) -> IngestResult | None:
        try:
            artifact = Artifact.from_path(path, server=self.server)
        except OSError as exc:
            self.warn(f"cannot read {path}: {exc.strerror or exc}")
            self._remember(path, sig)
            return None
        try:
            result = self.pipeline.ingest(artifact)
        except StorageError as exc:  # the store, not the file: try again next scan
            self.warn(f"store error while ingesting {artifact.name} (will retry): {exc}")
            return None
        except Exception as exc:  # never loop on one file: remember it until it changes
            self.warn(
                f"failed to ingest {artifact.name} ({type(exc).__name__}); skipped "
                "until the file changes"
            )
            log.debug("ingest failure", exc_info=True)
            self._remember(path, sig)
            return None
        self._remember(path, sig)
        return result

    def _remember(self, path: Path, sig: Signature) -> None:
        self._done[path] = sig
        self._pending.pop(path, None)

    def run(
        self,
        *,
        interval: float = 2.0,
        max_seconds: float | None = None,
        report: Callable[[IngestResult], None] | None = None,
    ) -> None:
        """Scan every ``interval`` seconds until interrupted or ``max_seconds`` elapsed."""
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        while True:
            for result in self.scan():
                if report is not None:
                    report(result)
            if deadline is not None and time.monotonic() >= deadline:
                return
            time.sleep(interval)
