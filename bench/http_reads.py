"""Benchmark: read-route throughput and p95 latency of ``etstats serve`` at 100k rounds, and
signed-ingest throughput.

The store is built fast and realistically. ``--base`` rounds of a synthetic community
(:func:`etstats.testing.synthetic.evenings`: one evening a day, 16 rounds of 8 stopwatch maps,
10 players from groups of 12 regulars, stats + Lua + endstats files) go through the real
pipeline once; the SQLite result is cached in ``$ETSTATS_BENCH_CACHE`` (``/tmp/etstats-bench``)
and copied for each run. The store is then cloned in SQL (``INSERT ... SELECT`` per table and
copy, with round ids, artifact hashes and times shifted, times by whole days; GUIDs kept, so
careers grow) until it holds ``--rounds`` rounds. The running-totals triggers of migration
0006 are switched off during the copy and the totals filled once afterwards with the
migration's own fill statements; the bench then checks that they equal the plain aggregates
over the lines (it stops if not). Clones keep every per-round row except the
stored reconciliation reports and the raw artifact bytes, so the spawn audit sees the base
rounds only. On PostgreSQL the same base is ingested by the pipeline into a fresh database,
then cloned the same way. Each route is then requested ``--requests`` times, one client,
keep-alive, against ``etstats serve`` in its own process; the same routes on the base store
are the baseline, and the ratio shows how reads scale.

Signed ingest: ``--uploads`` new artifacts POSTed one after another, against the same
artifacts ingested in-process by the pipeline (the baseline: the cost of HTTP + signing).

Usage::

    .venv/bin/python bench/http_reads.py [--rounds 100000] [--base 1000] [--requests 200] \\
        [--uploads 150] [--pg DSN] [--skip-ingest] [--stores sqlite,postgres]
    .venv/bin/python bench/http_reads.py --url STORE [--only "lua-webhook health,linkage page"]

``--pg`` (or ``$ETSTATS_TEST_DSN``) also runs the reads on PostgreSQL (fresh databases are
created and dropped there). Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from etstats.ingest.pipeline import Pipeline
from etstats.ingest.signing import sign_upload
from etstats.storage.migrate import load_migrations
from etstats.storage.registry import open_storage
from etstats.testing.synthetic import evenings, season

CACHE = Path(os.environ.get("ETSTATS_BENCH_CACHE", "/tmp/etstats-bench"))  # noqa: S108
"""Where the pipeline-ingested base store is cached (a bench cache, not a secret)."""
KEY = "bench-key"
REQUEST_TIMEOUT_S = 60.0
"""A route slower than this at the size measured is reported as timed out."""
ROUND_TABLES = (
    "player_round_stats",
    "weapon_stats",
    "lua_timing",
    "pauses",
    "spawn_stats",
    "endstats_awards",
    "endstats_versus",
)
SHA_COLUMNS = ("sha256", "stats_sha256", "lua_sha256", "endstats_sha256", "artifact_sha256")
TIME_COLUMNS = (
    "round_start_unix",
    "round_end_unix",
    "stats_file_unix",
    "received_unix",
    "anchor_unix",
    "start_unix",
    "end_unix",
)


def build_base(url: str, rounds: int) -> None:
    storage = open_storage(url)
    try:
        pipeline = Pipeline(storage)
        pipeline.ingest_many(evenings(rounds, seed=11))
    finally:
        storage.close()


@contextmanager
def totals_refilled(conn: Any, dialect: str) -> Iterator[None]:
    """Switch the running-totals triggers off for a bulk copy, then fill ``player_totals``
    and ``player_name_lines`` once from the lines, with migration 0006's own fill statements
    (the same sums its triggers keep); far faster than a trigger per copied row. On SQLite the
    record candidates are marked for a refill (migration 0019's mark), done by the next open."""
    cur = conn.cursor()
    tables = ("player_round_stats", "weapon_stats", "rounds")
    saved: list[str] = []
    if dialect == "sqlite":
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (?, ?, ?)",
            tables,
        )
        for name, sql in cur.fetchall():
            saved.append(sql)
            cur.execute(f'DROP TRIGGER "{name}"')
    else:
        for t in tables:
            cur.execute(f"ALTER TABLE {t} DISABLE TRIGGER USER")
    yield
    fill = next(m.sql for m in load_migrations(dialect) if m.version == 6)
    fill = fill[fill.rindex("INSERT INTO player_totals") :]
    cur.execute("DELETE FROM player_totals")
    cur.execute("DELETE FROM player_name_lines")
    for statement in (x.strip() for x in fill.split(";")):
        if statement:
            cur.execute(statement)
    if dialect == "sqlite":  # its record candidates (migration 0019): filled by the next open
        cur.execute("INSERT INTO record_lines_refill (flag) VALUES (1) ON CONFLICT DO NOTHING")
    if dialect == "sqlite":
        for sql in saved:
            cur.execute(sql)
    else:
        for t in tables:
            cur.execute(f"ALTER TABLE {t} ENABLE TRIGGER USER")
    conn.commit()


