"""The order ``etstats ingest`` takes a folder's files in: by the time their names carry.

A backfill usually keeps stats, endstats and gametimes files in separate folders, so in name
order every Lua file would come after every stats file: each round would then be linked and
reconciled twice, once in the batch of its stats file and again in the batch of its Lua
file. Ordering by the time in the names puts a round's files next to each other, so one
batch links and reconciles it once. The stored result does not depend on the order
(ingestion converges); only the work does.

Times, in UTC Unix seconds: stats and endstats names ``...YYYY-MM-DD-HHMMSS-...`` read in
the server's timezone; gametimes names ``...-R<round>-<unix>...`` (legacy and v1). Names
without a time keep their place relative to each other, after the timed ones.

:class:`ArrivalSort` gives the same order as :func:`arrival_order` for any number of files
with a bounded working set: runs of :data:`RUN_FILES` paths are sorted in memory and
spilled to temporary files, then merged (a 100,000-round backfill has 300,000 paths: about
100 MB as ``pathlib.Path`` objects, which would otherwise stay in memory for the whole run).
"""

from __future__ import annotations

import heapq
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from etstats.artifacts import name_stamp

_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2}-\d{6})")
_LUA_UNIX = re.compile(r"-R\d+-(\d{9,11})(?:\D|$)")

RUN_FILES = 10_000
"""Paths sorted in memory at a time by :class:`ArrivalSort` (about 3 MB); more are spilled
to a temporary file per run and merged."""


def name_time(name: str, timezone: str = "UTC") -> int | None:
    """The time (UTC Unix seconds) a file name carries, or ``None``. An unknown timezone
    reads the name as UTC (the order is only a matter of speed)."""
    lua = _LUA_UNIX.search(name)
    if lua is not None:
        return int(lua.group(1))
    stamp = _STAMP.search(name)
    if stamp is None:
        return None
    local = name_stamp(stamp.group(1))
    if local is None:
        return None
    return int(local.replace(tzinfo=_zone(timezone)).timestamp())


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return ZoneInfo("UTC")


def arrival_order(paths: list[Path], timezone: str = "UTC") -> list[Path]:
    """``paths`` sorted by the time of their names (stable; untimed ones last)."""

    def key(path: Path) -> tuple[bool, int]:
        t = name_time(path.name, timezone)
        return (t is None, t or 0)

    return sorted(paths, key=key)


_Entry = tuple[bool, int, int, str]
"""(untimed, name time or 0, group, path): what :class:`ArrivalSort` keeps per file."""


def _entry_key(entry: _Entry) -> tuple[bool, int, int, list[str]]:
    # Within a group the paths share their leading components, so comparing the component
    # lists orders them as ``pathlib`` does (the order the files were listed in).
    untimed, t, group, path = entry
    return (untimed, t, group, path.split(os.sep))


class ArrivalSort:
    """Paths in :func:`arrival_order`, gathered one at a time and sorted with a bounded
    working set.

    :meth:`add` takes each path with its ``group``: paths of one group (a folder given on
    the command line) are normalised (``str(pathlib.Path(...))``) and listed in any order,
    their original order being ``pathlib``'s path order; groups count up in command-line
    order (an explicit file is a group of its own). Iterating yields the paths sorted by
    name time, ties in that original order: what :func:`arrival_order` makes of the list
    the groups spell out. Iterate once; :meth:`close` (or the end of a ``with`` block)
    removes the temporary files.
    """

    def __init__(self, timezone: str = "UTC", *, run_files: int = RUN_FILES) -> None:
        self.timezone = timezone
        self.run_files = max(1, run_files)
        self.count = 0
        """Paths added."""
        self._run: list[_Entry] = []
        self._spilled: list[IO[str]] = []
        self._files = ExitStack()

    def add(self, group: int, path: str) -> None:
        t = name_time(os.path.basename(path), self.timezone)
        self._run.append((t is None, t or 0, group, path))
        self.count += 1
        if len(self._run) >= self.run_files:
            self._spill()

    def _spill(self) -> None:
        self._run.sort(key=_entry_key)
        # One JSON array per line: any file name (newlines, undecodable bytes kept as
        # surrogates) comes back unchanged.
        spill = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - see close()
        self._files.enter_context(spill)
        spill.writelines(json.dumps(entry) + "\n" for entry in self._run)
        spill.seek(0)
        self._spilled.append(spill)
        self._run = []

    def __iter__(self) -> Iterator[str]:
        self._run.sort(key=_entry_key)
        runs: list[Iterator[_Entry]] = [_read_run(spill) for spill in self._spilled]
        runs.append(iter(self._run))
        for _untimed, _t, _group, path in heapq.merge(*runs, key=_entry_key):
            yield path

    def close(self) -> None:
        self._files.close()
        self._spilled = []
        self._run = []

    def __enter__(self) -> ArrivalSort:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_run(spill: IO[str]) -> Iterator[_Entry]:
    for line in spill:
        untimed, t, group, path = json.loads(line)
        yield (bool(untimed), int(t), int(group), str(path))


__all__ = ["RUN_FILES", "ArrivalSort", "arrival_order", "name_time"]
