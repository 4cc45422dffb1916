"""Stats-only bulk ingest against the reference project's importer (issue 15), side by side.

The reference project (iamez/slomix) imports a folder of stats files into PostgreSQL with
``PostgreSQLDatabaseManager.import_all_files`` (its ``postgresql_database_manager.py``): one
file at a time, parse, then a transaction with one ``INSERT`` per round, player and weapon
row. It is not part of this repository: ``--reference DIR`` names a checkout (or a
transcription) that holds ``postgresql_database_manager.py``, its ``bot`` package and a
driver ``run_import.py DIR [--create-schema]`` that reads the database from ``REF_PG_HOST``
(``host:port``), ``REF_PG_DATABASE``, ``REF_PG_USER`` and ``REF_PG_PASSWORD``; ``--reference-
python`` an interpreter with its requirements (asyncpg, discord.py). docs/performance.md says
which reference files were used and how to set them up.

For each folder the two importers run as whole processes, one after the other and
``repeat`` times in turn, each into a fresh database of its own on the same server (ours
migrated from a template, the reference's with its own schema created beforehand, so
neither timed run pays for its schema). Both read the same files from one flat folder of
symbolic links named as the game server writes them (``YYYY-MM-DD-HHMMSS-map-round-N.txt``):
the reference derives dates and finds the round 1 of a round 2 from the name and only looks
in the file's own folder, and the real corpus's copies carry an ``iamez_`` prefix.

Printed and returned per importer: best wall seconds and best CPU seconds (user + system of
the importer's process), the PostgreSQL server's CPU for the run's connections when the
server runs on this machine (:func:`server_children_cpu`: the reference, one round-trip per
row, waits on the server for much of its wall time), files/s on each,
and the ratio reference / etstats (the issue's target: at least 10x). Peak memory is kept
in the rows but not printed (``run_process`` starts each process from a small launcher, so
it is the importer's own, but the race is about time). A
reference run that does not store every file (its ``files_processed`` counter) stops the
benchmark: the race would not be fair.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from results import ETSTATS_SOURCES, installed_env, result_row  # bench/results.py

from etstats.storage.testing import pg_database

RunProcess = Callable[[list[str], dict[str, str]], tuple[float, int, str, float]]
"""``bench/ingest.py``'s ``run_process``: (seconds, peak MB, stdout, CPU seconds)."""

REAL_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "real_stats" / "c0rnp0rn"
_DATED = re.compile(r"\d{4}-\d{2}-\d{2}-\d{6}-.+-round-\d+\.txt")


