"""A parser's input file read whole, but never more than the parser accepts.

The ``parse_*_file`` functions of the stats, endstats and gametimes parsers read through
:func:`read_input_file`: a file larger than the parser's limit is refused after reading one
byte past the limit, not read whole into memory first (a mistaken path to a multi-GB log
must not take a watcher's memory).
"""

from __future__ import annotations

import os

from etstats.errors import ParseError
from etstats.file_bytes import read_path


def read_input_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the file at ``path``; ``limit`` is the largest size accepted (bytes).

    :raises ParseError: the file cannot be read (named by its path), or is larger than
        ``limit`` (``expected`` and ``actual`` give the sizes).
    """
    source = os.fspath(path)
    try:
        data = read_path(source, limit + 1)
    except OSError as exc:
        raise ParseError(
            f"cannot read file: {exc.strerror or exc}", source=source, expected="a readable file"
        ) from exc
    if len(data) > limit:
        raise too_large(source, limit, f"more than {limit} bytes")
    return data


def too_large(source: str, limit: int, actual: str) -> ParseError:
    """The error for input past a parser's ``limit`` (bytes); ``actual`` says how large it
    is, as far as it was read."""
    return ParseError("file too large", source=source, expected=f"<= {limit} bytes", actual=actual)


__all__ = ["read_input_file", "too_large"]
