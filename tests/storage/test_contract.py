"""One contract for every storage backend (SQLite and PostgreSQL run the same tests)."""

from __future__ import annotations

import hashlib

import attrs
import pytest

from etstats.errors import DuplicateRound, StorageError
from etstats.storage.base import ROUND_TABLES, ArtifactRecord, Storage
from etstats.storage.migrate import load_migrations


def _record(data: bytes, server_id: int, **kw: object) -> ArtifactRecord:
    values: dict[str, object] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "kind": "stats",
        "name": "a.txt",
        "server_id": server_id,
        "size_bytes": len(data),
        "received_unix": 1_700_000_000,
        "status": "pending",
    }
    values.update(kw)
    return ArtifactRecord(**values)  # type: ignore[arg-type]


def _round(server_id: int, start: int, **kw: object) -> dict[str, object]:
    values: dict[str, object] = {
        "server_id": server_id,
        "map_name": "supply",
        "round_number": 1,
        "round_start_unix": start,
        "start_source": "lua",
    }
    values.update(kw)
    return values


def test_migrations_are_applied_once(store: Storage) -> None:
    latest = max(m.version for m in load_migrations(getattr(store, "dialect", "sqlite")))
    assert store.schema_version() == latest
    assert store.migrate() == []  # running the upgrade again changes nothing
    assert store.schema_version() == latest


def test_artifact_bytes_round_trip_exactly(store: Storage) -> None:
    data = bytes(range(256)) * 3 + b"\x00\r\n"
    with store.transaction() as tx:
        sid = tx.ensure_server("srv", "Europe/Berlin")
        assert tx.ensure_server("srv", "UTC") == sid  # existing server keeps its timezone
        assert tx.server_timezone(sid) == "Europe/Berlin"
        tx.insert_artifact(_record(data, sid), data)
    with store.transaction() as tx:
        rec = tx.get_artifact(hashlib.sha256(data).hexdigest())
        assert rec is not None
        assert (rec.status, rec.size_bytes) == ("pending", len(data))
        assert tx.artifact_data(rec.sha256) == data
        assert tx.get_artifact("0" * 64) is None
    assert store.artifact_data(rec.sha256) == data  # the lock-free read outside a transaction
    with pytest.raises(KeyError):
        store.artifact_data("0" * 64)


def test_archiving_known_bytes_again_writes_nothing(store: Storage) -> None:
    """A second writer archiving the same bytes (possibly under another name) is told so
    instead of failing: the pipeline then treats the artifact as known."""
    data = b"same bytes"
    with store.transaction() as tx:
        sid = tx.ensure_server("srv")
        assert tx.insert_artifact(_record(data, sid), data) is True
    with store.transaction() as tx:
        other = attrs.evolve(_record(data, sid), name="other-name.txt")
        assert tx.insert_artifact(other, data) is False
    [rec] = store.artifacts()
    assert rec.name == _record(data, sid).name


def test_exception_rolls_back_the_whole_transaction(store: Storage) -> None:
    def crash() -> None:
        with store.transaction() as tx:
            sid = tx.ensure_server("srv")
            tx.insert_artifact(_record(b"x", sid), b"x")
            tx.save_round(None, _round(sid, 100))
            raise RuntimeError("crash in the middle")

    with pytest.raises(RuntimeError):
        crash()
    assert store.artifacts() == []
    assert store.rounds() == []
    assert store.table_rows("servers") == []


def test_round_natural_key_is_unique(store: Storage) -> None:
    with store.transaction() as tx:
        sid = tx.ensure_server("srv")
        tx.save_round(None, _round(sid, 100))
        tx.save_round(None, _round(sid, 100, round_number=2))  # other round number: fine
    with pytest.raises(DuplicateRound), store.transaction() as tx:
        tx.save_round(None, _round(sid, 100))
    assert len(store.rounds()) == 2


def test_one_lua_row_per_round(store: Storage) -> None:
    data = b"{}"
    with store.transaction() as tx:
        sid = tx.ensure_server("srv")
        tx.insert_artifact(_record(data, sid, kind="gametimes-legacy"), data)
        rid = tx.save_round(None, _round(sid, 100))
    lua_row = (
        rid,
        hashlib.sha256(data).hexdigest(),
        "legacy",
        100,
        700,
        600.0,
        0.0,
        0,
        0.0,
        "objective",
        1,
        2,
        "1.7.2",
    )
    with pytest.raises(StorageError), store.transaction() as tx:
        tx.bulk_insert("lua_timing", ROUND_TABLES["lua_timing"], [lua_row, lua_row])  # type: ignore[attr-defined]
    assert store.table_rows("lua_timing") == []


