"""Benchmark: ingest at scale, whole processes, SQLite and PostgreSQL.

For each size (rounds of a synthetic season: a stats, a Lua and an endstats file per round,
12 players) the files are written once, in chunks of 1,000 rounds (one folder each, seeded
per chunk) on ``--workers`` processes (default: every core); the stats files are hard-linked
into a second folder for ``stats-only``. Then, for each store and each code version, these
whole processes run one after the other (``--steps`` picks some):

* ``ingest``: ``etstats ingest DIR`` into a fresh store;
* ``re-ingest``: the same command again (every file already known);
* ``rebuild``: ``etstats rebuild``;
* ``audit``: ``etstats audit --json``;
* ``more``: :data:`MORE_ROUNDS` further rounds of the same season (300 files: a busy
  server's week) ingested at once into the full store with ``etstats ingest``: the time per
  artifact of a routine import into a store of that size;
* ``single``: five new rounds (15 artifacts) ingested one by one with ``Pipeline.ingest``
  into the full store (``watch``/``serve``): milliseconds per arrival (median and worst,
  leaving out the first round's three, which also pay one-time code generation per kind);
* ``stats-only``: ``etstats ingest`` of the season's stats files alone (files/s).

Each step prints a line when it starts and its result as soon as it ends (seconds, time per
artifact, CPU time per artifact of the process, peak memory of the process from ``wait4``,
store size after the step; then the same as JSON, also appended to ``--json FILE``). At the
end: the issue's table in Markdown for every size, store, version and step, the ratios new vs
baseline, and each size against the smallest (CPU per artifact and peak memory: linear time,
flat memory).

``--baseline-src DIR`` runs the same steps with another checkout's ``src`` folder first on
``PYTHONPATH`` (for example the code before the bulk path: ``git archive rename src | tar -x
-C /tmp/old``) and prints the ratios of the same run. ``--reference PATH`` (with ``--pg``)
also runs the stats-only season files, the real corpus (``--reference-real``) and dated copies
of it (``--reference-real-copies``, 10 by default: a longer real history) through
``etstats ingest`` and the reference project's importer side by side (``bench/
reference_import.py``; ``--steps none`` skips the other steps).

Usage::

    .venv/bin/python bench/ingest.py --rounds 1000 10000 100000 [--pg DSN]
        [--baseline-src DIR] [--baseline-steps STEPS] [--workers N] [--no-sqlite]
        [--steps ingest,re-ingest,rebuild,audit,more,single,stats-only] [--work DIR]
        [--json FILE] [--season synthetic|truth] [--population N] [--small-runs N]

``--population N`` draws each round's 12 players from N GUIDs (a round 2 has its round 1's
players), as a community's rounds are; by default every round has 12 new GUIDs, so a
100,000-round season has 1.2 million players: the worst case for everything kept per player
(totals, names, the lines' GUID index).

``--small-runs N`` measures the smallest size N times, half of them before the larger sizes
and half after, and takes the scale ratios against their median: a 1,000-round ingest lasts
seconds, and the host's speed drifts by a fifth over the hour a 100,000-round size takes, so
one run before it is a poor baseline.

``--season truth`` writes consistent rounds from the truth generator instead (stats and Lua
files that agree as real ones do, round 1/2 pairs, no endstats): the reconciliation's cost on
data where most comparisons agree.

PostgreSQL is used when ``--pg`` or ``$ETSTATS_TEST_DSN`` names a server (a fresh database per
run, dropped afterwards). The 100,000-round run writes 300,000 files (about 3 GB; a few
minutes on two cores) and its steps take hours: run it by hand on a quiet machine, never in
the test suite.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path

import reference_import  # bench/reference_import.py (this script's directory is on sys.path)
from results import ETSTATS_SOURCES, installed_env, result_row  # bench/results.py

from etstats.testing.synthetic import MAPS, random_guid, round_artifacts

START_UNIX = 1_767_225_600
STEPS = ("ingest", "re-ingest", "rebuild", "audit", "more", "single", "stats-only")
SQUAD = 12
"""Players of a round of the synthetic season."""
MORE_ROUNDS = 100
"""Rounds of the ``more`` step: ingested at once into the full store after the season."""
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


CHUNK_ROUNDS = 1000
"""Rounds per folder of the written season (3,000 files) and per generation task."""


def population_guids(population: int) -> list[str]:
    """The season's players when it has a population: ``population`` GUIDs (32 hex digits),
    the same in every chunk and process."""
    rng = random.Random(-1)
    return [random_guid(rng) for _ in range(population)]


def squad_of(i: int, population: list[str]) -> list[str] | None:
    """The 12 players of round ``i`` drawn from ``population`` (``None``: 12 new GUIDs, as
    without a population). A round 2 has its round 1's players."""
    if not population:
        return None
    return random.Random(i // 2).sample(population, SQUAD)


def _write_chunk(
    folder: Path, stats_folder: Path, first: int, last: int, population: int = 0
) -> int:
    """Write rounds ``first`` to ``last - 1`` into one sub-folder (seeded by the chunk, so
    the season does not depend on how many workers wrote it); the stats file of each round
    is hard-linked into ``stats_folder`` too (the stats-only input, no second copy).
    ``population``: the players come from that many GUIDs (0: new ones every round)."""
    rng = random.Random(first)
    players = population_guids(population)
    sub = folder / f"{first // CHUNK_ROUNDS:04d}"
    stats_sub = stats_folder / sub.name
    sub.mkdir(parents=True, exist_ok=True)
    stats_sub.mkdir(parents=True, exist_ok=True)
    count = 0
    for i in range(first, last):
        arts = round_artifacts(
            map_name=MAPS[(i // 2) % len(MAPS)],
            round_number=1 + i % 2,
            end_unix=START_UNIX + 900 * i,
            rng=rng,
            players=SQUAD,
            guids=squad_of(i, players),
            pauses=i % 3,
        )
        for k, a in enumerate(arts):
            (sub / a.name).write_bytes(a.data)
            if k == 0:  # the stats file comes first
                os.link(sub / a.name, stats_sub / a.name)
            count += 1
    return count


def write_truth_season(folder: Path, rounds: int, *, stats_only: bool = False) -> int:
    """A season from the truth generator (``etstats.testing.reconcile_truth``): round 1/2
    pairs of 12 players whose stats file (c0rnp0rn 7 or 8) and gametimes (v1, or legacy one
    round in four) agree as real ones do, so most comparisons agree (the synthetic season's
    TAB values are random and nearly every comparison conflicts). No endstats files."""
    from etstats.testing.reconcile_truth import render_legacy, render_stats, render_v1, simulate

    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    r1 = None
    for i in range(rounds):
        sub = folder / f"{i // 1000:04d}"
        sub.mkdir(exist_ok=True)
        if i % 2 == 0 or r1 is None:
            tr = simulate(
                i,
                n_per_team=6,
                pauses=i % 3,
                map_name=MAPS[(i // 2) % len(MAPS)],
                start_unix=START_UNIX + 3600 * (i // 2),
                end=("objective", "time_expired", "surrender_attackers")[(i // 2) % 3],
            )
            r1, prior = tr, None
        else:
            tr, prior = simulate(i, n_per_team=6, after=r1), r1
        files = [render_stats(tr, version=7 if (i // 2) % 2 else 8, prior=prior)]
        if not stats_only:
            files.append(render_legacy(tr, seed=i) if i % 4 == 3 else render_v1(tr))
        for name, text in files:
            (sub / name).write_text(text, encoding="utf-8")
            count += 1
    return count


def write_season(
    folder: Path,
    stats_folder: Path,
    rounds: int,
    workers: int,
    population: int = 0,
    first: int = 0,
) -> int:
    """Write the season's files (a stats, a Lua and an endstats file per round) in chunks of
    :data:`CHUNK_ROUNDS` rounds on ``workers`` processes, printing progress; returns the
    number of files (memory stays flat: one round at a time per worker). ``population``: see
    :func:`_write_chunk`; ``first``: the number of the first round (later rounds come
    later in time)."""
    end = first + rounds
    chunks = [(i, min(i + CHUNK_ROUNDS, end)) for i in range(first, end, CHUNK_ROUNDS)]
    count = 0
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(_write_chunk, folder, stats_folder, a, b, population) for a, b in chunks
        ]
        for done, future in enumerate(as_completed(futures), 1):
            count += future.result()
            if len(chunks) > 1:
                print(
                    f"#   written {done}/{len(chunks)} chunks "
                    f"({time.perf_counter() - start:.0f} s)",
                    flush=True,
                )
    return count


_LAUNCHER = """
import json, os, subprocess, sys, time
for line in sys.stdin:
    job = json.loads(line)
    with open(job["out"], "wb") as out, open(job["err"], "wb") as err:
        start = time.perf_counter()
        p = subprocess.Popen(job["argv"], stdout=out, stderr=err, env=job["env"])
        _, status, usage = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - start
    print(json.dumps([elapsed, os.waitstatus_to_exitcode(status), usage.ru_maxrss,
                      usage.ru_utime + usage.ru_stime]), flush=True)
"""
"""The process that starts each timed process. Linux carries a forked parent's resident
size into the child's ``ru_maxrss`` (it is the high-water mark of the child's memory from the
fork on, exec included), so a child started by this script, which holds a season's worth of
bookkeeping (up to 70 MB by the 100,000-round size), reported at least that much whatever it
used itself. Started from this small launcher (about 10 MB), every step's peak is its own."""


class _Launcher:
    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None

    def run(self, argv: list[str], env: dict[str, str]) -> tuple[float, int, int, float, str, str]:
        """(seconds, exit code, peak RSS in KB, CPU seconds, stdout, stderr) of one whole
        process."""
        if self._proc is None:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _LAUNCHER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        assert self._proc.stdin is not None
        assert self._proc.stdout is not None
        with tempfile.TemporaryDirectory() as tmp:
            out, err = Path(tmp, "out"), Path(tmp, "err")
            job = {"argv": argv, "env": env, "out": str(out), "err": str(err)}
            self._proc.stdin.write(json.dumps(job) + "\n")
            self._proc.stdin.flush()
            elapsed, code, maxrss, cpu = json.loads(self._proc.stdout.readline())
            return elapsed, code, maxrss, cpu, out.read_text(), err.read_text()

    def close(self) -> None:
        """End the launcher (its input closed, it exits); at this script's exit."""
        proc, self._proc = self._proc, None
        if proc is not None:
            assert proc.stdin is not None
            assert proc.stdout is not None
            proc.stdin.close()
            proc.wait(timeout=30)
            proc.stdout.close()


_launcher = _Launcher()
atexit.register(_launcher.close)


def run_process(argv: list[str], env: dict[str, str]) -> tuple[float, int, str, float]:
    """Run a whole process (from :data:`_LAUNCHER`); returns (seconds, peak RSS in MB,
    stdout, CPU seconds: user + system of the process itself, so a loaded machine slows the
    wall clock, not this)."""
    elapsed, code, maxrss, cpu, text, errors = _launcher.run(argv, env)
    if code not in (0, 1):  # 1: the audit found a conflict
        raise RuntimeError(f"{argv[:4]} failed ({code}): {errors[-2000:]}")
    return elapsed, maxrss // 1024, text, cpu


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
    more_dir: Path | None = None,
    more_artifacts: int = 0,
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    base = cli()

    def row(
        step: str,
        run: tuple[float, int, str, float],
        count: int,
        extra: str = "",
        *,
        store: str = url,
    ) -> None:
        seconds, peak, _, cpu = run
        rows.append(
            result_row(
                version=version,
                backend=backend,
                rounds=rounds,
                step=step,
                seconds=seconds,
                cpu_seconds=cpu,
                count=count,
                peak_mb=peak,
                store_mb=store_mb(backend, store),
                extra=extra,
            )
        )
        report(rows[-1])

    def run(step: str, argv: list[str]) -> tuple[float, int, str, float]:
        print(f"# {rounds} rounds, {backend}, {version}: {step} ...", flush=True)
        return run_process(argv, env)

    if "ingest" in steps:
        row("ingest", run("ingest", [*base, "ingest", "--db", url, str(season_dir)]), artifacts)
    if "re-ingest" in steps:
        row(
            "re-ingest",
            run("re-ingest", [*base, "ingest", "--db", url, str(season_dir)]),
            artifacts,
        )
    if "rebuild" in steps:
        row("rebuild", run("rebuild", [*base, "rebuild", "--db", url]), artifacts)
    if "audit" in steps:
        row("audit", run("audit", [*base, "audit", "--json", "--db", url]), artifacts)
    if "more" in steps and more_dir is not None:
        # a week of a busy server arriving at once: into the full store, time per artifact
        done = run("more", [*base, "ingest", "--db", url, str(more_dir)])
        row("more", done, more_artifacts, f"{MORE_ROUNDS} more rounds into the full store")
    if "single" in steps:
        code = f"START = {START_UNIX}\n" + _SINGLE
        done = run("single", [sys.executable, "-c", code, url, str(rounds)])
        median, worst = json.loads(done[2])
        row("single", done, 15, f"median {median:.1f} ms, worst {worst:.1f} ms per arrival")
    if "stats-only" in steps and stats_dir is not None:
        with store_url(backend, url_work(url, backend), dsn) as stats_url:
            done = run("stats-only", [*base, "ingest", "--db", stats_url, str(stats_dir)])
            row("stats-only", done, rounds, store=stats_url)
    return rows


def report(r: dict[str, object]) -> None:
    """One result, printed as soon as its step ended (a line to read, then its JSON)."""
    print(
        f"#   {r['step']}: {r['seconds']:.1f} s, {r['ms_per_artifact']:.2f} ms/artifact, "
        f"CPU {r['cpu_ms_per_artifact']:.2f} ms/artifact, peak {r['peak_mb']} MB, "
        f"store {r['store_mb']:.1f} MB {r['extra']}",
        flush=True,
    )
    print(json.dumps(r), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, nargs="+", default=[1000])
    parser.add_argument("--pg", default=os.environ.get("ETSTATS_TEST_DSN"))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--baseline-src", type=Path, default=None)
    parser.add_argument("--baseline-steps", default=None, help="default: --steps")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--reference", type=Path, default=None)
    parser.add_argument("--reference-python", default=sys.executable)
    parser.add_argument("--reference-real", type=Path, default=reference_import.REAL_CORPUS)
    parser.add_argument(
        "--reference-real-copies",
        type=int,
        default=10,
        help="also compare on this many dated copies of the real corpus (0 or 1: not)",
    )
    parser.add_argument("--reference-repeat", type=int, default=3)
    parser.add_argument(
        "--small-runs",
        type=int,
        default=1,
        metavar="N",
        help="measure the smallest size N times, half before and half after the larger "
        "sizes; the scale ratios use the median of its runs (the host's speed drifts "
        "over the minutes a large size takes)",
    )
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="append result rows here")
    parser.add_argument(
        "--season",
        choices=("synthetic", "truth"),
        default="synthetic",
        help="synthetic: random TAB values, stats + Lua + endstats per round (nearly every "
        "comparison conflicts); truth: the truth generator's consistent rounds, stats + Lua",
    )
    parser.add_argument(
        "--population",
        type=int,
        default=0,
        metavar="N",
        help="synthetic season: each round's 12 players drawn from N GUIDs, a round 2 with "
        "its round 1's (default 0: 12 new GUIDs every round, so every player line is a new "
        "player: the worst case for the per-player tables and indexes)",
    )
    args = parser.parse_args(argv)
    if 0 < args.population < SQUAD:
        parser.error(f"--population must be 0 or at least {SQUAD} (the players of a round)")
    steps = args.steps.split(",")
    work = args.work or Path(tempfile.mkdtemp(prefix="etstats-bench-"))
    backends = ([] if args.no_sqlite else ["sqlite"]) + (["postgresql"] if args.pg else [])
    if args.season == "truth":  # its stats file names are local times at UTC+1
        os.environ["ETSTATS_TIMEZONE"] = "Etc/GMT-1"
    versions = [("new", installed_env(os.environ, ETSTATS_SOURCES))]
    if args.baseline_src is not None:
        src = args.baseline_src.resolve()
        env = installed_env(dict(os.environ, PYTHONPATH=str(src)), src)
        versions.insert(0, ("baseline", env))
    all_rows: list[dict[str, object]] = []
    try:
        for rounds in size_order(args.rounds, args.small_runs):
            season_dir = work / f"season-{rounds}"
            stats_dir = work / f"stats-{rounds}"
            t = time.perf_counter()
            print(f"# {rounds} rounds: writing the season ...", flush=True)
            if args.season == "truth":
                artifacts = write_truth_season(season_dir, rounds)
                write_truth_season(stats_dir, rounds, stats_only=True)
            else:
                artifacts = write_season(
                    season_dir, stats_dir, rounds, args.workers, args.population
                )
            more_dir = work / f"more-{rounds}"
            more_artifacts = 0
            if "more" in steps and args.season == "synthetic":
                more_artifacts = write_season(
                    more_dir,
                    work / f"more-stats-{rounds}",
                    MORE_ROUNDS,
                    1,
                    args.population,
                    rounds + 20,  # after the season and the single step's rounds
                )
            print(
                f"# {rounds} rounds: {artifacts} artifacts written in "
                f"{time.perf_counter() - t:.0f} s",
                flush=True,
            )
            for backend in backends:
                for version, env in versions:
                    want = (
                        steps
                        if version == "new" or args.baseline_steps is None
                        else args.baseline_steps.split(",")
                    )
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
                            more_dir=more_dir if more_artifacts else None,
                            more_artifacts=more_artifacts,
                        )
            if args.reference is not None and args.pg:  # bench/reference_import.py
                all_rows += reference_import.run_all(args, rounds, stats_dir, work, run_process)
            shutil.rmtree(season_dir)
            shutil.rmtree(stats_dir)
            shutil.rmtree(more_dir, ignore_errors=True)
            shutil.rmtree(work / f"more-stats-{rounds}", ignore_errors=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
        if args.json is not None:
            with args.json.open("a") as fh:
                for r in all_rows:
                    fh.write(json.dumps(r) + "\n")
    print_table(all_rows)
    return 0


def size_order(sizes: Sequence[int], small_runs: int) -> list[int]:
    """The order the sizes are measured in: the smallest ``small_runs`` times, the first
    half of its runs before the larger sizes and the rest after them, so that the scale
    ratios' baseline brackets the long runs instead of preceding them."""
    smallest, runs = min(sizes), max(small_runs, 1)
    larger = [n for n in dict.fromkeys(sizes) if n != smallest]
    before = (runs + 1) // 2 if larger else runs
    return [smallest] * before + larger + [smallest] * (runs - before)


def _f(r: dict[str, object], key: str) -> float:
    return float(r[key])  # type: ignore[arg-type]


def print_table(rows: list[dict[str, object]]) -> None:
    """The issue's table (Markdown: per size, store, version and step the time per
    artifact, wall and CPU, peak memory and store size), then the ratios: new against the
    baseline of the same run, and each size against the smallest (linear time, flat
    memory)."""
    print(
        "\n| rounds | store | version | step | wall s | ms/artifact | CPU ms/artifact "
        "| artifacts per CPU-s | peak MB | store MB | note |"
    )
    print("|---:|---|---|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        per_cpu = (
            ""
            if r["step"] in ("audit", "single")
            else f"{1000 / _f(r, 'cpu_ms_per_artifact'):,.0f}"
        )
        print(
            f"| {r['rounds']:,} | {r['backend']} | {r['version']} | {r['step']} "
            f"| {_f(r, 'seconds'):.1f} | {_f(r, 'ms_per_artifact'):.2f} "
            f"| {_f(r, 'cpu_ms_per_artifact'):.2f} | {per_cpu} | {r['peak_mb']} "
            f"| {_f(r, 'store_mb'):.1f} | {r['extra']} |"
        )
    new = {(r["backend"], r["rounds"], r["step"]): r for r in rows if r["version"] == "new"}
    for r in rows:
        if r["version"] != "baseline":
            continue
        n = new.get((r["backend"], r["rounds"], r["step"]))
        if n is not None:
            wall = _f(r, "seconds") / _f(n, "seconds")
            cpu = _f(r, "cpu_seconds") / _f(n, "cpu_seconds")
            print(
                f"ratio new vs baseline, {r['backend']} {r['rounds']} rounds {r['step']}: "
                f"{wall:.2f}x faster (wall clock), {cpu:.2f}x less CPU"
            )
    sizes = sorted({int(_f(r, "rounds")) for r in rows})
    for r in rows:
        if int(_f(r, "rounds")) == sizes[0] or r["step"] == "single":
            continue
        small = [
            s
            for s in rows
            if int(_f(s, "rounds")) == sizes[0]
            and (s["version"], s["backend"], s["step"]) == (r["version"], r["backend"], r["step"])
        ]
        if small:
            cpu = statistics.median(_f(s, "cpu_ms_per_artifact") for s in small)
            peak = statistics.median(_f(s, "peak_mb") for s in small)
            runs = ", ".join(f"{_f(s, 'cpu_ms_per_artifact'):.2f}" for s in small)
            print(
                f"scale {r['version']} {r['backend']} {r['step']}: {r['rounds']} vs "
                f"{sizes[0]} rounds: CPU per artifact "
                f"{_f(r, 'cpu_ms_per_artifact') / cpu:.2f}x, "
                f"peak memory {_f(r, 'peak_mb') / peak:.2f}x"
                + (
                    f" (median of {len(small)} runs at {sizes[0]}: {runs} ms)"
                    if len(small) > 1
                    else ""
                )
            )


if __name__ == "__main__":
    raise SystemExit(main())
