"""Benchmark: ingest at scale, whole processes, SQLite and PostgreSQL.

For each size (rounds of a synthetic season: a stats, a Lua and an endstats file per round,
12 players) the files are written to a folder once, then for each store and each code
version these whole processes run one after the other:

* ``ingest``: ``etstats ingest DIR`` into a fresh store;
* ``re-ingest``: the same command again (every file already known);
* ``rebuild``: ``etstats rebuild``;
* ``audit``: ``etstats audit --json``;
* ``single``: five new rounds (15 artifacts) ingested one by one with ``Pipeline.ingest``
  into the full store (``watch``/``serve``): milliseconds per arrival (median and worst,
  leaving out the first round's three, which also pay one-time code generation per kind);
* ``stats-only``: ``etstats ingest`` of the season's stats files alone (files/s).

Each row gives seconds, time per artifact (ms), artifacts/s, peak memory of the process
(maximum resident set, from ``wait4``) and the store size after the step.

``--baseline-src DIR`` runs the same steps with another checkout's ``src`` folder first on
``PYTHONPATH`` (for example the code before the bulk path: ``git archive rename src | tar -x
-C /tmp/old``) and prints the ratios of the same run. ``--reference PATH`` (with ``--pg``)
also runs the stats-only season files and the real corpus (``--reference-real``) through
``etstats ingest`` and the reference project's importer side by side (``bench/
reference_import.py``; ``--steps none`` skips the other steps).

Usage::

    .venv/bin/python bench/ingest.py --rounds 1000 10000 [--pg DSN] [--baseline-src DIR]
        [--steps ingest,re-ingest,rebuild,audit,single,stats-only] [--work DIR]

PostgreSQL is used when ``--pg`` or ``$ETSTATS_TEST_DSN`` names a server (a fresh database per
run, dropped afterwards). The 100,000-round run takes hours and about 3 GB of files: run it
by hand, never in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import reference_import  # bench/reference_import.py (this script's directory is on sys.path)

from etstats.testing.synthetic import MAPS, round_artifacts

START_UNIX = 1_767_225_600
STEPS = ("ingest", "re-ingest", "rebuild", "audit", "single", "stats-only")
_SINGLE = """
import json, statistics, sys, time
from etstats.ingest.pipeline import Pipeline
from etstats.testing.synthetic import round_artifacts
from etstats.storage.registry import open_storage
import random
store = open_storage(sys.argv[1])
pipeline = Pipeline(store)
rounds = int(sys.argv[2])
times = []
for k in range(5):  # 5 new rounds after the season: 15 arrivals
    arts = round_artifacts(map_name="supply", round_number=1 + k % 2,
                           end_unix=START + 900 * (rounds + 10 + k), rng=random.Random(k),
                           players=12)
    for a in arts:
        t = time.perf_counter()
        pipeline.ingest(a)
        times.append((time.perf_counter() - t) * 1000)
