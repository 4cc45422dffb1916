"""Benchmark: ``etstats ingest --jobs 0`` (everything in one process) against ``--jobs N``
(parse workers, :mod:`etstats.ingest.parse_pool`), whole processes, alternating.

For each folder and each repetition both variants ingest into a fresh SQLite store, one after
the other (the machine may be loaded: compare the ratios of the same run). Per run it prints
wall seconds, wall files/s, the CPU seconds (user+sys) of the main process, of its workers and
their sum, and the peak memory of the main process. At the end: medians per folder and
variant, and the ratios ``--jobs N`` / ``--jobs 0``. The main process's CPU is what bounds the
wall time on an idle machine with a core per process (the workers run beside it).

With ``--busy-core`` a busy loop at normal priority (a game server's stand-in) runs beside
each ingest, and its share of a core while the ingest ran is reported (Linux: read from
``/proc``): 1.00 is a game server that lost nothing to the ingest.

Usage::

    .venv/bin/python bench/ingest_jobs.py /tmp/p1k/season /tmp/p1k/truth /tmp/p1k/stats
        [--jobs 2] [--repeat 3] [--timezone Etc/GMT-1=truth] [--work DIR] [--busy-core]

``--timezone ZONE=SUBSTRING`` sets ``ETSTATS_TIMEZONE`` for the folders whose path contains
``SUBSTRING`` (default: ``Etc/GMT-1`` for ``truth``, ``UTC`` otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# bench/results.py (this script's directory is on sys.path)
from results import ETSTATS_SOURCES, installed_env

_RUN = """
import json, resource, sys
from etstats.cli import main
code = main(sys.argv[1:])
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "main_cpu": me.ru_utime + me.ru_stime,
                  "workers_cpu": kids.ru_utime + kids.ru_stime, "main_kb": me.ru_maxrss}),
      file=sys.stderr)
"""


def _files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.suffix in (".txt", ".json"))


_BUSY = "while True: pass"


def _cpu_seconds(pid: int) -> float:
    """User+system CPU seconds of a running process (Linux ``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _one(folder: Path, jobs: int, db: Path, timezone: str, busy: bool) -> dict[str, float]:
    db.unlink(missing_ok=True)
    env = installed_env({**os.environ, "ETSTATS_TIMEZONE": timezone}, ETSTATS_SOURCES)
    argv = ["ingest", "--jobs", str(jobs), "--db", str(db), str(folder)]
    loop = subprocess.Popen([sys.executable, "-c", _BUSY]) if busy else None
    try:
        if loop is not None:
            time.sleep(0.2)  # its start is not the ingest's
            loop_cpu = _cpu_seconds(loop.pid)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _RUN, *argv],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - start
        share = (_cpu_seconds(loop.pid) - loop_cpu) / wall if loop is not None else 0.0
    finally:
        if loop is not None:
            loop.kill()
            loop.wait()
    usage = json.loads(done.stderr.strip().splitlines()[-1])
    if usage["code"] not in (0, 1):
        raise SystemExit(f"ingest failed: {done.stderr}")
    return {"wall": wall, "busy_share": share, **usage}


def _zone(folder: Path, rules: list[tuple[str, str]]) -> str:
    return next((zone for zone, part in rules if part in str(folder)), "UTC")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timezone", action="append", default=[], metavar="ZONE=SUBSTRING")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument(
        "--busy-core",
        action="store_true",
        help="run a busy loop at normal priority beside each ingest; report its share of a core",
    )
    args = ap.parse_args()
    rules = [(r.split("=", 1)[0], r.split("=", 1)[-1]) for r in args.timezone] or [
        ("Etc/GMT-1", "truth")
    ]
    work = args.work or Path(tempfile.mkdtemp(prefix="ingest_jobs_"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[tuple[str, int], list[dict[str, float]]] = {}
    for folder in args.folders:
        n = _files(folder)
        zone = _zone(folder, rules)
        for rep in range(args.repeat):
            for jobs in (0, args.jobs) if rep % 2 == 0 else (args.jobs, 0):
                r = _one(folder, jobs, work / f"jobs{jobs}.db", zone, args.busy_core)
                results.setdefault((str(folder), jobs), []).append(r)
                print(
                    f"{folder} --jobs {jobs}: {r['wall']:.2f} s wall ({n / r['wall']:.0f} "
                    f"files/s), CPU main {r['main_cpu']:.2f} s + workers "
                    f"{r['workers_cpu']:.2f} s = {r['main_cpu'] + r['workers_cpu']:.2f} s, "
                    f"main peak {r['main_kb'] / 1024:.0f} MB"
                    + (f", busy loop {r['busy_share']:.2f} of a core" if args.busy_core else ""),
                    flush=True,
                )
    print(
        "\n| folder | files | --jobs | wall s | files/s (wall) | CPU main s | CPU workers s "
        "| CPU total s | main files/CPU-s | busy loop's share of a core |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for folder in args.folders:
        n = _files(folder)
        med: dict[int, dict[str, float]] = {}
        for jobs in (0, args.jobs):
            runs = results[(str(folder), jobs)]
            med[jobs] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            m = med[jobs]
            print(
                f"| {folder.name} | {n} | {jobs} | {m['wall']:.2f} | {n / m['wall']:.0f} | "
                f"{m['main_cpu']:.2f} | {m['workers_cpu']:.2f} | "
                f"{m['main_cpu'] + m['workers_cpu']:.2f} | {n / m['main_cpu']:.0f} | "
                + (f"{m['busy_share']:.2f} |" if args.busy_core else "- |")
            )
        a, b = med[0], med[args.jobs]
        print(
            f"  ratio --jobs {args.jobs} / --jobs 0: wall {b['wall'] / a['wall']:.2f}, "
            f"main CPU {b['main_cpu'] / a['main_cpu']:.2f}, total CPU "
            f"{(b['main_cpu'] + b['workers_cpu']) / (a['main_cpu'] + a['workers_cpu']):.2f}"
        )


if __name__ == "__main__":
    main()