def test_save_update_and_replace_rows(store: Storage) -> None:
    with store.transaction() as tx:
        sid = tx.ensure_server("srv")
        rid = tx.save_round(None, _round(sid, 100, hostname="^1srv"))
        rows: dict[str, list[tuple[object, ...]]] = {
            "pauses": [(rid, 1, 150, 210, 60.0), (rid, 2, 300, 330, 30.5)],
            "endstats_awards": [(rid, 0, "Most kills", "vid", "12", 12.0)],
        }
        tx.replace_round_rows(rid, rows)
    assert store.table_rows("pauses") == [(rid, 1, 150, 210, 60.0), (rid, 2, 300, 330, 30.5)]
    with store.transaction() as tx:
        assert tx.save_round(rid, _round(sid, 90, hostname="srv")) == rid
        tx.replace_round_rows(rid, {"pauses": [(rid, 1, 1, 2, 1.0)]})
    [r] = store.rounds()
    assert (r.id, r.round_start_unix, r.hostname) == (rid, 90, "srv")
    assert store.table_rows("pauses") == [(rid, 1, 1, 2, 1.0)]
    assert len(store.table_rows("endstats_awards")) == 1  # tables not given are untouched
    with store.transaction() as tx:
        tx.replace_round_rows(rid, {"endstats_awards": []})
    assert store.table_rows("endstats_awards") == []
    with store.transaction() as tx:
        tx.delete_rounds([rid])
    assert store.rounds() == []
    assert store.table_rows("pauses") == []


def test_group_query_filters_by_key_status_and_window(store: Storage) -> None:
    with store.transaction() as tx:
        sid = tx.ensure_server("srv")
        for i, (mp, rn, anchor, status) in enumerate(
            [
                ("supply", 1, 1000, "accepted"),
                ("supply", 1, 1100, "accepted"),
                ("supply", 2, 1000, "accepted"),
                ("goldrush", 1, 1000, "accepted"),
                ("supply", 1, 1010, "rejected"),
            ]
        ):
            data = f"artifact {i}".encode()
            rec = _record(
                data, sid, status=status, map_name=mp, round_number=rn, anchor_unix=anchor
            )
            tx.insert_artifact(rec, data)
        found = tx.group_artifacts(sid, "supply", 1, 900, 1050)
    assert [(a.map_name, a.round_number, a.anchor_unix) for a in found] == [("supply", 1, 1000)]


def test_clear_derived_keeps_raw_bytes(store: Storage) -> None:
    with store.transaction() as tx:
        sid = tx.ensure_server("srv")
        tx.insert_artifact(_record(b"raw", sid, status="accepted", map_name="m"), b"raw")
        tx.save_round(None, _round(sid, 1))
    store.clear_derived()
    assert store.rounds() == []
    [a] = store.artifacts()
    assert (a.status, a.map_name) == ("pending", None)
    with store.transaction() as tx:
        assert tx.artifact_data(a.sha256) == b"raw"


def test_unknown_table_is_refused(store: Storage) -> None:
    with pytest.raises(ValueError, match="unknown table"):
        store.table_rows("pg_catalog.pg_user; --")


def test_table_rows_of_some_rounds_equal_the_filtered_full_read(
    store: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``table_rows(table, round_ids)`` reads only those rounds, in the full read's order,
    however many ids are asked for (the ``IN`` lists are chunked)."""
    from etstats.ingest.pipeline import Pipeline
    from etstats.storage import sql
    from etstats.testing.synthetic import season

    pipeline = Pipeline(store)
    for artifact in season(6):
        pipeline.ingest(artifact)
    ids = [r.id for r in store.rounds()]
    assert len(ids) >= 6
    monkeypatch.setattr(sql, "_IN_CHUNK", 2)  # several chunks even for a few ids
    for wanted in ([], [ids[0]], ids[1::2], [*ids, 10**9]):
        for table in (*ROUND_TABLES, "rounds"):
            full = store.table_rows(table)
            expected = [row for row in full if row[0] in set(wanted)]
            assert store.table_rows(table, wanted) == expected, (table, wanted)
            assert store.table_rows(table, wanted[::-1]) == expected  # in any order
    assert store.table_rows("player_round_stats", [ids[0]])  # not vacuous
    with pytest.raises(ValueError, match="no round id"):
        store.table_rows("servers", [ids[0]])
