"""Which files some process still holds open for writing (Linux ``/proc``; elsewhere unknown).

``etstats watch`` must not take a file the game server is still writing. On Linux every
process's open files are listed in ``/proc/<pid>/fd`` (symbolic links to the paths) with their
open flags in ``/proc/<pid>/fdinfo/<fd>`` (``flags:`` in octal). Processes of other users are
not readable without privileges; their files are simply not seen, and the settle time is the
only guard for them (as on every other OS, where :func:`open_for_writing` returns ``None``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

_ACCESS_MODE = 0o3  # O_ACCMODE
_READ_ONLY = 0o0  # O_RDONLY


def proc_available() -> bool:
    """Whether this system lists open files under ``/proc/<pid>/fd`` (Linux)."""
    return Path("/proc/self/fdinfo").is_dir()


def open_for_writing(candidates: Iterable[Path]) -> set[Path] | None:
    """The subset of ``candidates`` that some visible process has open for writing.

    ``None`` when the OS cannot tell (no ``/proc``). One pass over ``/proc`` per call, so pass
    every file of a scan at once. Paths are compared after ``os.path.realpath``.
    """
    if not proc_available():
        return None
    wanted = {os.path.realpath(p): p for p in candidates}
    if not wanted:
        return set()
    found: set[Path] = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # gone, or another user's process
            continue
        for fd in fds:
            try:
                target = os.readlink(f"{fd_dir}/{fd}")
            except OSError:
                continue
            if target in wanted and _writable(pid, fd):
                found.add(wanted[target])
    return found


def _writable(pid: str, fd: str) -> bool:
    try:
        with open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii") as info:
            for line in info:
                if line.startswith("flags:"):
                    return int(line.split()[1], 8) & _ACCESS_MODE != _READ_ONLY
    except (OSError, ValueError, IndexError):
        return False
    return False


__all__ = ["open_for_writing", "proc_available"]
