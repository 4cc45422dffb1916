"""Two writers of several rounds each, at once, on the real PostgreSQL: the running totals of
migration 0006 lock one ``player_totals`` row per GUID, so two transactions that write
overlapping players' lines in opposite orders used to deadlock (PostgreSQL aborts one of them
after ``deadlock_timeout``). Migration 0008 serialises writers of player lines on one
transaction-scoped advisory lock, so both commit and the totals hold both writes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from tests.sessions.builders import Line, player_row

from etstats.storage.base import Storage

pytestmark = pytest.mark.pg

POLL_S = 0.02
"""How often the first writer looks whether the second one wrote or waits on a lock."""


@pytest.fixture
def pg_store(pg_dsn: str) -> Iterator[Storage]:
    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.testing import pg_database

    with pg_database(pg_dsn) as url:
        s = PostgresStorage(url, max_size=4)
        yield s
        s.close()


def _write_round(tx: object, start: int, guids: tuple[str, ...]) -> None:
    sid = tx.ensure_server("srv")  # type: ignore[attr-defined]
    rid = tx.save_round(  # type: ignore[attr-defined]
        None,
        {
            "server_id": sid,
            "map_name": f"map{start}",
            "round_number": 1,
            "round_start_unix": start,
            "start_source": "stats-file-name",
            "stats_file_unix": start,
            "values_scope": "round",
        },
    )
    lines = [Line(g, f"name{g}", 1 + i % 2, kills=3) for i, g in enumerate(guids)]
    players = [player_row(rid, i, ln, "round") for i, ln in enumerate(lines)]
    weapons = [(rid, i, 3, 5, 9, 1, 0, 1, "round") for i in range(len(lines))]
    tx.replace_round_rows(rid, {"player_round_stats": players, "weapon_stats": weapons})  # type: ignore[attr-defined]


def _blocked_writers(store: Storage) -> int:
    with store._reader() as tx:  # type: ignore[attr-defined]
        # sessions of this database waiting on a lock (a row, a transaction, an advisory key)
        row = tx.fetchone(
            "SELECT COUNT(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
    return int(row[0])


def test_opposite_order_writers_both_commit(pg_store: Storage) -> None:
    """Writer 1 writes a round of player A, then one of B; writer 2 a round of B, then one of
    A. Writer 1 waits until writer 2 has written its first round or waits on a lock, so the
    interleaving that deadlocked is the one run."""
    first_done = threading.Event()
    second_done = threading.Event()
    errors: list[BaseException] = []
    with pg_store.transaction() as tx:  # the server row exists: writers never wait on it
        tx.ensure_server("srv")

    def writer1() -> None:
        try:
            with pg_store.transaction() as tx:
                _write_round(tx, 1_000, ("AAAA0001", "CCCC0003"))
                first_done.set()
                while not second_done.is_set() and _blocked_writers(pg_store) == 0:
                    time.sleep(POLL_S)
                _write_round(tx, 2_000, ("BBBB0002",))
        except BaseException as exc:
            errors.append(exc)
            first_done.set()

    def writer2() -> None:
        try:
            first_done.wait()
            with pg_store.transaction() as tx:
                _write_round(tx, 3_000, ("BBBB0002",))
                second_done.set()
                _write_round(tx, 4_000, ("AAAA0001", "CCCC0003"))
        except BaseException as exc:
            errors.append(exc)
            second_done.set()

    threads = [threading.Thread(target=writer1), threading.Thread(target=writer2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with pg_store._reader() as tx:  # type: ignore[attr-defined]
        rows = tx.fetchall(
            "SELECT guid, lines, rounds, kills, hits FROM player_totals ORDER BY guid"
        )
        plain = tx.fetchall(
            "SELECT guid, COUNT(*), COUNT(DISTINCT round_id), SUM(kills) FROM player_round_stats "
            "GROUP BY guid ORDER BY guid"
        )
    assert [tuple(r) for r in rows] == [
        ("AAAA0001", 2, 2, 6, 10),
        ("BBBB0002", 2, 2, 6, 10),
        ("CCCC0003", 2, 2, 6, 10),
    ]
    assert [tuple(r[:4]) for r in rows] == [tuple(r) for r in plain]
