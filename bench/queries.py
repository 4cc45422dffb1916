"""Benchmark: the typed read API (sessions, careers, leaderboards...) on 1k/10k/100k rounds.

A synthetic community (evenings of 16 rounds = 8 stopwatch maps, 10 players per round drawn
from groups of regulars, 2 weapon lines each) is written straight into the store with the bulk
path, then every query runs ``--repeat`` times; p50 and p95 (milliseconds) are printed per
query with the ratio to a baseline measured in the same run on the same store: one SQL full
scan of ``player_round_stats`` (``SELECT COUNT(*), SUM(damage_given)``). The plain queries
the running totals of migration 0006 replaced (``OLD ...``) run too, and each fast query's p50
is printed as a fraction of its old one (``p50/old``), so the gain is measured under the same
load.

The SQLite stores are cached under ``/tmp/etstats-bench/`` (the 100k store takes a while to
write); PostgreSQL databases are created fresh from the cached SQLite data and dropped.

Usage::

    .venv/bin/python bench/queries.py [--sizes 1000,10000,100000] [--repeat 30] [--pg DSN]

PostgreSQL is used when ``--pg`` or ``$ETSTATS_TEST_DSN`` names a server. A query slower
than one second is timed twice instead of ``--repeat`` times.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from etstats.queries import Window
from etstats.storage.base import ROUND_COLUMNS, ROUND_TABLES, Row, Storage
from etstats.storage.record_lines import refill_record_lines

CACHE = Path(os.environ.get("ETSTATS_BENCH_CACHE", "/tmp/etstats-bench"))  # noqa: S108
"""Where the SQLite stores are cached (a cache the issue asks for, not a secret); opening one
migrates it, so point ``$ETSTATS_BENCH_CACHE`` at a copy when comparing branches."""
T0 = 1_600_000_000
ROUNDS_PER_EVENING = 16
GROUPS = 20
"""Groups of 12 regulars; an evening draws 10 of one group (so careers have history)."""
MAPS = (
    "supply",
    "etl_adlernest",
    "te_escape2",
    "sw_goldrush_te",
    "etl_sp_delivery",
    "et_brewdog",
    "erdenberg_t2",
    "etl_frostbite",
)


def rows_for(n_rounds: int, sid: int, seed: int = 12) -> Iterator[tuple[str, list[Row]]]:
    """(table, rows) batches of a synthetic store of ``n_rounds`` rounds (ids from 1)."""
    rng = random.Random(seed)
    rid = 0
    evening = 0
    while rid < n_rounds:
        rounds: list[Row] = []
        players: list[Row] = []
        weapons: list[Row] = []
        group = rng.randrange(GROUPS)
        squad = [f"{group:02X}{k:06X}" for k in rng.sample(range(12), 10)]
        t = T0 + evening * 86_400 + 20 * 3600
        for k in range(ROUNDS_PER_EVENING):
            if rid >= n_rounds:
                break
            rid += 1
            number = 1 + k % 2
            defender = 1 + rng.randrange(2)
            clock = rng.randrange(120, 600)
            values = {
                "server_id": sid,
                "map_name": MAPS[(k // 2 + evening) % len(MAPS)],
                "round_number": number,
                "round_start_unix": t,
                "start_source": "stats-file-name",
                "stats_file_unix": t,
                "hostname": "bench",
                "winner_team": 1 + rng.randrange(2),
                "defender_team": defender,
                "time_limit_seconds": 600,
                "clock_seconds": clock,
                "values_scope": "round",
                "r1_round_id": rid - 1 if number == 2 else None,
            }
            rounds.append((rid, *(values.get(c) for c in ROUND_COLUMNS)))
            for i, guid in enumerate(squad):
                team = 1 + (i + number) % 2
                minutes = round(clock / 60, 1)
                players.append(
                    (
                        rid,
                        i,
                        guid,
                        f"player{guid[-4:]}",
                        f"^7player{guid[-4:]}",
                        team,
                        1,
                        rng.randrange(25),
                        rng.randrange(25),
                        rng.randrange(4000),
                        rng.randrange(4000),
                        rng.randrange(200),
                        rng.randrange(200),
                        rng.randrange(10),
                        rng.randrange(3),
                        rng.randrange(2),
                        rng.randrange(60),
                        rng.randrange(8),
                        rng.randrange(8),
                        rng.randrange(8),
                        minutes,
                        round(minutes * rng.random() / 2, 1),
                        rng.randrange(300),
                        '{"dynamites_planted": 1, "kill_assists": 2}',
                        "round",
                    )
                )
                for w in (3, 8):
                    hits = rng.randrange(80)
                    weapons.append(
                        (
                            rid,
                            i,
                            w,
                            hits,
                            hits + rng.randrange(120),
                            rng.randrange(10),
                            rng.randrange(10),
                            rng.randrange(hits + 1),
                            "round",
                        )
                    )
            t += 600
        evening += 1
        yield "rounds", rounds
        yield "player_round_stats", players
        yield "weapon_stats", weapons


def fill(store: Storage, n_rounds: int) -> None:
    with store.transaction() as tx:
        sid = tx.ensure_server("bench")
        batch: dict[str, list[Row]] = {}
        for table, rows in rows_for(n_rounds, sid):
            batch.setdefault(table, []).extend(rows)
            if table == "weapon_stats" and len(batch[table]) > 50_000:
                _flush(tx, batch)
        _flush(tx, batch)
        refill_record_lines(tx)  # the lines went around the writer's record candidates


def _flush(tx: Any, batch: dict[str, list[Row]]) -> None:
    for table in ("rounds", "player_round_stats", "weapon_stats"):
        cols = ("id", *ROUND_COLUMNS) if table == "rounds" else ROUND_TABLES[table]
        tx.bulk_insert(table, cols, batch.pop(table, []))


def sqlite_store(n_rounds: int) -> Storage:
    from etstats.storage.sqlite import SQLiteStorage

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"queries-{n_rounds}.db"
    fresh = not path.exists()
    store = SQLiteStorage(str(path))
    if fresh:
        start = time.perf_counter()
        fill(store, n_rounds)
        store.connection.execute("ANALYZE")
        print(f"  (wrote {path} in {time.perf_counter() - start:.0f} s)")
    return store


@contextmanager
def pg_store(dsn: str, n_rounds: int) -> Iterator[Storage]:
    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.testing import drop_templates, pg_database

    with pg_database(dsn) as url:
        store = PostgresStorage(url, max_size=1)
        start = time.perf_counter()
        fill(store, n_rounds)
        with store.transaction() as tx:
            tx.execute("ANALYZE")
        print(f"  (wrote the PostgreSQL store in {time.perf_counter() - start:.0f} s)")
        try:
            yield store
        finally:
            store.close()
    drop_templates(dsn)


def queries(store: Storage) -> dict[str, Callable[[], object]]:
    latest = store.latest_session()
    assert latest is not None
    middle = store.sessions(limit=1, offset=max(0, len(store.sessions(limit=200)) // 2))[0]
    guid = store.list_rounds(limit=1)[0]
    who = store.round_detail(guid.id)
    assert who is not None
    player = who.players[0].player_guid
    month = Window(since_unix=latest.start_unix - 30 * 86_400)

    def baseline() -> object:
        with store._reader() as tx:  # type: ignore[attr-defined]
            return tx.fetchone("SELECT COUNT(*), SUM(damage_given) FROM player_round_stats")

    return {
        "baseline full scan": baseline,
        "latest_session": lambda: store.latest_session(),
        "session(id)": lambda: store.session(middle.id),
        "sessions(limit=10)": lambda: store.sessions(limit=10),
        "list_rounds(limit=20)": lambda: store.list_rounds(limit=20),
        "round_detail": lambda: store.round_detail(guid.id),
        "find_players(name)": lambda: store.find_players("player00"),
        "career all-time": lambda: store.career(player),
        "career last 30 days": lambda: store.career(player, window=month),
        "leaderboard dpm": lambda: store.leaderboard("dpm"),
        "leaderboard kills 30d": lambda: store.leaderboard("kills", window=month),
        "records kills,dpm": lambda: store.records(["kills", "dpm"]),
        "records (all 9)": lambda: store.records(),
        "pipeline arrivals": lambda: store.source_arrivals(),
        # the plain aggregates the running totals replace (migration 0006), same store, same run
        "OLD leaderboard dpm": lambda: plain_leaderboard(store, "dpm"),
        "OLD find_players(name)": lambda: plain_search(store, "player00"),
        "OLD records kills,dpm": lambda: plain_records(store, ["kills", "dpm"]),
        "OLD pipeline arrivals": lambda: plain_arrivals(store),
    }


OLD_OF = {
    "leaderboard dpm": "OLD leaderboard dpm",
    "find_players(name)": "OLD find_players(name)",
    "records kills,dpm": "OLD records kills,dpm",
    "pipeline arrivals": "OLD pipeline arrivals",
}
"""Fast query -> the plain query it replaced (printed as a ratio)."""


def plain_arrivals(store: Storage) -> object:
    """Artifacts per server and kind as the pipeline health grouped them before migration
    0015 (arrival_counts): over every artifact."""
    with store._reader() as tx:  # type: ignore[attr-defined]
        return tx.fetchall(
            "SELECT s.name, a.kind, COUNT(*), "
            "SUM(CASE WHEN a.status = 'rejected' THEN 1 ELSE 0 END), MAX(a.received_unix) "
            "FROM artifacts a JOIN servers s ON s.id = a.server_id "
            "GROUP BY s.name, a.kind ORDER BY s.name, a.kind"
        )


def plain_leaderboard(store: Storage, stat: str) -> object:
    from etstats.queries import ladders

    with store._reader() as tx:  # type: ignore[attr-defined]
        return ladders.leaderboard(
            tx, stat, Window(), min_rounds=None, min_minutes=None, limit=20, offset=0, fast=False
        )


def plain_search(store: Storage, text: str) -> object:
    """The player search as it was: a LIKE over every per-round line."""
    with store._reader() as tx:  # type: ignore[attr-defined]
        return tx.fetchall(
            "SELECT COALESCE(al.player_guid, p.guid) AS pg, COUNT(DISTINCT p.round_id) AS n "
            "FROM player_round_stats p LEFT JOIN player_aliases al ON al.guid = p.guid "
            "WHERE LOWER(p.name) LIKE ? GROUP BY COALESCE(al.player_guid, p.guid) "
            "ORDER BY n DESC, pg LIMIT ?",
            (f"%{text}%", 10),
        )


def plain_records(store: Storage, stats: list[str]) -> object:
    """Records as they were before migration 0008: per statistic, one ranking of every line
    (best round) and one grouping of every line (best map); the default 5-minute gate."""
    from etstats.queries.rounds import dialect
    from etstats.queries.statdefs import ALIAS_JOIN, PLAYER_GUID, tenths_sql, value_sql

    out = []
    with store._reader() as tx:  # type: ignore[attr-defined]
        d = dialect(tx)
        for stat in stats:
            line, summed = value_sql(stat, d, summed=False), value_sql(stat, d, summed=True)
            out.append(
                tx.fetchone(
                    f"SELECT {PLAYER_GUID}, {line} AS value, r.id FROM player_round_stats p "  # noqa: S608 - fixed SQL
                    f"JOIN rounds r ON r.id = p.round_id {ALIAS_JOIN} "
                    "JOIN servers sv ON sv.id = r.server_id WHERE p.values_scope = 'round' "
                    f"AND COALESCE(p.time_played_minutes, 0) >= 5 AND {line} IS NOT NULL "
                    "ORDER BY value DESC, r.round_start_unix, 1, r.map_name, r.round_number, "
                    "sv.name LIMIT 1"
                )
            )
            out.append(
                tx.fetchone(
                    f"SELECT {PLAYER_GUID}, {summed} AS value, MIN(r.id) FROM player_round_stats p "  # noqa: S608
                    f"JOIN rounds r ON r.id = p.round_id {ALIAS_JOIN} "
                    "JOIN servers sv ON sv.id = r.server_id "
                    "WHERE p.values_scope <> 'r2_as_written' "
                    f"GROUP BY {PLAYER_GUID}, COALESCE(r.r1_round_id, r.id) "
                    f"HAVING SUM({tenths_sql('time_played_minutes')}) >= 100 "
                    f"AND {summed} IS NOT NULL ORDER BY value DESC, MIN(r.round_start_unix), 1, "
                    "MIN(r.map_name), MIN(sv.name) LIMIT 1"
                )
            )
    return out


def measure(store: Storage, repeat: int) -> list[tuple[str, float, float]]:
    out = []
    for name, fn in queries(store).items():
        start = time.perf_counter()
        fn()  # warm the caches once
        slow = time.perf_counter() - start > 1.0
        times = []
        for _ in range(2 if slow else repeat):  # a query slower than 1 s: 2 runs
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        out.append((name, statistics.median(times), p95))
    return out


def report(backend: str, n_rounds: int, results: list[tuple[str, float, float]]) -> None:
    base = results[0][1]
    print(f"\n{backend}, {n_rounds} rounds ({n_rounds * 10} player lines)")
    p50s = {name: p50 for name, p50, _ in results}
    print(f"{'query':<24} {'p50 ms':>9} {'p95 ms':>9} {'p50/base':>9} {'p50/old':>9}")
    for name, p50, p95 in results:
        old = p50s.get(OLD_OF.get(name, ""))
        vs_old = f"{p50 / old:9.4f}" if old else f"{'':9}"
        print(f"{name:<24} {p50:9.2f} {p95:9.2f} {p50 / base:9.2f} {vs_old}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--pg", default=os.environ.get("ETSTATS_TEST_DSN"))
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = args.backends.split(",")
    for n in sizes:
        if "sqlite" in backends:
            store = sqlite_store(n)
            report("sqlite", n, measure(store, args.repeat))
            store.close()
        if "postgresql" in backends:
            if not args.pg:
                print("(PostgreSQL skipped: pass --pg DSN or set ETSTATS_TEST_DSN)")
                continue
            with pg_store(args.pg, n) as pg:
                report("postgresql", n, measure(pg, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
