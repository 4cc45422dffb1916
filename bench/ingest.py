"""Benchmark: bulk import of a synthetic season into SQLite and PostgreSQL.

For each backend, the same artifacts are ingested twice into fresh stores:

* ``bulk``: the real pipeline (per-round rows via ``COPY`` on PostgreSQL, ``executemany`` on
  SQLite), one transaction per artifact;
* ``row-by-row``: the same pipeline with per-round rows written by one ``INSERT`` per row
  (the baseline).

Reports rows/s (per-round rows written) and artifacts/s. Reconciliation is off unless
``--reconcile`` is given, so the numbers measure storage.

Usage::

    .venv/bin/python bench/ingest.py [--rounds 400] [--players 12] [--pg DSN] [--reconcile]

PostgreSQL is used when ``--pg`` or ``$ETSTATS_TEST_DSN`` names a server (a fresh database is
created and dropped on it).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.storage.base import ROUND_TABLES, Storage
from etstats.storage.sql import SqlTx
from etstats.testing.synthetic import season


def _row_by_row(self: SqlTx, table: str, columns: Sequence[str], rows: list[Any]) -> None:
    marks = ", ".join("?" for _ in columns)
    sql = self.q(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})")  # noqa: S608
    for row in rows:
        self.conn.execute(sql, row)


@contextmanager
def row_by_row() -> Iterator[None]:
    """Swap every backend's bulk insert for one INSERT per row."""
    from etstats.storage.postgres import PgTx

    saved = (SqlTx.bulk_insert, PgTx.bulk_insert)
    SqlTx.bulk_insert = _row_by_row  # type: ignore[method-assign]
    PgTx.bulk_insert = _row_by_row  # type: ignore[method-assign]
    try:
        yield
    finally:
        SqlTx.bulk_insert, PgTx.bulk_insert = saved  # type: ignore[method-assign]


def run(store: Storage, artifacts: list[Artifact], reconcile: bool) -> tuple[float, int]:
    pipeline = Pipeline(store, reconcile=reconcile)
    start = time.perf_counter()
    for a in artifacts:
        pipeline.ingest(a)
    elapsed = time.perf_counter() - start
    rows = sum(len(store.table_rows(t)) for t in ROUND_TABLES)
    return elapsed, rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--players", type=int, default=12)
    parser.add_argument("--pg", default=os.environ.get("ETSTATS_TEST_DSN"))
    parser.add_argument("--reconcile", action="store_true")
    args = parser.parse_args(argv)
    artifacts = season(args.rounds, players=args.players)
    print(f"synthetic season: {args.rounds} rounds, {len(artifacts)} artifacts, "
          f"{args.players} players per round, reconcile={'on' if args.reconcile else 'off'}")
    print(f"{'backend':<10} {'method':<11} {'seconds':>8} {'rows':>8} {'rows/s':>9} "
          f"{'artifacts/s':>11}")

    backends: list[tuple[str, Callable[[], Any]]] = []

    @contextmanager
    def sqlite_store() -> Iterator[Storage]:
        from etstats.storage.sqlite import SQLiteStorage

        with tempfile.TemporaryDirectory() as tmp:
            store = SQLiteStorage(str(Path(tmp) / "bench.db"))
            yield store
            store.close()

    backends.append(("sqlite", sqlite_store))
    if args.pg:

        @contextmanager
        def pg_store() -> Iterator[Storage]:
            from etstats.storage.postgres import PostgresStorage
            from etstats.storage.testing import drop_templates, pg_database

            with pg_database(args.pg) as url:
                store = PostgresStorage(url, max_size=1)
                yield store
                store.close()
            drop_templates(args.pg)

        backends.append(("postgresql", pg_store))
    else:
        print("(PostgreSQL skipped: pass --pg DSN or set ETSTATS_TEST_DSN)")

    for name, make in backends:
        for method in ("bulk", "row-by-row"):
            with make() as store:
                if method == "bulk":
                    elapsed, rows = run(store, artifacts, args.reconcile)
                else:
                    with row_by_row():
                        elapsed, rows = run(store, artifacts, args.reconcile)
            print(f"{name:<10} {method:<11} {elapsed:8.2f} {rows:8d} {rows / elapsed:9.0f} "
                  f"{len(artifacts) / elapsed:11.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
