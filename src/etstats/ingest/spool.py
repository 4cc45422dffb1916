"""Long report lists kept outside memory, and JSON written as it is read.

``etstats audit`` lists every conflict, rejected, noted and unlinked artifact of a store: a
list that grows with the store. A :class:`Spool` keeps such a list in a temporary file (one
compact JSON object per line) with only its first few items in memory, and
:func:`write_json` writes a report whose lists are spools (or plain lists) exactly as
``json.dumps(report, indent=2, sort_keys=True)`` would, one item at a time.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Iterator, Mapping
from typing import IO, Any

INDENT = 2
"""Spaces per nesting level of the JSON written (as ``json.dumps(indent=2)``)."""


class Spool:
    """A list of JSON objects in a temporary file; the first ``keep`` also in :attr:`head`.

    Iterating reads the file from the start (the items come back as equal dicts); ``len``
    counts them. :meth:`close` removes the file.
    """

    def __init__(self, keep: int = 50) -> None:
        self.keep = keep
        self.head: list[dict[str, Any]] = []
        """The first ``keep`` items (what a text report shows)."""
        self._count = 0
        self._file: IO[str] | None = None

    def append(self, item: dict[str, Any]) -> None:
        if len(self.head) < self.keep:
            self.head.append(item)
        if self._file is None:
            self._file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - see close()
        # compact JSON has no newline inside (ensure_ascii escapes every control character)
        self._file.write(json.dumps(item) + "\n")
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self._file is None:
            return
        self._file.seek(0)
        try:
            for line in self._file:
                item: dict[str, Any] = json.loads(line)
                yield item
        finally:
            self._file.seek(0, 2)  # appending goes on at the end

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def first(items: Spool | list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """The first ``n`` items of a spool or list."""
    if isinstance(items, Spool) and n <= items.keep:
        return items.head[:n]
    return list(itertools.islice(items, n))


def write_json(report: Mapping[str, Any], out: IO[str]) -> None:
    """Write ``report`` as ``json.dumps(report, indent=2, sort_keys=True)`` does, byte for
    byte; its top-level values may be :class:`Spool` objects, written item by item (no
    trailing newline, as ``json.dumps``)."""
    if not report:
        out.write("{}")
        return
    pad = " " * INDENT
    out.write("{")
    for i, key in enumerate(sorted(report)):
        out.write(("," if i else "") + "\n" + pad + json.dumps(key) + ": ")
        value = report[key]
        if isinstance(value, Spool):
            _write_items(value, out, depth=1)
        else:
            out.write(_dumps(value, depth=1))
    out.write("\n}")


def _write_items(items: Spool, out: IO[str], depth: int) -> None:
    if not len(items):
        out.write("[]")
        return
    inner = "\n" + " " * (INDENT * (depth + 1))
    out.write("[")
    for i, item in enumerate(items):
        out.write(("," if i else "") + inner + _dumps(item, depth + 1))
    out.write("\n" + " " * (INDENT * depth) + "]")


def _dumps(value: Any, depth: int) -> str:
    """``value`` as ``json.dumps(indent=2, sort_keys=True)`` writes it ``depth`` levels in."""
    text = json.dumps(value, indent=INDENT, sort_keys=True)
    return text.replace("\n", "\n" + " " * (INDENT * depth))


__all__ = ["INDENT", "Spool", "first", "write_json"]
