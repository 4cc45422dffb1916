"""Poll folders for new artifacts (a game server's ``gamestats/`` and ``gametimes/``).

Polling with the standard library (no inotify dependency). A file is ingested once its size
and modification time were the same on two consecutive scans, because the Lua scripts write
in place (a reader can otherwise see half a file).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from etstats.ingest.artifacts import Artifact, iter_artifact_paths
from etstats.ingest.pipeline import IngestResult, Pipeline


class Watcher:
    """Scan ``folders`` and ingest each new, settled file once."""

    def __init__(
        self, pipeline: Pipeline, folders: Iterable[str | Path], *, server: str = "default"
    ) -> None:
        self.pipeline = pipeline
        self.folders = [Path(f) for f in folders]
        self.server = server
        self._pending: dict[Path, tuple[int, int]] = {}
        self._done: dict[Path, tuple[int, int]] = {}

    def scan(self, *, settle: bool = True) -> list[IngestResult]:
        """One pass: ingest files that did not change since the previous pass.

        With ``settle=False`` every new file is ingested at once (for a final pass).
        """
        results: list[IngestResult] = []
        for path in iter_artifact_paths(f for f in self.folders if f.is_dir()):
            try:
                st = path.stat()
            except OSError:
                continue
            sig = (st.st_size, st.st_mtime_ns)
            if self._done.get(path) == sig:
                continue
            if settle and self._pending.get(path) != sig:
                self._pending[path] = sig
                continue
            try:
                artifact = Artifact.from_path(path, server=self.server)
            except OSError:
                continue
            results.append(self.pipeline.ingest(artifact))
            self._done[path] = sig
            self._pending.pop(path, None)
        return results

    def run(
        self, *, interval: float = 2.0, max_seconds: float | None = None,
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
