"""Input walking and progress reporting shared by the file-reading commands.

* :func:`collect_files` expands the command-line PATHs: files are taken as given (even when
  their name does not match, so an explicit bad path is reported, not silently skipped);
  directories are walked recursively, keeping only names ``accept`` approves, sorted.
* :class:`Progress` writes progress to stderr: a self-overwriting line when stderr is a
  terminal, else one line every ``every`` files for runs longer than that; nothing otherwise.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO


def collect_files(
    paths: Iterable[str | os.PathLike[str]], accept: Callable[[str], bool]
) -> list[Path]:
    """Expand PATHs into files: explicit files as given, directories walked recursively.

    ``accept`` receives a base name and decides whether a file found inside a directory is
    taken. Duplicates are removed (first occurrence wins); the order is the command-line order,
    each directory's files sorted by path.
    """
    seen: set[Path] = set()
    out: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                Path(root) / name
                for root, _dirs, names in os.walk(path)
                for name in names
                if accept(name)
            )
        else:
            found = [path]
        for item in found:
            if item not in seen:
                seen.add(item)
                out.append(item)
    return out


class Progress:
    """Progress of a run over ``total`` files, written to ``stream`` (stderr by default)."""

    def __init__(
        self,
        total: int,
        *,
        label: str = "files",
        stream: TextIO | None = None,
        every: int = 100,
        tty: bool | None = None,
    ) -> None:
        self.total = total
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.every = max(1, every)
        self.tty = self.stream.isatty() if tty is None else tty
        self.count = 0
        self._last = 0.0
        self._started = time.monotonic()

    def step(self, name: str = "") -> None:
        """Count one file (``name`` is shown on a terminal)."""
        self.count += 1
        if self.tty:
            now = time.monotonic()
            if now - self._last >= 0.1 or self.count == self.total:
                self._last = now
                self.stream.write(f"\r{self.label}: {self.count}/{self.total} {name[-50:]:<50}")
                self.stream.flush()
        elif self.total > self.every and self.count % self.every == 0:
            self.stream.write(f"{self.label}: {self.count}/{self.total}\n")
            self.stream.flush()

    def done(self) -> None:
        """Finish the progress line (terminal) or print the final count (long runs)."""
        elapsed = time.monotonic() - self._started
        if self.tty:
            self.stream.write(
                f"\r{self.label}: {self.count}/{self.total} in {elapsed:.1f} s" + " " * 40 + "\n"
            )
        elif self.total > self.every:
            self.stream.write(f"{self.label}: {self.count}/{self.total} in {elapsed:.1f} s\n")
        self.stream.flush()


__all__ = ["Progress", "collect_files"]
