"""A measured lower bound for any stats parser that returns the ``etstats`` models.

Used by ``bench/parse.py``, which times these loops next to the parser and prints the bound.

The bound is the sum of three loops, each the cheapest known form of work that every parser
returning these models must do, timed over the same files in the same run:

* **read+split+convert**: the read+split floor of ``bench/parse.py`` plus splitting each
  weapon block on spaces and converting every number token of every player line (mask,
  weapon numbers, rounds, team, TAB fields) with exactly one dict lookup (``map`` over the
  parser's ``_INTS``/``_FLOATS`` tables): no checks, no fallback, no objects kept.
* **per file**: SHA-256 of the bytes, the file-name timestamp (one regex match and a
  ``datetime``), and the header line (split, three number lookups, two clock lookups).
* **model (fast)**: building every ``Provenance``, ``StatsHeader``, ``WeaponStats``,
  ``TabStats``, ``PlayerStats`` and ``StatsRound`` from ready-made values the way the parser
  does (the unchecked builders and the ``WeaponStats`` cache, emptied before each pass).

Left out, though a real parser pays them: building the cache keys, the weapon-mask bits,
the line dispatch and the fallback checks, every validation rule (GUIDs, duplicates,
per-player and file rules), the findings, and the garbage collection of objects the loops
above free at once. So the bound is below what is reachable, never above.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import cast

from etstats.model.common import Provenance
from etstats.model.stats import StatsHeader, _unchecked_builder
from etstats.parsing._stats_tokens import _FLOATS, _INTS, _TAB_FLOAT_POS
from etstats.parsing.stats_file import parse_stats_file

_TABLES: dict[int, tuple[dict[str, float] | dict[str, int], ...]] = {
    n: tuple(_FLOATS if f else _INTS for f in pos) for n, pos in _TAB_FLOAT_POS.items()
}
_INT = _INTS.__getitem__
_lookup = cast("Callable[[dict[str, float] | dict[str, int], str], float | None]", dict.get)
_CLOCKS = {f"{s // 60}:{s % 60:02d}": s for s in range(100 * 60)}
"""``M:SS`` text -> seconds, 0:00..99:59: one lookup per clock (real clocks are < 60:00)."""
_NAME = re.compile(
    r".*?(\d{4})-(\d\d)-(\d\d)-(\d\d)(\d\d)(\d\d)-([A-Za-z0-9_-]+?)-round-(\d+)\.txt"
)
_PROVENANCE = ("sha256", "size_bytes", "path", "file_timestamp", "file_map", "file_round")


def read_split_convert(path: Path) -> int:
    """The floor (read, decode, split lines, split on ``\\`` and TAB) plus one dict lookup per
    number token; returns the player-line count. Assumes canonical input (the real corpus):
    tokens outside the tables are skipped by ``dict.get``, never checked."""
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8", "replace")
    lines = text.split("\n")
    lines[0].split("\\")
    players = 0
    get = _INTS.get
    for line in lines[1:]:
        if line:
            pre, _, tab = line.partition("\t")
            parts = pre.split("\\")
            get(parts[-3])
            get(parts[-2])
            list(map(get, parts[-1].split(" ")))
            fields = tab.split("\t")
            list(map(_lookup, _TABLES.get(len(fields), ()), fields))
            players += 1
    return players


def per_file_work(files: list[Path]) -> Callable[[], int]:
    """A loop over the files' bytes (read beforehand): SHA-256, name timestamp, header."""
    pre = []
    for path in files:
        data = path.read_bytes()
        pre.append((data, str(path), data.decode("utf-8").split("\n", 1)[0]))

    def run() -> int:
        count = 0
        for data, name, first in pre:
            hashlib.sha256(data).hexdigest()
            match = _NAME.fullmatch(name.rsplit("/", 1)[-1])
            if match is not None:
                y, mo, d, h, mi, sec = map(int, match.group(1, 2, 3, 4, 5, 6))
                datetime(y, mo, d, h, mi, sec)
                int(match[8])
            fields = first.split("\\")
            _INT(fields[3]), _INT(fields[4]), _INT(fields[5])
            _CLOCKS.get(fields[6]), _CLOCKS.get(fields[7])
            count += 1
        return count

    return run


def provenance_and_header_builder(files: list[Path]) -> Callable[[], int]:
    """The ``Provenance`` and ``StatsHeader`` objects, built with the unchecked builders."""
    build_prov = _unchecked_builder(Provenance, _PROVENANCE)
    build_header = _unchecked_builder(StatsHeader, (
        "server_name", "map_name", "config", "round_number", "defender_team", "winner_team",
        "time_limit_seconds", "clock_seconds", "playtime_ms", "field_count",
    ))  # fmt: skip
    pre = []
    for rnd in map(parse_stats_file, files):
        p, h = rnd.provenance, rnd.header
        assert p is not None
        pre.append(([getattr(p, n) for n in _PROVENANCE],
                    [h.server_name, h.map_name, h.config, h.round_number, h.defender_team,
                     h.winner_team, h.time_limit_seconds, h.clock_seconds, h.playtime_ms,
                     h.field_count]))  # fmt: skip

    def run() -> int:
        for prov, header in pre:
            build_prov(prov)
            build_header(header)
        return len(pre)

    return run


def bound_lines(floor_s: float, convert_s: float, per_file_s: float, model_s: float) -> list[str]:
    """The report: each stage and the bound, in ms per pass and as ratios to the floor."""
    total = convert_s + per_file_s + model_s
    rows = [
        ("read+split (the floor)", floor_s),
        ("read+split+convert", convert_s),
        ("per file: SHA-256, name, header", per_file_s),
        ("model (fast) incl. provenance", model_s),
        ("lower bound (sum of the 3 above)", total),
    ]
    out = ["lower bound for any parser returning these models (ms per pass, x floor):"]
    out += [f"  {name:<34}{secs * 1e3:8.2f} ms {secs / floor_s:6.2f}x" for name, secs in rows]
    return out


__all__ = ["bound_lines", "per_file_work", "provenance_and_header_builder", "read_split_convert"]
