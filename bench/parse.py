"""Benchmark: ``etstats parse`` as a whole process and the stats parser in-process, on the
real corpus, against a bare read-and-split floor, our own previous JSON writer and (when a
checkout is given) the reference project's parser.

Usage: ``.venv/bin/python bench/parse.py [--repeat N] [--process-repeat N] [--dir PATH]
[--reference PATH [--reference-python PY]]``

``--reference PATH`` is a checkout of the reference project (iamez/slomix; not part of this
repository). Its parser (``bot.community_stats_parser.C0RNP0RN3StatsParser``, method
``parse_stats_file``; ``--reference-module/-class/-method`` change that) is then timed in the
same run: in-process over the same files, and as a whole process that parses every file and
writes one JSON line per file (``json.dumps(result, default=str)``), the job ``etstats
parse`` does, once as it is and once with ``discord`` replaced by an empty module (its
parse path never uses it). The reference imports discord.py: give ``--reference-python`` an
interpreter that has its requirements. With ``--reference`` every loop reads the files
through links named as the game server writes them (the reference pairs a round 2 with its
round 1 by name; the corpus's copies carry a prefix). Without ``--reference`` the script
still compares against the floor and our previous writer, measured in the same run.

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
import atexit
import gc
import importlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
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
from results import ETSTATS_SOURCES, installed_env  # bench/results.py

from etstats.model.stats import StatsRound
from etstats.parsing.stats_file import parse_stats_file
from etstats.render.stats_json import stats_round_json, stats_round_record

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
    )

    pre: list[tuple[list[str], list[tuple[list[str], list[int], list[float | int]]]]] = []
    for rnd in (parse_stats_file(p) for p in files):
        h = rnd.header
        hdr = [h.server_name, h.map_name, h.config]
        players = []
        for p in rnd.players:
            nums = [
                n
                for w in p.weapons
                for n in (w.index, w.hits, w.shots, w.kills, w.deaths, w.headshots)
            ]
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


def previous_json(rnd: StatsRound) -> str:
    """The JSON line as ``etstats parse`` wrote it before the template writer: the record
    (provenance and findings through cattrs) and ``json.dumps``."""
    from etstats.serde import to_builtins

    record = stats_round_record(rnd)
    if rnd.provenance is not None:
        record["provenance"] = to_builtins(rnd.provenance)
    record["findings"] = [to_builtins(f) for f in rnd.findings]
    return json.dumps(record, ensure_ascii=False, allow_nan=False)


_PREVIOUS_PROCESS = """
import sys
sys.path.insert(0, sys.argv[1])
import parse as bench
import etstats.cli.cmd_parse as cmd
cmd.stats_round_json = lambda rnd, ascii_only=False, source=None: bench.previous_json(rnd)
from etstats.cli import main
sys.exit(main(["parse", sys.argv[2]]))
"""
"""``etstats parse`` with the previous JSON writer (the rest of the process is today's)."""

_REFERENCE_PROCESS = """
import json, os, sys, types
sys.path.insert(0, sys.argv[1])
if sys.argv[6] == "stub-discord":  # the parse path never uses discord: measure without it too
    sys.modules["discord"] = types.ModuleType("discord")
import importlib
parser = getattr(importlib.import_module(sys.argv[3]), sys.argv[4])()
parse = getattr(parser, sys.argv[5])
out = sys.stdout
for name in sorted(os.listdir(sys.argv[2])):
    if name.endswith(".txt") and not name.endswith("-endstats.txt"):
        out.write(json.dumps(parse(os.path.join(sys.argv[2], name)), default=str) + "\\n")
"""
"""The reference parser doing ``etstats parse``'s job: every file to one JSON line."""


def reference_loop(args: argparse.Namespace) -> Callable[[Path], int]:
    """The reference parser in-process: ``fn(path)`` parses one file (returns 1)."""
    sys.path.insert(0, str(args.reference))
    cls = getattr(importlib.import_module(args.reference_module), args.reference_class)
    method = getattr(cls(), args.reference_method)

    def parse_one(path: Path) -> int:
        method(str(path))
        return 1

    return parse_one


def time_processes(commands: dict[str, list[str]], repeat: int) -> dict[str, tuple[float, float]]:
    """Best wall time and best CPU time (user + system, seconds) of each command (stdout to
    /dev/null), the commands run in turn. On a shared machine the CPU time is the steadier
    of the two (waiting for a core is not counted)."""
    best = dict.fromkeys(commands, (float("inf"), float("inf")))
    env = installed_env(os.environ, ETSTATS_SOURCES)
    for _ in range(repeat):
        for name, cmd in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env
            )
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def whole_process(args: argparse.Namespace, files: list[Path]) -> None:
    """Time ``etstats parse`` as a process next to the previous writer and the reference."""
    py = sys.executable
    here = str(Path(__file__).resolve().parent)
    commands = {
        "python -c pass": [py, "-c", "pass"],
        "import only": [py, "-c", "import etstats.cli, etstats.cli.cmd_parse"],
        "etstats parse": [str(Path(py).parent / "etstats"), "parse", str(args.dir)],
        "previous writer": [py, "-c", _PREVIOUS_PROCESS, here, str(args.dir)],
    }
    if args.reference is not None:
        for name, discord in (("reference", "discord"), ("ref, no discord", "stub-discord")):
            commands[name] = [
                args.reference_python or py,
                "-c",
                _REFERENCE_PROCESS,
                str(args.reference),
                str(args.dir),
                args.reference_module,
                args.reference_class,
                args.reference_method,
                discord,
            ]
    best = time_processes(commands, args.process_repeat)
    print(f"\nwhole process over {len(files)} files, best of {args.process_repeat} runs:")
    print(f"  {'command':<18}{'wall s':>8}{'CPU s':>8}")
    for name, (wall, cpu) in best.items():
        print(f"  {name:<18}{wall:>8.3f}{cpu:>8.3f}")
    ours = best["etstats parse"]
    prev = best["previous writer"]
    print(
        f"ratio previous writer / etstats parse: {prev[0] / ours[0]:.2f}x wall, "
        f"{prev[1] / ours[1]:.2f}x CPU"
    )
    for name in ("reference", "ref, no discord"):
        if name in best:
            ref = best[name]
            verdict = "meets" if min(ref[0] / ours[0], ref[1] / ours[1]) >= 3 else "MISSES"
            print(
                f"ratio {name} / etstats parse: {ref[0] / ours[0]:.2f}x wall, "
                f"{ref[1] / ours[1]:.2f}x CPU ({verdict} the 3x target)"
            )


