"""Benchmark: the stats parser against a bare read-and-split floor, on the real corpus.

Usage: ``.venv/bin/python bench/parse.py [--repeat N] [--dir PATH]``

Both loops read the same files in the same run. The floor reads the bytes, decodes them, splits
the lines, and splits each player line on ``\\`` and TAB: the least work any parser must do.
``parse_stats_file`` also hashes the bytes, reads the file name, converts every number, builds
the frozen models and runs every validation check. The script prints files/s and player
lines/s for both loops, and their ratio (target: parser within 5x of the floor).

It also prints a measured lower bound for any parser returning these models: the floor plus
one dict lookup per number, the per-file SHA-256/name/header work, and the cheapest
construction of the objects, each timed in the same run (see ``bench/parse_bound.py``).
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from pathlib import Path

from parse_bound import (  # bench/parse_bound.py (this script's directory is on sys.path)
    bound_lines,
    build_weapon,
    cached_model_builder,
    model_loop,
    per_file_work,
    provenance_and_header_builder,
    read_split_converter,
    read_text_os,
)

from etstats.parsing.stats_file import parse_stats_file

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "real_stats" / "c0rnp0rn"


def split_players(text: str) -> int:
    """Split the lines, the header on ``\\`` and each player line on ``\\`` and TAB; returns
    the player-line count."""
    lines = text.split("\n")
    lines[0].split("\\")
    players = 0
    for line in lines[1:]:
        if line:
            pre, _, tab = line.partition("\t")
            pre.split("\\")
            tab.split("\t")
            players += 1
    return players


def bare_split(path: Path) -> int:
    """Read (``open().read()``), decode, split lines, split on backslash and TAB; returns the
    player-line count."""
    with open(path, "rb") as handle:
        return split_players(handle.read().decode("utf-8", "replace"))


def bare_split_os(path: Path) -> int:
    """:func:`bare_split` reading with ``os.open``/``os.read`` as the parser does (no Python
    file object: about 3 us less per file). Printed for transparency: the parser's read is
    cheaper than the floor's ``open().read()``, so part of its distance to the floor is I/O."""
    return split_players(read_text_os(path))


def model_builder(files: list[Path]) -> Callable[[], int]:
    """A loop that only *builds* the model objects from numbers split beforehand.

    This is the part of the parser's cost that any parser returning these frozen attrs
    models must pay (one object per weapon tuple, per TAB section, per player).
    """
    from etstats.model.stats import (
        TAB_LAYOUTS,
        PlayerStats,
        StatsHeader,
        StatsRound,
        TabStats,
        WeaponStats,
    )  # fmt: skip

    pre: list[tuple[list[str], list[tuple[list[str], list[int], list[float | int]]]]] = []
    for rnd in (parse_stats_file(p) for p in files):
        h = rnd.header
        hdr = [h.server_name, h.map_name, h.config]
        players = []
        for p in rnd.players:
            nums = [n for w in p.weapons for n in (w.index, w.hits, w.shots, w.kills, w.deaths,
                                                   w.headshots)]  # fmt: skip
            assert p.tab is not None
            tab = [getattr(p.tab, n) for n in TAB_LAYOUTS[p.tab.layout]]
            players.append(([p.guid, p.raw_name], nums, [p.tab.layout, *tab]))
        pre.append((hdr, players))

    def build() -> int:
        count = 0
        for hdr, players in pre:
            header = StatsHeader(hdr[0], hdr[1], hdr[2], 1, 1, 2, 600, 300)
            built = []
            for (guid, name), nums, tab in players:
                weapons = tuple(WeaponStats(*nums[i : i + 6]) for i in range(0, len(nums), 6))
                layout = int(tab[0])
                if layout == 33:
                    ts = TabStats(33, **dict(zip(TAB_LAYOUTS[33], tab[1:], strict=True)))  # type: ignore[arg-type]
                else:
                    ts = TabStats(layout, *tab[1:])  # type: ignore[arg-type]
                built.append(PlayerStats(guid, name, 0, 1, weapons, ts, line=2))
            count += len(StatsRound(header, tuple(built)).players)
        return count

    return build


def fast_model_builder(files: list[Path]) -> Callable[[], int]:
    """Like :func:`model_builder`, but with the parser's own cheapest construction.

    The same objects, built the way the parser builds them: every object through the
    unchecked builders (plain slot stores on a private subclass, then a ``__class__``
    switch), each ``WeaponStats`` anew. Numbers arrive as ready-made tuples, so this is the
    least any parser returning these models can pay (``bench/parse_bound.py`` also times the
    ``WeaponStats`` cache the parser used before: slower in one pass over this corpus).
    """
    return model_loop(files, build_weapon)


