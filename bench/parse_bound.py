"""A measured lower bound for any stats parser that returns the ``etstats`` models.

Used by ``bench/parse.py``, which times these loops next to the parser and prints the bound.

The bound is the sum of three loops, each the cheapest known form of work that every parser
returning these models must do, timed over the same files in the same run:

* **read+split+convert**: the read+split floor of ``bench/parse.py`` (but read with
  ``os.open``/``os.read`` as the parser reads, cheaper than ``open().read()``), plus
  splitting each weapon block on spaces and converting every number token of every player
  line (mask, weapon numbers, rounds, team, TAB fields) with exactly one dict lookup, in
  straight-line code, in a table that holds every token: no checks, no misses, no objects.
* **per file**: SHA-256 of the bytes, the file-name timestamp (one regex match and a
  ``datetime``), and the header line (split, three number lookups, two clock lookups).
* **model**: building every ``Provenance``, ``StatsHeader``, ``WeaponStats``, ``TabStats``,
  ``PlayerStats`` and ``StatsRound`` from ready-made values with the sealed builders:
  the cheaper of ``model (fast)`` (each ``WeaponStats`` anew, as the parser builds them)
  and ``model (cached WeaponStats)`` (through a cache of tuples, emptied before each pass, as
  the parser once did).

Left out, though a real parser pays them: the weapon-mask bits, the line dispatch, every
check that a number is canonical beyond the lookup (the fallback), every validation rule
(GUIDs, duplicates, per-weapon, per-player and file rules), the findings, and the garbage
collection of objects the loops above free at once. So the bound is below what is reachable,
never above.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from etstats.model.common import build_provenance
from etstats.model.stats import (
    TAB_BUILDERS,
    StatsHeader,
    WeaponStats,
    build_player_stats,
    build_stats_header,
    build_stats_round,
    build_weapon_stats,
)
from etstats.parsing._stats_tokens import _INTS
from etstats.parsing.stats_file import parse_stats_file

_INT = _INTS.__getitem__
_CLOCKS = {f"{s // 60}:{s % 60:02d}": s for s in range(100 * 60)}
"""``M:SS`` text -> seconds, 0:00..99:59: one lookup per clock (real clocks are < 60:00)."""
_NAME = re.compile(
    r".*?(\d{4})-(\d\d)-(\d\d)-(\d\d)(\d\d)(\d\d)-([A-Za-z0-9_-]+?)-round-(\d+)\.txt"
)
_PROVENANCE = ("sha256", "size_bytes", "path", "file_timestamp", "file_map", "file_round")


def build_weapon(key: tuple[int, ...]) -> WeaponStats:
    """A ``WeaponStats`` from its field tuple, the sealed way the parser builds them."""
    return build_weapon_stats(*key)


class _WeaponCache(dict[tuple[int, ...], WeaponStats]):
    """``WeaponStats`` by field tuple, built on a miss (``cache[key]`` is one C-level lookup
    on a hit): the tuple cache the parser used before it built every object anew."""

    __slots__ = ()

    def __missing__(self, key: tuple[int, ...]) -> WeaponStats:
        weapon = self[key] = build_weapon(key)
        return weapon


def read_text_os(path: Path) -> str:
    """The file's text read with ``os.open``/``os.read`` (the parser's way, no file object)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, os.fstat(fd).st_size + 1).decode("utf-8", "replace")
    finally:
        os.close(fd)


def prepared_players(files: list[Path]) -> list[tuple[StatsHeader, list[PreparedPlayer]]]:
    """Per file, its header and per player (guid, raw name, weapon key tuples, TAB layout,
    TAB values): the ready-made values the model-building loops start from."""
    from etstats.model.stats import TAB_LAYOUTS

    pre = []
    for rnd in map(parse_stats_file, files):
        players = []
        for p in rnd.players:
            keys = [(w.index, w.hits, w.shots, w.kills, w.deaths, w.headshots) for w in p.weapons]
            assert p.tab is not None
            tab = [getattr(p.tab, n) for n in TAB_LAYOUTS[p.tab.layout]]
            players.append((p.guid, p.raw_name, keys, p.tab.layout, tab))
        pre.append((rnd.header, players))
    return pre


PreparedPlayer = tuple[str, str, list[tuple[int, int, int, int, int, int]], int, list[object]]