def json_writers(files: list[Path], repeat: int) -> None:
    """In-process: the JSON writer against the previous one, over the parsed corpus."""
    rounds = [parse_stats_file(p) for p in files]
    assert [stats_round_json(r) for r in rounds] == [previous_json(r) for r in rounds]
    best = {"now": float("inf"), "previous": float("inf")}
    for _ in range(repeat):
        for name, fn in (("now", stats_round_json), ("previous", previous_json)):
            gc.collect()
            start = time.perf_counter()
            for r in rounds:
                fn(r)
            best[name] = min(best[name], time.perf_counter() - start)
    print(
        f"\nJSON lines in-process (ms per pass): now {best['now'] * 1e3:.1f}, previous "
        f"{best['previous'] * 1e3:.1f} ({best['previous'] / best['now']:.2f}x)"
    )


def main() -> None:
    """Run both loops and print the comparison."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20, help="passes per loop (best is kept)")
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="directory of stats files")
    ap.add_argument(
        "--process-repeat",
        type=int,
        default=7,
        help="runs per whole-process command (best is kept)",
    )
    ap.add_argument("--reference", type=Path, help="checkout of the reference project")
    ap.add_argument("--reference-python", help="interpreter for the reference process")
    ap.add_argument("--reference-module", default="bot.community_stats_parser")
    ap.add_argument("--reference-class", default="C0RNP0RN3StatsParser")
    ap.add_argument("--reference-method", default="parse_stats_file")
    args = ap.parse_args()
    if args.reference is not None:
        # The reference finds a round 2's round 1 by the file name, in the same folder, and
        # expects the names the game server writes (the corpus's copies carry a prefix):
        # both parsers read the same files through links named that way.
        from reference_import import server_named_folder  # bench/reference_import.py

        named = Path(tempfile.mkdtemp(prefix="etstats-parse-ref-"))
        atexit.register(shutil.rmtree, named, True)
        server_named_folder(args.dir, named)
        args.dir = named
    files = sorted(args.dir.glob("*.txt"))
    if not files:
        raise SystemExit(f"no stats files in {args.dir}")
    measure(parse, files, 1)  # warm up: imports, caches
    loops: dict[str, Callable[[Path], int]] = {
        "floor": bare_split,
        "floor os": bare_split_os,
        "parse": parse,
    }
    if args.reference is not None:
        loops["reference"] = reference_loop(args)
    best = measure_interleaved(loops, files, args.repeat)
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
        ("read+split", floor_s),
        ("model only", model_s),
        ("model (fast)", fast_s),
        ("parse", parse_s),
    ):
        print(f"{name:<14}{secs:>10.4f}{n / secs:>12.0f}{lines / secs:>12.0f}")
    print(f"ratio parse / read+split: {parse_s / floor_s:.2f}x")
    print(
        f"ratio parse / read+split with the parser's own os.read ({floor_os_s * 1e3:.2f} ms): "
        f"{parse_s / floor_os_s:.2f}x"
    )
    print(f"ratio read+split + model (fast) / read+split: {(floor_s + fast_s) / floor_s:.2f}x")
    print(f"ratio parse / (read+split + model (fast)): {parse_s / (floor_s + fast_s):.2f}x")
    models_s = {
        "model (fast)": fast_s + prov_header_s,
        "model (cached WeaponStats)": cached_s + prov_header_s,
    }
    bound_s, report = bound_lines(floor_s, convert_s, per_file_s, models_s)
    print("\n".join(report))
    print(f"ratio parse / lower bound: {parse_s / bound_s:.2f}x")
    if "reference" in best:
        ratio = best["reference"][0] / parse_s
        verdict = "meets" if ratio >= 5 else "MISSES"
        print(
            f"reference parser in-process: {best['reference'][0]:.4f} s/pass; "
            f"reference / parse: {ratio:.2f}x ({verdict} the 5x target)"
        )
    json_writers(files, args.repeat)
    whole_process(args, files)


if __name__ == "__main__":
    main()