def parse(path: Path) -> int:
    """The real parser; returns the player-line count."""
    return len(parse_stats_file(path).players)


def measure(fn: Callable[[Path], int], files: list[Path], repeat: int) -> tuple[float, int]:
    """Best-of-``repeat`` wall time (seconds) of one pass over ``files``, and the lines seen."""
    best = float("inf")
    lines = 0
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        lines = sum(fn(p) for p in files)
        best = min(best, time.perf_counter() - start)
    return best, lines


def measure_interleaved(
    loops: dict[str, Callable[[Path], int]], files: list[Path], repeat: int
) -> dict[str, tuple[float, int]]:
    """:func:`measure` for several loops ``name -> fn``, one pass of each in turn per round,
    so a change of machine speed during the run (a shared VM) affects them alike and their
    ratio stays fair. Best pass (seconds) and lines seen, per name."""
    best = dict.fromkeys(loops, (float("inf"), 0))
    for _ in range(repeat):
        for name, fn in loops.items():
            secs, lines = measure(fn, files, 1)
            if secs < best[name][0]:
                best[name] = (secs, lines)
    return best


def main() -> None:
    """Run both loops and print the comparison."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20, help="passes per loop (best is kept)")
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="directory of stats files")
    args = ap.parse_args()
    files = sorted(args.dir.glob("*.txt"))
    if not files:
        raise SystemExit(f"no stats files in {args.dir}")
    measure(parse, files, 1)  # warm up: imports, the generated readers
    best = measure_interleaved({"floor": bare_split, "floor os": bare_split_os, "parse": parse},
                               files, args.repeat)  # fmt: skip
    (floor_s, lines), (floor_os_s, os_lines) = best["floor"], best["floor os"]
    parse_s, parsed_lines = best["parse"]
    assert os_lines == lines
    assert parsed_lines == lines, (parsed_lines, lines)
    build = model_builder(files)
    model_s, built_lines = measure(lambda _p: build(), [files[0]], args.repeat)
    assert built_lines == lines
    fast_build = fast_model_builder(files)
    fast_s, built_lines = measure(lambda _p: fast_build(), [files[0]], args.repeat)
    assert built_lines == lines
    convert_s, converted = measure(read_split_converter(files), files, args.repeat)
    assert converted == lines
    per_file = per_file_work(files)
    per_file_s, _ = measure(lambda _p: per_file(), [files[0]], args.repeat)
    prov_header = provenance_and_header_builder(files)
    prov_header_s, _ = measure(lambda _p: prov_header(), [files[0]], args.repeat)
    cached_build = cached_model_builder(files)
    cached_s, built_lines = measure(lambda _p: cached_build(), [files[0]], args.repeat)
    assert built_lines == lines
    n = len(files)
    print(f"corpus: {n} files, {lines} player lines, best of {args.repeat} passes")
    print(f"{'loop':<14}{'s/pass':>10}{'files/s':>12}{'lines/s':>12}")
    for name, secs in (
        ("read+split", floor_s), ("model only", model_s), ("model (fast)", fast_s),
        ("parse", parse_s),
    ):  # fmt: skip
        print(f"{name:<14}{secs:>10.4f}{n / secs:>12.0f}{lines / secs:>12.0f}")
    ratio = parse_s / floor_s
    verdict = "within" if ratio <= 5 else "OUTSIDE"
    print(f"ratio parse / read+split: {ratio:.2f}x ({verdict} the 5x target)")
    print(f"ratio parse / read+split with the parser's own os.read ({floor_os_s * 1e3:.2f} ms): "
          f"{parse_s / floor_os_s:.2f}x")
    print(f"ratio read+split + model (fast) / read+split: {(floor_s + fast_s) / floor_s:.2f}x")
    print(f"ratio parse / (read+split + model (fast)): {parse_s / (floor_s + fast_s):.2f}x")
    models_s = {"model (fast)": fast_s + prov_header_s,
                "model (cached WeaponStats)": cached_s + prov_header_s}  # fmt: skip
    bound_s, report = bound_lines(floor_s, convert_s, per_file_s, models_s)
    print("\n".join(report))
    print(f"ratio parse / lower bound: {parse_s / bound_s:.2f}x")


if __name__ == "__main__":
    main()
