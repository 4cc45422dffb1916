"""The result row shared by the ingest benchmarks (``bench/ingest.py``'s table, and
``bench/reference_import.py``'s rows in it): one whole-process measurement of one step."""

from __future__ import annotations


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
