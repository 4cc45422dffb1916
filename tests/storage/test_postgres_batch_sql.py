"""PostgreSQL's batch statements (arrays, ``unnest``, the libpq round insert) answer exactly as
the shared SQL they replace (docs/performance.md, "PostgreSQL bulk ingest: arrays and
statement triggers (eleventh session)"), and the archive's one-statement insert reports the
hashes it wrote."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from etstats.errors import StorageError
from etstats.ingest.pipeline import Pipeline
from etstats.storage import sql
from etstats.storage.base import ArtifactRecord, Storage
from etstats.testing.synthetic import season

pytestmark = pytest.mark.pg


@pytest.fixture
def pg_store(pg_dsn: str) -> Iterator[Storage]:
    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.testing import pg_database

    with pg_database(pg_dsn) as url:
        s = PostgresStorage(url, max_size=2)
        yield s
        s.close()


def _record(n: int, server_id: int, **kw: Any) -> tuple[ArtifactRecord, bytes]:
    data = f"artifact {n}".encode()
    values: dict[str, Any] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "kind": "stats",
        "name": f"a{n}.txt",
        "server_id": server_id,
        "size_bytes": len(data),
        "received_unix": 1_700_000_000 + n,
        "status": "accepted",
    }
    values.update(kw)
    return ArtifactRecord(**values), data


def test_reads_of_many_keys_equal_the_shared_sql(pg_store: Storage) -> None:
    """Windows, hash sets and id sets over a stored season: the same records and rounds as
    the shared ``IN``/``OR`` statements (order aside where the reads are unordered)."""
    Pipeline(pg_store).ingest_many(season(12))
    with pg_store.transaction() as t:
        tx: Any = t
        arts = sql.read_artifacts(tx)
        rounds = sql.read_rounds(tx)
        shas = [a.sha256 for a in arts] + ["0" * 64]
        windows = [
            (a.server_id, str(a.map_name), int(a.round_number), a.anchor_unix - 900, a.anchor_unix)
            for a in arts
            if a.anchor_unix is not None and a.round_number is not None
        ]
        windows.append((arts[0].server_id, "no such map", 1, 0, 2**40))
        assert len(windows) > 30
        base = sql.SqlTx

        def same(method: str, keys: Any, key: Any) -> None:
            mine = getattr(tx, method)(keys)
            shared = getattr(base, method)(tx, keys)
            assert sorted(mine, key=key) == sorted(shared, key=key)
            assert getattr(tx, method)([]) in ([], {})

        same("artifacts_in_windows", windows, lambda r: r.sha256)
        same("stats_rounds_in_windows", windows, lambda r: r.id)
        mine = tx.rounds_with_any_artifact(shas)
        assert sorted(mine, key=lambda r: r.id) == base.rounds_with_artifacts(tx, shas)
        assert mine
        assert tx.rounds_with_artifacts(shas[:5]) == base.rounds_with_artifacts(tx, shas[:5])
        ids = [r.id for r in rounds] + [10**9]
        assert tx.rounds_by_id(ids[::-1]) == base.rounds_by_id(tx, ids[::-1])
        assert tx.known_artifacts(shas) == base.known_artifacts(tx, shas)
        assert tx.artifacts_data(shas) == base.artifacts_data(tx, shas)


def test_batch_insert_returns_the_hashes_it_wrote(pg_store: Storage) -> None:
    """An archived hash and a hash given twice are written once; the counts per server and
    kind (migration 0017's statement trigger) equal the plain aggregate."""
    with pg_store.transaction() as t:
        tx: Any = t
        sid = tx.ensure_server("alpha")
        first, first_data = _record(0, sid)
        tx.insert_artifact(first, first_data)
    items = [_record(n, sid, status="rejected" if n == 2 else "accepted") for n in range(4)]
    items.append(items[1])
    items.append(_record(9, sid, kind="endstats", error="bad", map_name="m", round_number=2))
    with pg_store.transaction() as t:
        tx = t
        written = tx.insert_artifacts(items)
    assert written == {items[n][0].sha256 for n in (1, 2, 3, 5)}
    stored = {a.sha256: a for a in pg_store.artifacts()}
    assert len(stored) == 5
    for record, data in items:
        assert stored[record.sha256] == record
        assert pg_store.artifact_data(record.sha256) == data
    by_source = pg_store.source_arrivals().by_source
    assert by_source == (
        ("alpha", "endstats", 1, 0, 1_700_000_009),
        ("alpha", "stats", 4, 1, 1_700_000_003),
    )


def test_batch_status_updates_equal_one_by_one(pg_store: Storage) -> None:
    """The one-statement update (and a hash given twice: the last update wins)."""
    with pg_store.transaction() as t:
        tx: Any = t
        sid = tx.ensure_server("alpha")
        items = [_record(n, sid, status="pending") for n in range(3)]
        tx.insert_artifacts(items)
    new = [
        attrs.evolve(r, status="rejected" if i == 0 else "accepted", error=f"e{i}", anchor_unix=i)
        for i, (r, _) in enumerate(items)
    ]
    with pg_store.transaction() as t:
        tx = t
        tx.update_artifacts(new)
    assert {a.sha256: a for a in pg_store.artifacts()} == {r.sha256: r for r in new}
    twice = [attrs.evolve(new[1], status="rejected"), attrs.evolve(new[1], error="last")]
    with pg_store.transaction() as t:
        tx = t
        tx.update_artifacts(twice)
    assert {a.sha256: a for a in pg_store.artifacts()}[new[1].sha256] == twice[1]
    assert pg_store.source_arrivals().by_source == (("alpha", "stats", 3, 1, 1_700_000_002),)


def test_round_insert_keeps_every_value(pg_store: Storage) -> None:
    """The libpq insert stores text and numbers as given (non-ASCII, large ints, NULLs); a
    value it does not send itself goes through psycopg, which refuses a NUL in text."""
    with pg_store.transaction() as t:
        tx: Any = t
        sid = tx.ensure_server("alpha")
        values: dict[str, Any] = {
            "server_id": sid,
            "map_name": "süpply ☃ 'x' $1 ?",
            "round_number": 2,
            "round_start_unix": 2**40,
            "start_source": "lua",
            "hostname": None,
            "playtime_ms": -5,
        }
        rid = tx.save_round(None, values)
        rid2 = tx.save_round(None, {**values, "round_start_unix": 7})
    assert rid2 == rid + 1
    stored = {r.id: r for r in pg_store.rounds()}
    assert stored[rid].map_name == values["map_name"]
    assert stored[rid].round_start_unix == 2**40
    assert stored[rid].playtime_ms == -5
    assert stored[rid].hostname is None
    with pytest.raises(StorageError), pg_store.transaction() as tx:
        tx.save_round(None, {**values, "round_start_unix": 8, "hostname": "a\x00b"})


def test_round_insert_survives_what_drops_prepared_statements(pg_store: Storage) -> None:
    """psycopg drops a connection's prepared statements after a rollback and after ``DROP``
    or ``ALTER`` (once it has prepared some of its own): the next round insert prepares its
    statement again instead of failing."""

    def round_values(start: int) -> dict[str, Any]:
        return {
            "server_id": sid,
            "map_name": "supply",
            "round_number": 1,
            "round_start_unix": start,
            "start_source": "lua",
        }

    def psycopg_prepares(tx: Any) -> None:
        for _ in range(8):  # beyond psycopg's prepare threshold (5)
            tx.fetchone("SELECT count(*) FROM rounds WHERE id > ?", (0,))

    with pg_store.transaction() as t:
        tx: Any = t
        sid = tx.ensure_server("alpha")
        tx.save_round(None, round_values(1))
        psycopg_prepares(tx)
        tx.execute("DROP INDEX IF EXISTS etstats_no_such_index")
        tx.save_round(None, round_values(2))

    def rolled_back() -> None:
        with pg_store.transaction() as t:
            t.save_round(None, round_values(3))
            psycopg_prepares(t)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        rolled_back()
    for start in (4, 5):
        with pg_store.transaction() as t:
            t.save_round(None, round_values(start))
    assert sorted(r.round_start_unix for r in pg_store.rounds()) == [1, 2, 4, 5]
