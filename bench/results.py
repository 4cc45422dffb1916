"""What the ingest benchmarks share (``bench/ingest.py``'s table, and
``bench/reference_import.py``'s rows in it): the result row of one whole-process measurement
of one step, and the environment a timed process runs in (:func:`installed_env`)."""

from __future__ import annotations

import compileall
from collections.abc import Mapping
from pathlib import Path

import etstats

ETSTATS_SOURCES = Path(etstats.__file__).parent
"""The ``etstats`` package folder these benchmarks time (for :func:`installed_env`)."""


def installed_env(env: Mapping[str, str], *sources: Path) -> dict[str, str]:
    """``env`` for a timed process, with Python's bytecode cache as a user's install has it.

    ``PYTHONDONTWRITEBYTECODE`` (set on some build machines, this one included) is removed,
    and each folder of ``sources`` (an editable install's ``src``, a baseline tree, the
    reference project) gets its ``__pycache__`` written here, before any run: otherwise every
    run compiles every module it imports from source, about 0.12 s for ``etstats ingest``
    and as much again for each worker process it spawns (docs/performance.md, "Bytecode in
    the timed runs"). Installed wheels already carry their bytecode.
    """
    for folder in sources:
        compileall.compile_dir(str(folder), quiet=1)
    out = dict(env)
    out.pop("PYTHONDONTWRITEBYTECODE", None)
    return out


def result_row(
    *,
    version: str,
    backend: str,
    rounds: int,
    step: str,
    seconds: float,
    cpu_seconds: float,
    count: int,
    peak_mb: int,
    store_mb: float,
    extra: str = "",
) -> dict[str, object]:
    """A row of the table: ``seconds`` of wall clock and ``cpu_seconds`` (user + system) of
    the process for ``count`` artifacts (or files), its peak resident memory in MB and the
    store's size in MB afterwards; per-artifact times in milliseconds."""
    return {
        "version": version,
        "backend": backend,
        "rounds": rounds,
        "step": step,
        "seconds": seconds,
        "ms_per_artifact": 1000 * seconds / count,
        "per_second": count / seconds,
        "cpu_seconds": cpu_seconds,
        "cpu_ms_per_artifact": 1000 * cpu_seconds / count,
        "peak_mb": peak_mb,
        "store_mb": store_mb,
        "extra": extra,
    }