times = times[3:]  # the first round's arrivals also pay one-time code generation per kind
print(json.dumps([statistics.median(times), max(times)]))
store.close()
"""


def write_season(folder: Path, rounds: int, *, stats_only: bool = False) -> int:
    """Write the season's files (one round at a time: memory stays flat); returns the count."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)
    count = 0
    for i in range(rounds):
        arts = round_artifacts(
            map_name=MAPS[(i // 2) % len(MAPS)],
            round_number=1 + i % 2,
            end_unix=START_UNIX + 900 * i,
            rng=rng,
            players=12,
            pauses=i % 3,
            lua=not stats_only,
            endstats=not stats_only,
        )
        sub = folder / f"{i // 1000:04d}"  # at most 3,000 files per folder
        sub.mkdir(exist_ok=True)
        for a in arts:
            (sub / a.name).write_bytes(a.data)
            count += 1
    return count


def run_process(argv: list[str], env: dict[str, str]) -> tuple[float, int, str, float]:
    """Run a whole process; returns (seconds, peak RSS in MB, stdout, CPU seconds: user +
    system of the process itself, so a loaded machine slows the wall clock, not this)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(p.pid, 0)  # reaped here: its own rusage, not a sum
        elapsed = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(), err.read().decode()
    if p.returncode not in (0, 1):  # 1: the audit found a conflict
        raise RuntimeError(f"{argv[:4]} failed ({p.returncode}): {errors[-2000:]}")
    return elapsed, usage.ru_maxrss // 1024, text, usage.ru_utime + usage.ru_stime


@contextmanager
def store_url(backend: str, work: Path, dsn: str | None) -> Iterator[str]:
    if backend == "sqlite":
        path = work / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        yield str(path)
        return
    from etstats.storage.testing import drop_templates, pg_database

    assert dsn is not None
    with pg_database(dsn) as url:
        yield url
    drop_templates(dsn)


def url_work(url: str, backend: str) -> Path:
    """The folder of a SQLite store (a second store for the stats-only run goes beside it)."""
    return Path(url).parent / "stats-only" if backend == "sqlite" else Path(".")


def store_mb(backend: str, url: str) -> float:
    if backend == "sqlite":
        return (
            sum(
                Path(f"{url}{s}").stat().st_size for s in ("", "-wal") if Path(f"{url}{s}").exists()
            )
            / 1e6
        )
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    return float(row[0]) / 1e6 if row else 0.0


def cli() -> list[str]:
    return [sys.executable, "-c", "import sys; from etstats.cli import run; sys.exit(run())"]


def measure(
    *,
    version: str,
    env: dict[str, str],
    backend: str,
    url: str,
    season_dir: Path,
    stats_dir: Path | None,
    rounds: int,
    artifacts: int,
    steps: Sequence[str],
    dsn: str | None,
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    base = cli()

    def row(step: str, run: tuple[float, int, str, float], count: int, extra: str = "") -> None:
        seconds, peak, _, cpu = run
        rows.append(
            {
                "version": version,
                "backend": backend,
                "rounds": rounds,
                "step": step,
                "seconds": seconds,
                "ms_per_artifact": 1000 * seconds / count,
                "per_second": count / seconds,
                "cpu_seconds": cpu,
                "cpu_ms_per_artifact": 1000 * cpu / count,
                "peak_mb": peak,
                "store_mb": store_mb(backend, url),
                "extra": extra,
            }
        )
        print(json.dumps(rows[-1]), flush=True)

    if "ingest" in steps:
        row("ingest", run_process([*base, "ingest", "--db", url, str(season_dir)], env), artifacts)
    if "re-ingest" in steps:
        row(
            "re-ingest",
            run_process([*base, "ingest", "--db", url, str(season_dir)], env),
            artifacts,
        )
    if "rebuild" in steps:
        row("rebuild", run_process([*base, "rebuild", "--db", url], env), artifacts)
    if "audit" in steps:
        row("audit", run_process([*base, "audit", "--json", "--db", url], env), artifacts)
    if "single" in steps:
        code = f"START = {START_UNIX}\n" + _SINGLE
        done = run_process([sys.executable, "-c", code, url, str(rounds)], env)
        median, worst = json.loads(done[2])
        row("single", done, 15, f"median {median:.1f} ms, worst {worst:.1f} ms per arrival")
    if "stats-only" in steps and stats_dir is not None:
        with store_url(backend, url_work(url, backend), dsn) as stats_url:
            done = run_process([*base, "ingest", "--db", stats_url, str(stats_dir)], env)
            rows.append(
                {
                    "version": version,
                    "backend": backend,
                    "rounds": rounds,
                    "step": "stats-only",
                    "seconds": done[0],
                    "ms_per_artifact": 1000 * done[0] / rounds,
                    "per_second": rounds / done[0],
                    "cpu_seconds": done[3],
                    "cpu_ms_per_artifact": 1000 * done[3] / rounds,
                    "peak_mb": done[1],
                    "store_mb": store_mb(backend, stats_url),
                    "extra": "",
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, nargs="+", default=[1000])
    parser.add_argument("--pg", default=os.environ.get("ETSTATS_TEST_DSN"))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--baseline-src", type=Path, default=None)
    parser.add_argument("--baseline-steps", default="ingest,stats-only")
    parser.add_argument("--reference", type=Path, default=None)
    parser.add_argument("--reference-python", default=sys.executable)
    parser.add_argument("--reference-real", type=Path, default=reference_import.REAL_CORPUS)
    parser.add_argument("--reference-repeat", type=int, default=3)
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="append result rows here")
    args = parser.parse_args(argv)
    steps = args.steps.split(",")
    work = args.work or Path(tempfile.mkdtemp(prefix="etstats-bench-"))
    backends = ([] if args.no_sqlite else ["sqlite"]) + (["postgresql"] if args.pg else [])
    versions = [("new", dict(os.environ))]
    if args.baseline_src is not None:
        env = dict(os.environ, PYTHONPATH=str(args.baseline_src.resolve()))
        versions.insert(0, ("baseline", env))
    all_rows: list[dict[str, object]] = []
    try:
        for rounds in args.rounds:
            season_dir = work / f"season-{rounds}"
            stats_dir = work / f"stats-{rounds}"
            t = time.perf_counter()
            artifacts = write_season(season_dir, rounds)
            write_season(stats_dir, rounds, stats_only=True)
            print(
                f"# {rounds} rounds: {artifacts} artifacts written in "
                f"{time.perf_counter() - t:.0f} s",
                flush=True,
            )
            for backend in backends:
                for version, env in versions:
                    want = steps if version == "new" else args.baseline_steps.split(",")
                    with store_url(backend, work, args.pg) as url:
                        all_rows += measure(
                            version=version,
                            env=env,
                            backend=backend,
                            url=url,
                            season_dir=season_dir,
                            stats_dir=stats_dir,
                            rounds=rounds,
                            artifacts=artifacts,
                            steps=want,
                            dsn=args.pg,
                        )
            if args.reference is not None and args.pg:  # bench/reference_import.py
                all_rows += reference_import.run_all(args, rounds, stats_dir, work, run_process)
            shutil.rmtree(season_dir)
            shutil.rmtree(stats_dir)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
        if args.json is not None:
            with args.json.open("a") as fh:
                for r in all_rows:
                    fh.write(json.dumps(r) + "\n")
    print_table(all_rows)
    return 0


def print_table(rows: list[dict[str, object]]) -> None:
    print(
        f"\n{'version':<9} {'backend':<10} {'rounds':>7} {'step':<10} {'seconds':>8} "
        f"{'ms/art':>7} {'art/s':>7} {'cpu s':>7} {'cpu ms/art':>10} {'peak MB':>8} "
        f"{'store MB':>9}  extra"
    )
    for r in rows:
        print(
            f"{r['version']!s:<9} {r['backend']!s:<10} {r['rounds']!s:>7} {r['step']!s:<10} "
            f"{r['seconds']:>8.1f} {r['ms_per_artifact']:>7.2f} {r['per_second']:>7.0f} "
            f"{r['cpu_seconds']:>7.1f} {r['cpu_ms_per_artifact']:>10.2f} "
            f"{r['peak_mb']!s:>8} {r['store_mb']:>9.1f}  {r['extra']}"
        )
    new = {(r["backend"], r["rounds"], r["step"]): r for r in rows if r["version"] == "new"}
    for r in rows:
        if r["version"] != "baseline":
            continue
        n = new.get((r["backend"], r["rounds"], r["step"]))
        if n is not None:
            wall = float(r["seconds"]) / float(n["seconds"])  # type: ignore[arg-type]
            cpu = float(r["cpu_seconds"]) / float(n["cpu_seconds"])  # type: ignore[arg-type]
            print(
                f"ratio new vs baseline, {r['backend']} {r['rounds']} rounds {r['step']}: "
                f"{wall:.2f}x faster (wall clock), {cpu:.2f}x less CPU"
            )


if __name__ == "__main__":
    raise SystemExit(main())
