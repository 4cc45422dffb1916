"""Reading a file's bytes up to a limit (standard library only).

One read loop for the readers that open a file themselves (:func:`etstats.ingest.artifacts.
read_regular_file`, which refuses FIFOs and devices, and the parsers' :func:`read_path`,
which reads pipes too).
"""

from __future__ import annotations

import os

READ_CHUNK_BYTES = 64 * 1024
"""Bytes per read of :func:`read_open_file` beyond the size the file had when opened."""


def read_open_file(fd: int, size: int, limit: int) -> bytes:
    """Up to ``limit`` bytes from the open file ``fd``, whose ``fstat`` size is ``size``.

    The first read asks for ``size`` plus one byte: ``os.read(fd, n)`` allocates ``n`` bytes
    before it reads, and asking for ``limit`` (16 MB for an artifact) made every few-kB file
    cost a 16 MB allocation, and its end another (3,000 files in ``etstats ingest``: 55-78
    against 39-57 ms of CPU; docs/performance.md, "Reading a file (fourteenth session)").
    A file that grew since, or reports no size (pipes, procfs), is read on in chunks of
    :data:`READ_CHUNK_BYTES` until a read returns nothing. Having read exactly ``size`` bytes
    is taken as the end (as the stats parser always did): one read a file. Any other short
    read is not, since some file systems return a file in parts.
    """
    chunks: list[bytes] = []
    total = 0
    ask = min(limit, size + 1)
    while ask:
        chunk = os.read(fd, ask)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total == size:  # the whole file as fstat saw it: no read to see its end (3 µs)
            break
        ask = min(limit - total, READ_CHUNK_BYTES)
    return b"".join(chunks)


def read_path(path: str, limit: int) -> bytes:
    """Up to ``limit`` bytes of the file at ``path`` (raises ``OSError``).

    Plain ``os.open``/``os.read`` (no Python file objects: about 4 µs less per file), read by
    :func:`read_open_file` from the size ``fstat`` gives. Pipes are read too (size 0: read on
    until their end or the limit). Callers pass their largest accepted size plus one, so that
    a longer file shows as one byte over without being read whole.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        return read_open_file(fd, os.fstat(fd).st_size, limit)
    finally:
        os.close(fd)


__all__ = ["READ_CHUNK_BYTES", "read_open_file", "read_path"]
