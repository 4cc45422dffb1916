"""Load a mix of files and directories into typed artifacts for :func:`reconcile`.

Each file goes through the artifact front door (:func:`etstats.artifacts.load`: kind by file
name, then by content). Unreadable files become error findings; loading never raises for file
content.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from etstats.artifacts import LoadedArtifact, load
from etstats.errors import ParseError
from etstats.model.common import Finding, Severity


def _walk(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in (".txt", ".json"):
                    yield child
        else:
            yield path


def load_one(path: str | os.PathLike[str]) -> LoadedArtifact:
    """Parse one file (:func:`etstats.artifacts.load`); raises :class:`ParseError` when it
    cannot be read or parsed."""
    return load(path)


def load_paths(
    paths: Iterable[str | os.PathLike[str]],
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
            text = text[len(prefix) :].lstrip(" ") if text.startswith(prefix) else text
            findings.append(
                Finding(
                    code="unreadable-artifact",
                    severity=Severity.ERROR,
                    message=text,
                    source=path.name,
                    line=exc.line,
                    field=exc.field,
                    expected=exc.expected,
                    actual=exc.actual,
                )
            )
        except OSError as exc:
            findings.append(
                Finding(
                    code="unreadable-artifact",
                    severity=Severity.ERROR,
                    message=f"cannot read: {exc.strerror or exc}",
                    source=path.name,
                )
            )
    return out, findings


__all__ = ["LoadedArtifact", "load_one", "load_paths"]
