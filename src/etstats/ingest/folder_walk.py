"""Which files of the command-line PATHs are ingested, found without reading them.

Folders are walked recursively for ``*.txt`` and ``*.json`` regular files; files given
explicitly are kept whatever their name. This module imports only the standard library:
``etstats ingest`` walks the first files of its PATHs to decide whether to start its parse
workers before it imports the parsers and the store (:mod:`etstats.cli.cmd_ingest`). The
names are also :mod:`etstats.ingest.artifacts`'s.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

log = logging.getLogger("etstats.ingest.artifacts")
"""The walk's warnings keep the logger they always had."""

INGESTIBLE_SUFFIXES = (".txt", ".json")


def special_kind(mode: int) -> str:
    """What a non-regular file is, in words (``a FIFO``, ``a socket``, ``a device`` ...)."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def _suffix(name: str) -> str:
    """``Path(name).suffix.lower()`` of a plain file name (``""`` for ``"a."``, as pathlib)."""
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def _unreadable_folder(exc: OSError, say: Callable[[str], None]) -> None:
    say(f"cannot read folder {exc.filename}: {exc.strerror or exc}")


def iter_artifact_paths(
    paths: Iterable[str | os.PathLike[str]], *, warn: Callable[[str], None] | None = None
) -> Iterator[Path]:
    """Expand files and directories (recursively, sorted) into candidate artifact files.

    Directories contribute their ``*.txt`` and ``*.json`` regular files; explicit files are
    kept as given whatever their suffix. Hidden files and partial writes (``*.tmp``) are
    skipped silently. ``warn`` (default: a logged warning) hears about what is skipped for a
    reason the user should know: a folder that cannot be read, and a FIFO, socket or device
    with an artifact suffix (never opened, so nothing hangs).
    """
    say = warn or log.warning
    for raw in paths:
        p = Path(raw)
        if not p.is_dir():
            yield p
            continue
        yield from sorted(map(Path, _folder_files(p, say)))


def walk_artifact_files(
    paths: Iterable[str | os.PathLike[str]], *, warn: Callable[[str], None] | None = None
) -> Iterator[tuple[int, str]]:
    """The files of :func:`iter_artifact_paths` as ``(group, path)`` pairs, a folder's files
    in the order the walk finds them (not sorted, none held: memory stays flat in the
    number of files). ``group`` is the position of the PATH the file came from; ``path`` is
    the normalised text of the :class:`~pathlib.Path` :func:`iter_artifact_paths` yields,
    so a group's paths sorted as ``pathlib`` sorts them are that function's order
    (:class:`etstats.ingest.arrival_order.ArrivalSort` does so)."""
    say = warn or log.warning
    for group, raw in enumerate(paths):
        p = Path(raw)
        if not p.is_dir():
            yield group, str(p)
            continue
        for child in _folder_files(p, say):
            yield group, child


def _folder_files(folder: Path, say: Callable[[str], None]) -> Iterator[str]:
    """A folder's regular ``*.txt``/``*.json`` files, recursively, in walk order, each as
    the text of its :class:`~pathlib.Path` (``str(Path(root) / name)``, built without one:
    two ``Path`` objects and a ``Path.stat`` a file were half of the walk's CPU, 5 µs a
    file, on the critical path of ``etstats ingest``'s start)."""
    for root, _dirs, names in os.walk(folder, onerror=lambda e: _unreadable_folder(e, say)):
        base = str(Path(root))
        for name in names:
            if name.startswith(".") or _suffix(name) not in INGESTIBLE_SUFFIXES:
                continue
            child = name if base == "." else os.path.join(base, name)
            try:
                mode = os.stat(child).st_mode
            except OSError as exc:
                say(f"cannot read {child}: {exc.strerror or exc}")
                continue
            if stat.S_ISREG(mode):
                yield child
            else:
                say(f"skipped {child}: {special_kind(mode)}, not a regular file")


__all__ = [
    "INGESTIBLE_SUFFIXES",
    "iter_artifact_paths",
    "special_kind",
    "walk_artifact_files",
]