def clone(conn: Any, dialect: str, copies: int, placeholder: str) -> None:
    """Append ``copies`` shifted copies of every round (and its rows) to the store; the
    running totals are filled once at the end (:func:`totals_refilled`)."""
    with totals_refilled(conn, dialect):
        _copy(conn, dialect, copies, placeholder)


def _copy(conn: Any, dialect: str, copies: int, placeholder: str) -> None:
    cur = conn.cursor()
    cur.execute("SELECT max(id), min(round_start_unix), max(round_start_unix) FROM rounds")
    max_id, t0, t1 = cur.fetchone()
    shift_s = ((t1 - t0) // 86_400 + 2) * 86_400  # whole days: evenings stay at 20:00 UTC

    def columns(table: str) -> list[str]:
        cur.execute(f"SELECT * FROM {table} WHERE 1 = 0")  # noqa: S608 - fixed table names
        return [d[0] for d in cur.description]

    def sha(col: str) -> str:
        if dialect == "sqlite":
            return f"substr({col}, 1, 56) || printf('%08d', {placeholder})"
        return f"substr({col}, 1, 56) || lpad(CAST({placeholder} AS TEXT), 8, '0')"

    def select(table: str, skip_blob: bool = False) -> tuple[str, int]:
        cols = columns(table)
        exprs = []
        uses = 0
        for c in cols:
            if c in SHA_COLUMNS:
                exprs.append(sha(c))
                uses += 1
            elif c in ("id", "round_id", "r1_round_id"):
                exprs.append(f"{c} + {placeholder} * {max_id}")
                uses += 1
            elif c in TIME_COLUMNS:
                exprs.append(f"{c} + {placeholder} * {shift_s}")
                uses += 1
            elif c == "data" and skip_blob:
                exprs.append("X''" if dialect == "sqlite" else "''::bytea")  # bytes not needed
            else:
                exprs.append(c)
        names = ", ".join(cols)
        return (
            f"INSERT INTO {table} ({names}) SELECT {', '.join(exprs)} "  # noqa: S608
            f"FROM {table} WHERE {{where}}"
        ), uses

    plans = [
        ("artifacts", *select("artifacts", skip_blob=True), "received_unix < {lim}"),
        ("rounds", *select("rounds"), "id <= {max_id}"),
    ]
    plans += [(t, *select(t), "round_id <= {max_id}") for t in ROUND_TABLES]
    cur.execute("SELECT max(received_unix) FROM artifacts")
    lim = cur.fetchone()[0] + 1  # the base artifacts only (copies are received later)
    for k in range(1, copies):
        for _table, sql, uses, where in plans:
            cur.execute(sql.format(where=where.format(lim=lim, max_id=max_id)), (k,) * uses)
        if k % 50 == 0:
            conn.commit()
    conn.commit()


@contextmanager
def served(db_url: str, log: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "ETSTATS_INGEST_SECRETS": f"bench={KEY}", "ETSTATS_API_KEYS": "k"}
    exe = str(Path(sys.executable).parent / "etstats")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [exe, "serve", "--db", db_url, "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            end = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(base + "/openapi.json", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > end or proc.poll() is not None:
                    raise RuntimeError("etstats serve did not start: " + log.read_text()[-500:])
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # a worker thread is still inside a slow query
                proc.kill()
                proc.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def routes(client: httpx.Client) -> dict[str, str]:
    latest = client.get("/v1/sessions/latest").json()
    guid = latest["players"][0]["player"]["guid"]
    rid = latest["round_ids"][0]
    return {
        "rounds page": "/v1/rounds?limit=50",
        "rounds by map": "/v1/rounds?map_name=supply&limit=50",
        "one round": f"/v1/rounds/{rid}",
        "sessions": "/v1/sessions?limit=20",
        "latest session": "/v1/sessions/latest",
        "player career": f"/v1/players/{guid}",
        "leaderboard kills": "/v1/leaderboards/kills?min_rounds=0",
        "records kills,dpm": "/v1/records?stat=kills&stat=dpm",
        "spawn audit (1 round)": "/v1/diagnostics/spawn-audit?round_id=1",
        "overview page": "/",
        "audit page (1 round)": "/audit?round_id=1",
        "lua-webhook health": "/v1/diagnostics/lua-webhook",
        "linkage page": "/v1/diagnostics/linkage?limit=50",
    }


def measure(client: httpx.Client, path: str, n: int, budget_s: float = 20.0) -> dict[str, Any]:
    """``n`` sequential requests, or fewer (at least 3) once ``budget_s`` seconds are spent;
    a request slower than the client timeout ends the route (reported, not raised)."""
    times: list[float] = []
    start = time.perf_counter()
    for i in range(n):
        if i >= 3 and time.perf_counter() - start > budget_s:
            break
        t0 = time.perf_counter()
        try:
            r = client.get(path)
        except httpx.TimeoutException:
            return {"requests": i, "timed_out_after_s": round(time.perf_counter() - t0, 1)}
        times.append(time.perf_counter() - t0)
        if r.status_code != 200:
            raise RuntimeError(f"{path}: {r.status_code} {r.text[:200]}")
    ms = sorted(t * 1000 for t in times)
    done = len(times)
    return {
        "requests": done,
        "req_s": round(done / sum(times), 1),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[max(0, int(done * 0.95) - 1)], 2),
    }


def read_bench(db_url: str, n: int, tmp: Path, only: Sequence[str] | None = None) -> dict[str, Any]:
    """Each route (those named in ``only``, if given) ``n`` times."""
    with (
        served(db_url, tmp / f"serve-{uuid.uuid4().hex[:6]}.log") as base,
        httpx.Client(
            base_url=base, timeout=REQUEST_TIMEOUT_S, headers={"X-API-Key": "k"}
        ) as client,
    ):
        out: dict[str, Any] = {}
        for name, path in routes(client).items():
            if only and name not in only:
                continue
            warm = measure(client, path, 1, budget_s=0)  # warm caches
            out[name] = warm if "timed_out_after_s" in warm else measure(client, path, n)
            print(name, out[name], file=sys.stderr, flush=True)
        return out


def ingest_bench(uploads: int, tmp: Path) -> dict[str, Any]:
    arts = season(uploads // 3 + 1, seed=99)[:uploads]
    storage = open_storage(str(tmp / "inproc.db"))
    pipeline = Pipeline(storage)
    t0 = time.perf_counter()
    for a in arts:
        pipeline.ingest(a)
    inproc_s = time.perf_counter() - t0
    storage.close()
    with (
        served(str(tmp / "http.db"), tmp / "serve-ingest.log") as base,
        httpx.Client(base_url=base, timeout=60) as client,
    ):
        t0 = time.perf_counter()
        for a in arts:
            r = client.post(
                "/v1/ingest", content=a.data, headers=sign_upload(KEY, "bench", a.name, a.data)
            )
            if r.status_code != 201:
                raise RuntimeError(f"upload {a.name}: {r.status_code}")
        http_s = time.perf_counter() - t0
    return {
        "uploads": len(arts),
        "in_process_per_s": round(len(arts) / inproc_s, 1),
        "signed_http_per_s": round(len(arts) / http_s, 1),
        "http_over_in_process": round(http_s / inproc_s, 2),
    }


def sqlite_store(path: Path, rounds: int, base: int) -> str:
    """A SQLite store of ``rounds`` rounds: the cached pipeline-ingested base, cloned."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"http-base-{base}.db"
    if not cached.exists():
        start = time.perf_counter()
        build_base(str(path), base)
        shutil.copyfile(path, cached)
        print(f"  (ingested the {base}-round base in {time.perf_counter() - start:.0f} s)")
    else:
        shutil.copyfile(cached, path)
    conn = sqlite3.connect(path)
    clone(conn, "sqlite", max(1, rounds // base), "?")
    check_totals(conn)
    conn.execute("ANALYZE")
    conn.close()
    return str(path)


TOTALS_CHECK = (
    "SELECT COUNT(*) FROM (SELECT p.guid, COUNT(*) AS n, SUM(COALESCE(p.kills, 0)) AS k "
    "FROM player_round_stats p GROUP BY p.guid) a "
    "FULL OUTER JOIN player_totals t ON t.guid = a.guid "
    "WHERE t.guid IS NULL OR a.guid IS NULL OR t.lines <> a.n OR t.kills <> a.k"
)
"""Players whose running totals (lines, kills) differ from the plain aggregate (no bots in
the synthetic data): must be 0 after a clone."""


def check_totals(conn: Any) -> None:
    cur = conn.cursor()
    cur.execute(TOTALS_CHECK)
    bad = cur.fetchone()[0]
    if bad:
        raise RuntimeError(f"running totals differ from the lines for {bad} players")


def pg_store(dsn: str, rounds: int, base: int, name: str) -> tuple[str, Callable[[], None]]:
    import psycopg

    admin = psycopg.connect(dsn, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = dsn.rsplit("/", 1)[0] + "/" + name
    build_base(url, base)
    with psycopg.connect(url) as conn:
        clone(conn, "postgres", max(1, rounds // base), "%s")
        check_totals(conn)
        conn.execute("ANALYZE")

    def drop() -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return url, drop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=100_000)
    ap.add_argument("--base", type=int, default=1000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--uploads", type=int, default=150)
    ap.add_argument("--pg", default=os.environ.get("ETSTATS_TEST_DSN"))
    ap.add_argument("--skip-ingest", action="store_true", help="reads only")
    ap.add_argument("--stores", default="sqlite,postgres", help="which stores to read")
    ap.add_argument(
        "--url",
        help="only read the routes of this existing store (a path or DSN), served by this "
        "tree's etstats: to compare two trees on one store (docs/performance.md)",
    )
    ap.add_argument("--only", help="with --url: these routes only (names, comma-separated)")
    args = ap.parse_args()
    report: dict[str, Any] = {}
    if args.url:
        with tempfile.TemporaryDirectory() as tmp_name:
            only = args.only.split(",") if args.only else None
            print(json.dumps(read_bench(args.url, args.requests, Path(tmp_name), only), indent=2))
        return
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not args.skip_ingest:
            report["signed_ingest"] = ingest_bench(args.uploads, tmp)
            print(json.dumps(report, indent=2), flush=True)
        if "sqlite" in args.stores:
            small = sqlite_store(tmp / "small.db", args.base, args.base)
            t0 = time.perf_counter()
            big = sqlite_store(tmp / "big.db", args.rounds, args.base)
            report["sqlite_build_s"] = round(time.perf_counter() - t0, 1)
            report["sqlite"] = _compare(
                read_bench(small, args.requests, tmp), read_bench(big, args.requests, tmp)
            )
            print(json.dumps(report, indent=2), flush=True)
        if args.pg and "postgres" in args.stores:
            run = uuid.uuid4().hex[:8]
            small_url, drop_small = pg_store(args.pg, args.base, args.base, f"bench_s_{run}")
            t0 = time.perf_counter()
            big_url, drop_big = pg_store(args.pg, args.rounds, args.base, f"bench_b_{run}")
            report["postgres_build_s"] = round(time.perf_counter() - t0, 1)
            try:
                report["postgres"] = _compare(
                    read_bench(small_url, args.requests, tmp),
                    read_bench(big_url, args.requests, tmp),
                )
            finally:
                drop_small()
                drop_big()
    print(json.dumps(report, indent=2))


def _compare(small: dict[str, Any], big: dict[str, Any]) -> dict[str, Any]:
    def ratio(name: str) -> float | None:
        if "p95_ms" not in big[name] or "p95_ms" not in small[name]:
            return None
        return round(float(big[name]["p95_ms"]) / max(float(small[name]["p95_ms"]), 0.01), 2)

    return {name: {"base": small[name], "big": big[name], "p95_ratio": ratio(name)} for name in big}


if __name__ == "__main__":
    main()