def read_split_converter(files: list[Path]) -> Callable[[Path], int]:
    """A loop body like the floor's (read, decode, split lines, split on ``\\`` and TAB) that
    also splits each weapon block and looks every number token up once; it returns the
    player-line count.

    The cheapest conversion known: one table holds every token of ``files`` (so no lookup
    misses and nothing is checked), and per line shape a generated function unpacks the
    tokens into locals and subscripts the table once per token (straight-line code, no
    calls, no lists kept).
    """
    table: dict[str, float] = {}
    for path in files:
        for line in path.read_text().split("\n")[1:]:
            if line:
                pre, _, tab = line.partition("\t")
                parts = pre.split("\\")
                for token in (parts[-3], parts[-2], *parts[-1].split(" ")[:-1]):
                    table[token] = int(token)
                for token in tab.split("\t"):
                    table[token] = float(token) if "." in token else int(token)
    shapes: dict[tuple[int, int], Callable[[str, str, list[str], list[str]], None]] = {}

    def shape(tokens: int, fields: int) -> Callable[[str, str, list[str], list[str]], None]:
        a = [f"a{i}" for i in range(tokens - 1)]
        v = [f"v{i}" for i in range(fields)]
        source = (
            "def convert(r, tm, t, f):\n"
            f"    {''.join(x + ', ' for x in a)}_ = t\n"
            f"    {''.join(x + ', ' for x in v)}= f\n"
            + "".join(f"    _T[{x}]\n" for x in ["r", "tm", *a, *v])
        )
        namespace: dict[str, object] = {"_T": table}
        exec(source, namespace)  # noqa: S102
        fn = cast("Callable[[str, str, list[str], list[str]], None]", namespace["convert"])
        shapes[tokens, fields] = fn
        return fn

    def read_split_convert(path: Path) -> int:
        text = read_text_os(path)  # the cheapest read (the parser's); open() costs more
        lines = text.split("\n")
        lines[0].split("\\")
        players = 0
        for line in lines[1:]:
            if line:
                pre, _, tab = line.partition("\t")
                parts = pre.split("\\")
                toks = parts[-1].split(" ")
                fields = tab.split("\t")
                key = len(toks), len(fields)
                (shapes.get(key) or shape(*key))(parts[-3], parts[-2], toks, fields)
                players += 1
        return players

    return read_split_convert


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
    """The ``Provenance`` and ``StatsHeader`` objects, built with the sealed builders."""
    pre: list[tuple[list[Any], list[Any]]] = []
    for rnd in map(parse_stats_file, files):
        p, h = rnd.provenance, rnd.header
        assert p is not None
        pre.append(
            (
                [getattr(p, n) for n in _PROVENANCE],
                [
                    h.server_name,
                    h.map_name,
                    h.config,
                    h.round_number,
                    h.defender_team,
                    h.winner_team,
                    h.time_limit_seconds,
                    h.clock_seconds,
                    h.playtime_ms,
                    h.field_count,
                ],
            )
        )

    def run() -> int:
        for prov, header in pre:
            build_provenance(*prov)
            build_stats_header(*header)
        return len(pre)

    return run


def model_loop(
    files: list[Path],
    weapon: Callable[[tuple[int, ...]], WeaponStats],
    reset: Callable[[], None] = lambda: None,
) -> Callable[[], int]:
    """A pass building every header, player, ``TabStats`` and round of ``files`` from
    ready-made values with the sealed builders; ``weapon`` makes each ``WeaponStats`` from
    its key tuple, ``reset`` runs before each pass. Returns the player count."""
    pre = prepared_players(files)

    def build() -> int:
        reset()
        count = 0
        for h, players in pre:
            header = build_stats_header(
                h.server_name, h.map_name, h.config, 1, 1, 2, 600, 300, None, 8
            )
            built = tuple(
                build_player_stats(
                    guid, name, 0, 1, tuple(map(weapon, keys)), TAB_BUILDERS[layout](*tab), 2
                )
                for guid, name, keys, layout, tab in players
            )
            count += len(build_stats_round(header, built, None, ()).players)
        return count

    return build


def cached_model_builder(files: list[Path]) -> Callable[[], int]:
    """Like ``model (fast)`` in ``bench/parse.py``, but each ``WeaponStats`` looked up in a
    tuple cache (emptied before each pass) instead of built anew, as the parser did before.
    Dearer in one pass over this corpus (only about half of the tuples repeat, and a hit
    costs a key tuple, its hash and a compare); the bound takes the cheaper of the two."""
    cache = _WeaponCache()
    return model_loop(files, cache.__getitem__, cache.clear)


def bound_lines(
    floor_s: float, convert_s: float, per_file_s: float, models_s: dict[str, float]
) -> tuple[float, list[str]]:
    """The bound (seconds per pass) and the report: each stage and the bound, in ms per pass
    and as ratios to the floor. ``models_s``: the object loops; the cheapest one counts."""
    model_s = min(models_s.values())
    total = convert_s + per_file_s + model_s
    rows = [
        ("read+split (the floor)", floor_s),
        ("read+split+convert", convert_s),
        ("per file: SHA-256, name, header", per_file_s),
        *((f"{name} + provenance", secs) for name, secs in models_s.items()),
        ("lower bound (convert+file+cheapest)", total),
    ]
    out = ["lower bound for any parser returning these models (ms per pass, x floor):"]
    out += [f"  {name:<42}{secs * 1e3:8.2f} ms {secs / floor_s:6.2f}x" for name, secs in rows]
    return total, out


__all__ = [
    "bound_lines",
    "build_weapon",
    "cached_model_builder",
    "model_loop",
    "per_file_work",
    "provenance_and_header_builder",
    "read_split_converter",
]