def server_named_folder(source: Path, folder: Path) -> int:
    """Fill ``folder`` with one symbolic link per stats file under ``source`` (recursively;
    endstats files left out), named without any prefix before the date; returns the count."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(source.rglob("*.txt")):
        if path.name.endswith("-endstats.txt"):
            continue
        found = _DATED.search(path.name)
        if found is None:
            continue
        link = folder / found.group(0)
        if not link.exists():
            link.symlink_to(path.resolve())
            count += 1
    return count


VARIANT_SHIFT_DAYS = 600
"""Days between two copies of :func:`real_variants` (the corpus spans about 565 days)."""


def real_variants(source: Path, folder: Path, copies: int) -> int:
    """Fill ``folder`` with ``copies`` copies of the stats files under ``source`` (endstats
    left out), as a community's longer history: copy ``k`` is dated ``k`` x
    :data:`VARIANT_SHIFT_DAYS` later (its file names; a round 2 still finds its round 1), and
    its header's server name and every player's name end in ``-k`` (the players renamed), so
    each copy differs from the others both as a file (ours) and after its header line (the
    reference skips a file whose lines after the header it has seen). GUIDs, maps and every
    number stay those of the real rounds. Returns the count."""
    from datetime import datetime, timedelta

    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(source.rglob("*.txt")):
        found = _DATED.search(path.name)
        if path.name.endswith("-endstats.txt") or found is None:
            continue
        stamp, rest = found.group(0)[:17], found.group(0)[17:]
        when = datetime.strptime(stamp, "%Y-%m-%d-%H%M%S")
        data = path.read_bytes()
        for k in range(copies):
            name = (when + timedelta(days=k * VARIANT_SHIFT_DAYS)).strftime("%Y-%m-%d-%H%M%S")
            (folder / (name + rest)).write_bytes(data if k == 0 else _renamed(data, f"-{k}"))
            count += 1
    return count


def _renamed(data: bytes, suffix: str) -> bytes:
    """A stats file with ``suffix`` after its server name and after each player's name (the
    first two backslash-separated fields of the header and of a player line)."""
    mark = suffix.encode()
    lines = data.split(b"\n")
    for i, line in enumerate(lines):
        fields = line.split(b"\\", 2)
        if len(fields) == 3:
            index = 0 if i == 0 else 1
            fields[index] += mark
            lines[i] = b"\\".join(fields)
    return b"\n".join(lines)


def server_children_cpu(dsn: str) -> float | None:
    """CPU seconds (user + system) of the PostgreSQL server's exited children so far: every
    connection's backend adds its time to the postmaster's ``cutime``/``cstime`` when it
    ends. Read before and after a run, the difference is the server's work for the run's
    connections (plus any autovacuum worker that ended meanwhile). ``None`` when the server
    is not on this machine or ``/proc`` cannot be read."""
    import psycopg

    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            row = conn.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        status = Path(f"/proc/{row[0]}/status").read_text()
        ppid = next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:"))
        fields = Path(f"/proc/{ppid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, StopIteration, psycopg.Error, AssertionError):
        return None
    # fields[0] is the state (field 3 of stat): cutime and cstime are fields 16 and 17
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def _admin(dsn: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(statement.encode("utf-8"))


@contextmanager
def reference_database(
    dsn: str, reference: Path, python: str, run: RunProcess
) -> Iterator[dict[str, str]]:
    """A fresh, empty database on the server of ``dsn`` with the reference's schema; yields
    the ``REF_PG_*`` environment that points the reference at it; dropped afterwards."""
    from psycopg.conninfo import conninfo_to_dict

    params = {k: str(v) for k, v in conninfo_to_dict(dsn).items() if v is not None}
    name = f"slomix_ref_{uuid.uuid4().hex[:12]}"
    _admin(dsn, f'CREATE DATABASE "{name}" TEMPLATE template0')
    env = installed_env(
        dict(
            os.environ,
            REF_PG_HOST=f"{params.get('host', '127.0.0.1')}:{params.get('port', '5432')}",
            REF_PG_DATABASE=name,
            REF_PG_USER=params.get("user", "postgres"),
            REF_PG_PASSWORD=params.get("password", ""),
        ),
        reference,
    )
    try:
        run([python, str(reference / "run_import.py"), ".", "--create-schema"], env)
        yield env
    finally:
        _admin(dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def compare(
    *,
    label: str,
    folder: Path,
    files: int,
    dsn: str,
    reference: Path,
    python: str,
    repeat: int,
    run: RunProcess,
) -> list[dict[str, object]]:
    """Time ``etstats ingest`` and the reference importer on ``folder`` (``files`` stats
    files), alternating, ``repeat`` times each; returns one row per importer (best runs)."""
    ours = [sys.executable, "-c", "import sys; from etstats.cli import run; sys.exit(run())"]
    best: dict[str, list[float]] = {}  # name -> [wall s, CPU s, peak MB, server CPU s]
    ours_env = installed_env(os.environ, ETSTATS_SOURCES)

    def keep(name: str, argv: list[str], env: dict[str, str]) -> str:
        before = server_children_cpu(dsn)
        wall, peak, out, cpu = run(argv, env)
        time.sleep(0.5)  # let the server reap the run's backends (their CPU lands then)
        after = server_children_cpu(dsn)
        server = after - before if after is not None and before is not None else float("nan")
        old = best.get(name, [float("inf"), float("inf"), 0.0, float("inf")])
        best[name] = [min(old[0], wall), min(old[1], cpu), max(old[2], peak), min(old[3], server)]
        return out

    for _ in range(repeat):
        with pg_database(dsn) as url:
            keep("etstats", [*ours, "ingest", "--db", url, str(folder)], ours_env)
        with reference_database(dsn, reference, python, run) as env:
            script = str(reference / "run_import.py")
            out = keep("reference", [python, script, str(folder.resolve())], env)
            counters = json.loads(out.strip().splitlines()[-1])
            if counters["files_processed"] != files:  # a fair race stores every file
                raise RuntimeError(f"reference importer on {folder}: {counters}")
    print_comparison(label, files, best, repeat)
    return [
        result_row(
            version=name,
            backend="postgresql",
            rounds=files,
            step="vs-ref",
            seconds=wall,
            cpu_seconds=cpu,
            count=files,
            peak_mb=int(peak),
            store_mb=0.0,
            extra=f"{label}, stats files only, best of {repeat}, server CPU {server:.1f} s",
        )
        for name, (wall, cpu, peak, server) in best.items()
    ]


def run_all(
    args: argparse.Namespace, rounds: int, stats_dir: Path, work: Path, run: RunProcess
) -> list[dict[str, object]]:
    """The hook of ``bench/ingest.py``: compare on the season's stats files, and once per
    run on the real corpus (``args.reference_real``) and on ``args.reference_real_copies``
    dated copies of it (:func:`real_variants`)."""
    rows: list[dict[str, object]] = []
    jobs = [(f"synthetic {rounds} rounds", stats_dir, work / f"reference-synthetic-{rounds}")]
    real = work / "reference-real"
    variants = work / "reference-real-variants"
    copies = args.reference_real_copies
    if args.reference_real is not None and args.reference_real.is_dir() and not real.exists():
        jobs.append(("real corpus", args.reference_real, real))
        if copies > 1:
            jobs.append((f"real corpus x{copies} (dated copies)", args.reference_real, variants))
    for label, source, folder in jobs:
        if folder == variants:
            files = real_variants(source, folder, copies)
        else:
            files = server_named_folder(source, folder)
        rows += compare(
            label=label,
            folder=folder,
            files=files,
            dsn=args.pg,
            reference=args.reference.resolve(),
            python=args.reference_python,
            repeat=args.reference_repeat,
            run=run,
        )
        if folder != real:
            shutil.rmtree(folder)
    return rows


def print_comparison(label: str, files: int, best: dict[str, list[float]], repeat: int) -> None:
    """Print the best runs of one :func:`compare` (name -> [wall s, CPU s, peak MB, server
    CPU s]) and the reference / etstats ratios (peak memory left out: see the module
    docstring)."""
    print(
        f"\nstats-only ingest vs the reference importer, {label}, {files} files, best of {repeat}:"
    )
    print(
        f"  {'importer':<10} {'wall s':>8} {'CPU s':>7} {'files/s':>8} {'files/CPU s':>11} "
        f"{'server CPU s':>12} {'files/all CPU s':>15}"
    )
    for name, (wall, cpu, _peak, server) in best.items():
        print(
            f"  {name:<10} {wall:>8.2f} {cpu:>7.2f} {files / wall:>8.0f} {files / cpu:>11.0f} "
            f"{server:>12.2f} {files / (cpu + server):>15.0f}"
        )
    if "etstats" in best and "reference" in best:
        ours, ref = best["etstats"], best["reference"]
        wall_ratio, cpu_ratio = ref[0] / ours[0], ref[1] / ours[1]
        all_ratio = (ref[1] + ref[3]) / (ours[1] + ours[3])
        verdict = "meets" if min(wall_ratio, cpu_ratio) >= 10 else "MISSES"
        print(
            f"  ratio reference / etstats: {wall_ratio:.2f}x wall, {cpu_ratio:.2f}x CPU, "
            f"{all_ratio:.2f}x CPU with the server's ({verdict} the 10x target)",
            flush=True,
        )
