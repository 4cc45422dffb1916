"""Load a mix of files and directories into typed artifacts for :func:`reconcile`.

Kinds are told apart by file name first (``...-round-N.txt``, ``...-round-N-endstats.txt``,
``gametime-*.json``, ``etstats-*.json``), then by content for other ``.json`` files
(``schema_version`` means v1). Unreadable files become error findings; loading never raises
for file content.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from attrs import frozen

from etstats.errors import ParseError
from etstats.model.common import Finding, Severity


@frozen
class LoadedArtifact:
    kind: str
    """``stats``, ``endstats``, ``gametimes`` (v1) or ``gametimes-legacy``."""
    name: str
    """Base file name (the name reports use)."""
    obj: Any
    """The parsed model: StatsRound, EndstatsRound, Gametimes or LegacyGametimes."""


def _walk(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in (".txt", ".json"):
                    yield child
        else:
            yield path


def classify(name: str) -> str | None:
    """Artifact kind from a base name, ``None`` if the name says nothing."""
    from etstats.parsing.filenames import parse_stats_filename

    parsed = parse_stats_filename(name)
    if parsed is not None:
        return "endstats" if parsed.is_endstats else "stats"
    if name.endswith(".json"):
        return "json"
    return None


def load_one(path: str | os.PathLike[str]) -> LoadedArtifact:
    """Parse one file; raises :class:`ParseError` when it cannot be read or parsed."""
    name = Path(path).name
    if not Path(path).exists():
        raise ParseError("no such file or directory", source=str(path))
    kind = classify(name)
    if kind == "stats":
        from etstats.parsing.stats_file import parse_stats_file

        return LoadedArtifact("stats", name, parse_stats_file(path))
    if kind == "endstats":
        from etstats.parsing.endstats import parse_endstats_file

        return LoadedArtifact("endstats", name, parse_endstats_file(path))
    if kind == "json":
        from etstats.model.gametimes import Gametimes
        from etstats.parsing.gametimes import parse_any_gametimes_file

        obj = parse_any_gametimes_file(path)
        return LoadedArtifact("gametimes" if isinstance(obj, Gametimes) else "gametimes-legacy",
                              name, obj)
    raise ParseError("not a stats, endstats or gametimes file name", source=name)


def load_paths(paths: Iterable[str | os.PathLike[str]]
               ) -> tuple[list[LoadedArtifact], list[Finding]]:
    """Load every file under ``paths``; returns (artifacts, findings for unreadable files)."""
    out: list[LoadedArtifact] = []
    findings: list[Finding] = []
    for path in _walk(paths):
        try:
            out.append(load_one(path))
        except ParseError as exc:
            text = str(exc)  # "<source>:<line>: <field>: <reason> (...)": keep line and field
            prefix = f"{exc.source}:"
            text = text[len(prefix):].lstrip(" ") if text.startswith(prefix) else text
            findings.append(Finding(code="unreadable-artifact", severity=Severity.ERROR,
                                    message=text, source=path.name, line=exc.line,
                                    field=exc.field, expected=exc.expected, actual=exc.actual))
        except OSError as exc:
            findings.append(Finding(code="unreadable-artifact", severity=Severity.ERROR,
                                    message=f"cannot read: {exc.strerror or exc}",
                                    source=path.name))
    return out, findings


__all__ = ["LoadedArtifact", "classify", "load_one", "load_paths"]
