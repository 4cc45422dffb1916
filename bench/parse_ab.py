"""Benchmark: the parsers before and after a change, in one run, in CPU time.

Each parser runs in-process over its files, in a fresh process per measurement (so neither
version warms the other's caches), once with ``--baseline-src DIR`` first on ``PYTHONPATH``
(another checkout's ``src``, e.g. ``git archive main src | tar -x -C /tmp/main``) and once
with this checkout's, alternately ``--rounds`` times; each keeps its best pass. CPU time
(user + system of the process, ``time.process_time``) is used because the shared machine's
wall clock runs 2x to 3x slower under load.

* ``stats``: ``parse_stats_file`` over the real corpus (``../shared/real_stats/c0rnp0rn``);
* ``lua (legacy)``, ``endstats``, ``stats (synthetic)``: ``etstats.artifacts.load`` on the
  bytes of a synthetic season's files (the files ``bench/ingest.py`` generates: 12 players
  per round), the ingest pipeline's parse step;
* with ``--truth DIR`` (a truth season, e.g. ``/tmp/p1k/truth``: stats, gametimes v1 and
  legacy files of rounds that agree) the same on its files, plus ``v1 structure``:
  ``parse_gametimes_obj`` on documents decoded beforehand (the structuring step alone).

Usage: ``.venv/bin/python bench/parse_ab.py --baseline-src /tmp/main/src [--season 300]
[--repeat 10] [--rounds 3] [--truth /tmp/p1k/truth]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from ingest import write_season  # bench/ingest.py (this script's directory is on sys.path)

HERE_SRC = Path(__file__).resolve().parents[1] / "src"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "real_stats" / "c0rnp0rn"

_CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
kind, repeat, folder, pattern = sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]), sys.argv[5]
paths = sorted(folder.rglob(pattern))
if kind == "stats":
    from etstats.parsing.stats_file import parse_stats_file
    def one():
        for p in paths:
            parse_stats_file(p)
elif kind == "v1-structure":  # decoded once, untimed: the structuring step alone
    from etstats.parsing.gametimes import parse_gametimes_obj
    from etstats.parsing.jsontext import load_json
    docs = [load_json(p.read_bytes(), storable=True) for p in paths]
    def one():
        for doc in docs:
            parse_gametimes_obj(doc)
else:
    from etstats.artifacts import load
    items = [(p.name, p.read_bytes()) for p in paths]
    def one():
        for name, data in items:
            load(data, name=name)
one()
best = float("inf")
for _ in range(repeat):
    start = time.process_time()
    one()
    best = min(best, time.process_time() - start)
print(json.dumps([len(paths), best]))
"""


def run_child(src: Path, kind: str, repeat: int, folder: Path, pattern: str) -> tuple[int, float]:
    """(files, best CPU seconds per pass) of one measurement in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(src), kind, str(repeat), str(folder), pattern],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    files, best = json.loads(out.strip().splitlines()[-1])
    return int(files), float(best)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--baseline-src", type=Path, required=True, help="the other checkout's src")
    ap.add_argument("--season", type=int, default=300, help="synthetic rounds (3 files each)")
    ap.add_argument("--repeat", type=int, default=10, help="passes per measurement (best kept)")
    ap.add_argument("--rounds", type=int, default=3, help="measurements per version")
    ap.add_argument(
        "--truth",
        type=Path,
        default=None,
        help="also a truth season (stats + gametimes v1 + legacy per round), e.g. /tmp/p1k/truth",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="etstats-parse-ab-") as tmp:
        season = Path(tmp) / "season"  # stats + Lua + endstats (rglob: chunk sub-folders)
        write_season(season, Path(tmp) / "stats-only", args.season, workers=1)
        cases = {
            "stats (real corpus)": ("stats", CORPUS, "*.txt"),
            "stats (synthetic)": ("load", season, "*-round-[12].txt"),
            "lua (legacy)": ("load", season, "gametime-*.json"),
            "endstats": ("load", season, "*-endstats.txt"),
        }
        if args.truth is not None:
            cases |= {
                "v1 structure (truth)": ("v1-structure", args.truth, "etstats-*.json"),
                "gametimes v1 (truth)": ("load", args.truth, "etstats-*.json"),
                "lua legacy (truth)": ("load", args.truth, "gametime-*.json"),
                "stats (truth)": ("load", args.truth, "*-round-[12].txt"),
            }
        versions = {"baseline": args.baseline_src, "this": HERE_SRC}
        print(f"best of {args.rounds} processes x {args.repeat} passes, CPU ms per pass")
        print(f"{'parser':<22}{'files':>6}{'baseline':>10}{'this':>9}{'speed-up':>10}")
        for label, (kind, folder, pattern) in cases.items():
            best = dict.fromkeys(versions, float("inf"))
            files = 0
            for _ in range(args.rounds):
                for name, src in versions.items():
                    files, secs = run_child(src, kind, args.repeat, folder, pattern)
                    best[name] = min(best[name], secs)
            base, this = best["baseline"] * 1000, best["this"] * 1000
            print(f"{label:<22}{files:>6}{base:>10.1f}{this:>9.1f}{base / this:>9.2f}x")


if __name__ == "__main__":
    main()
