"""The migrations produce exactly the documented schema (schema.sql and docs/storage.md)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from etstats.storage.base import ROUND_COLUMNS, ROUND_TABLES, iter_tables
from etstats.storage.migrate import CREATE_VERSION_TABLE, load_migrations, schema_sql
from etstats.storage.sqlite import SQLiteStorage

DOCS = Path(__file__).resolve().parents[2] / "docs" / "storage.md"


def _sqlite_shape(conn: sqlite3.Connection) -> dict[str, Any]:
    shape: dict[str, Any] = {}
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'schema_migrations' ORDER BY name"
        )
    ]
    for t in tables:
        shape[t] = {
            "columns": conn.execute(f"PRAGMA table_info({t})").fetchall(),
            "indexes": sorted(
                (
                    r[2],
                    # an expression index has no column name: its SQL tells it apart
                    tuple(str(c[2]) for c in conn.execute(f"PRAGMA index_info('{r[1]}')")),
                    # (a WITHOUT ROWID table's primary key has no row there at all)
                    " ".join(
                        str(
                            conn.execute(
                                "SELECT MAX(sql) FROM sqlite_master WHERE name = ?", (r[1],)
                            ).fetchone()[0]
                        ).split()
                    ),
                )
                for r in conn.execute(f"PRAGMA index_list({t})")
            ),
            "fks": sorted(tuple(r[2:]) for r in conn.execute(f"PRAGMA foreign_key_list({t})")),
        }
    return shape


def test_sqlite_migrations_equal_schema_sql(tmp_path: Path) -> None:
    migrated = SQLiteStorage(str(tmp_path / "m.db"))
    documented = sqlite3.connect(tmp_path / "s.db")
    documented.executescript(schema_sql("sqlite"))
    assert _sqlite_shape(migrated.connection) == _sqlite_shape(documented)
    migrated.close()


PG_SHAPE = """
SELECT 'col', table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
       || ' ' || coalesce(column_default, '')
  FROM information_schema.columns WHERE table_schema = current_schema()
UNION ALL
SELECT 'con', conrelid::regclass::text || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
UNION ALL
SELECT 'idx', indexdef FROM pg_indexes WHERE schemaname = current_schema()
UNION ALL
SELECT 'fn', proname || ' ' || md5(prosrc) FROM pg_proc
  WHERE pronamespace = current_schema()::regnamespace
UNION ALL
SELECT 'trg', tgrelid::regclass::text || ' ' || pg_get_triggerdef(oid) FROM pg_trigger
  WHERE NOT tgisinternal
UNION ALL
SELECT 'cmp', attrelid::regclass::text || '.' || attname || ' ' || attcompression::text
  FROM pg_attribute WHERE attcompression <> ''
   AND attrelid IN (SELECT oid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)
"""


@pytest.mark.pg
def test_postgres_migrations_equal_schema_sql(pg_dsn: str) -> None:
    import psycopg

    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.testing import pg_database

    def shape(url: str) -> list[tuple[str, str]]:
        with psycopg.connect(url) as conn:
            rows = conn.execute(PG_SHAPE).fetchall()
        return sorted(r for r in rows if "schema_migrations" not in r[1])

    with pg_database(pg_dsn) as migrated_url:
        store = PostgresStorage(migrated_url, max_size=1)
        store.close()
        migrated = shape(migrated_url)
    with pg_database(pg_dsn) as other_url:
        with psycopg.connect(other_url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            conn.execute(schema_sql("postgres").encode())
        documented = shape(other_url)
    assert migrated == documented
    assert any(
        "rounds" in r[1] and "UNIQUE (server_id, map_name, round_number, round_start_unix)" in r[1]
        for r in migrated
    )


def test_migrations_are_numbered_without_gaps() -> None:
    for dialect in ("sqlite", "postgres"):
        versions = [m.version for m in load_migrations(dialect)]
        assert versions == list(range(1, len(versions) + 1))
    assert [m.name for m in load_migrations("sqlite")] == [
        m.name for m in load_migrations("postgres")
    ]


def test_docs_describe_every_table_and_column() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for table in iter_tables():
        assert re.search(rf"^### `{table}`", text, re.M), f"docs/storage.md lacks table {table}"
    columns = {"rounds": ("id", *ROUND_COLUMNS), **ROUND_TABLES}
    for table, cols in columns.items():
        section = text.split(f"### `{table}`", 1)[1].split("\n### ", 1)[0]
        for col in cols:
            assert f"`{col}`" in section, f"docs/storage.md: {table}.{col} undocumented"


def test_upgrading_a_v1_store_marks_round2_rows_cumulative(tmp_path: Path) -> None:
    """Rows stored before migration 2 hold the values as written: the migration says so
    (round 2 rows ``cumulative_r1_r2``, others ``round``) until ``etstats rebuild``."""

    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    v1 = load_migrations("sqlite")[0]
    conn.executescript(v1.sql)
    conn.execute(CREATE_VERSION_TABLE)
    conn.execute("INSERT INTO schema_migrations VALUES (1, ?, 0)", (v1.name,))
    conn.execute("INSERT INTO servers (id, name) VALUES (1, 'default')")
    for sha, n in (("a" * 64, 1), ("b" * 64, 2)):
        conn.execute(
            "INSERT INTO artifacts (sha256, kind, name, server_id, data, size_bytes, "
            "received_unix, status) VALUES (?, 'stats', ?, 1, x'00', 1, 0, 'accepted')",
            (sha, f"r{n}.txt"),
        )
        conn.execute(
            "INSERT INTO rounds (id, server_id, map_name, round_number, "
            "round_start_unix, start_source, stats_sha256) "
            "VALUES (?, 1, 'supply', ?, ?, 'stats-file-name', ?)",
            (n, n, n, sha),
        )
        conn.execute(
            "INSERT INTO player_round_stats (round_id, player_index, guid, name, "
            "raw_name, team, session_rounds, kills, deaths) "
            "VALUES (?, 0, 'ABCDEF12', 'p', 'p', 1, 1, 5, 5)",
            (n,),
        )
        conn.execute("INSERT INTO weapon_stats VALUES (?, 0, 3, 1, 2, 3, 4, 0)", (n,))
    conn.commit()
    conn.close()
    store = SQLiteStorage(str(path))
    assert store.schema_version() == load_migrations("sqlite")[-1].version
    assert [(r.round_number, r.values_scope, r.r1_round_id) for r in store.rounds()] == [
        (1, "round", None),
        (2, "cumulative_r1_r2", None),
    ]
    assert [(r[0], r[-1]) for r in store.table_rows("player_round_stats")] == [
        (1, "round"),
        (2, "cumulative_r1_r2"),
    ]
    assert [(r[0], r[-1]) for r in store.table_rows("weapon_stats")] == [
        (1, "round"),
        (2, "cumulative_r1_r2"),
    ]
    # 0006 backfills the running totals from the lines already stored
    with store._reader() as tx:
        assert tx.fetchall("SELECT guid, lines, rounds, kills, hits, shots FROM player_totals") == [
            ("ABCDEF12", 2, 2, 10, 2, 4)
        ]
        assert tx.fetchall("SELECT guid, name, lines FROM player_name_lines") == [
            ("ABCDEF12", "p", 2)
        ]
    store.close()


def test_record_candidates_cover_every_record_statistic_a_line_holds() -> None:
    """SQLite's migration 0019 names exactly :func:`kept_stats` in its floors (the statistics
    of ``RECORD_STATS`` whose value one line holds: a weapon part needs a subquery) and drops
    the eight record indexes of 0008; PostgreSQL's changes nothing."""
    from etstats.queries.ladders import RECORD_STATS
    from etstats.queries.statdefs import WEAPON_PARTS, value_sql
    from etstats.storage.record_lines import kept_stats

    one_line = [
        stat
        for stat in RECORD_STATS
        if not any(part in value_sql(stat, "sqlite", summed=False) for part in WEAPON_PARTS)
    ]
    assert list(kept_stats()) == one_line == [s for s in RECORD_STATS if s != "accuracy"]
    migrations = load_migrations("sqlite")
    last = migrations[18].sql
    assert migrations[18].name == "record_lines"
    floors = re.search(r"INSERT INTO record_floors \(stat\) VALUES (.*?);", last)
    assert floors is not None
    assert re.findall(r"'(\w+)'", floors[1]) == list(kept_stats())
    created = set(
        re.findall(
            r"CREATE INDEX (player_round_stats_record_\w+)",
            "\n".join(m.sql for m in migrations[:18]),
        )
    )
    dropped = set(re.findall(r"DROP INDEX IF EXISTS (player_round_stats_record_\w+)", last))
    assert created == dropped == {f"player_round_stats_record_{s}" for s in kept_stats()}
    assert "INDEX" not in load_migrations("postgres")[18].sql


def test_postgres_record_indexes_match_the_record_queries() -> None:
    """PostgreSQL's record expression indexes (migration 0008; its objectives index again in
    0013 and 0014) hold exactly the per-line value SQL the records query orders by (without
    the ``p.`` prefix); otherwise the planner ignores them. The last definition counts."""
    from etstats.queries.statdefs import value_sql
    from etstats.storage.record_lines import kept_stats

    sql = "\n".join(m.sql for m in load_migrations("postgres"))
    for stat in kept_stats():
        value = re.sub(r"\bp\.", "", value_sql(stat, "postgres", summed=False))
        defined = re.findall(
            rf"CREATE INDEX player_round_stats_record_{stat} ON player_round_stats "
            r"\(\((.*?)\)\)\s+WHERE",
            sql,
            re.DOTALL,
        )
        assert defined, stat
        assert defined[-1] == value, stat


@pytest.mark.pg
def test_postgres_compresses_the_reports_with_lz4(pg_dsn: str) -> None:
    """Migration 0011: new reports are stored with lz4 (PostgreSQL 14+ built with it, as
    the test server is), and they read back as written."""
    import psycopg

    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.testing import pg_database

    report = '{"checks": [' + ", ".join(f'{{"n": {i}, "verdict": "agree"}}' for i in range(3000))
    report += "]}"
    with pg_database(pg_dsn) as url:
        store = PostgresStorage(url, max_size=1)
        with store.transaction() as tx:
            sid = tx.ensure_server("lz4")
            rid = tx.save_round(
                None,
                {
                    "server_id": sid,
                    "map_name": "supply",
                    "round_number": 1,
                    "round_start_unix": 1_700_000_000,
                    "start_source": "stats-file-name",
                    "values_scope": "round",
                },
            )
            tx.replace_round_rows(rid, {"reconciliations": [(rid, "agree", 0, 0, report)]})
        store.close()
        with psycopg.connect(url) as conn:
            method, text = conn.execute(
                "SELECT pg_column_compression(report_json), report_json FROM reconciliations"
            ).fetchone()  # type: ignore[misc]
    assert (method, text) == ("lz4", report)


@pytest.mark.pg
def test_postgres_compresses_the_archived_artifacts_with_lz4(pg_dsn: str) -> None:
    """Migration 0013: an archived artifact's bytes are stored with lz4 and read back as
    written."""
    import hashlib

    import psycopg

    from etstats.storage.base import ArtifactRecord
    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.testing import pg_database

    data = b"".join(b"weapon %d kills %d deaths %d\n" % (i, i % 7, i % 5) for i in range(400))
    sha = hashlib.sha256(data).hexdigest()
    with pg_database(pg_dsn) as url:
        store = PostgresStorage(url, max_size=1)
        with store.transaction() as tx:
            sid = tx.ensure_server("lz4")
            record = ArtifactRecord(sha, "stats", "a.txt", sid, len(data), 1_700_000_000, "pending")
            assert tx.insert_artifacts([(record, data)]) == {sha}
        assert store.artifact_data(sha) == data
        store.close()
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT pg_column_compression(data) FROM artifacts").fetchone()
    assert row == ("lz4",)


@pytest.mark.pg
def test_postgres_0014_fills_the_tab_columns_of_stored_lines(pg_dsn: str) -> None:
    """Upgrading a store with lines to migration 0014 fills each line's ``tab_<field>``
    columns from its TAB JSON and leaves the running totals as they were (the update trigger
    stays off while it does); lines written afterwards add to them as before."""
    import psycopg

    from etstats.storage.postgres import PostgresStorage
    from etstats.storage.testing import pg_database

    totals = "SELECT * FROM player_totals ORDER BY guid"
    with pg_database(pg_dsn) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            conn.execute(CREATE_VERSION_TABLE)
            for mig in load_migrations("postgres"):
                if mig.version >= 14:
                    break
                conn.execute(mig.sql.encode())
                conn.execute(
                    "INSERT INTO schema_migrations VALUES (%s, %s, 0)", (mig.version, mig.name)
                )
            conn.execute("INSERT INTO servers (id, name) VALUES (1, 'default')")
            conn.execute(
                "INSERT INTO rounds (id, server_id, map_name, round_number, round_start_unix, "
                "start_source, values_scope) VALUES (1, 1, 'supply', 1, 1, 'stats-file-name', "
                "'round')"
            )
            tabs = ('{"kill_assists": 2, "objectives_stolen": 1.5, "team_gibs": null}', None, "{}")
            for i, tab in enumerate(tabs):
                conn.execute(
                    "INSERT INTO player_round_stats (round_id, player_index, guid, name, "
                    "raw_name, team, session_rounds, kills, deaths, tab_json) "
                    "VALUES (1, %s, %s, 'p', 'p', 1, 1, 5, 5, %s)",
                    (i, f"GUID000{i % 2}", tab),
                )
            before = conn.execute(totals).fetchall()
        store = PostgresStorage(url, max_size=1)
        with psycopg.connect(url) as conn:
            assert conn.execute(totals).fetchall() == before
            cols = conn.execute(
                "SELECT tab_kill_assists, tab_objectives_stolen, tab_team_gibs, tab_bullets_fired "
                "FROM player_round_stats ORDER BY player_index"
            ).fetchall()
            assert cols == [(2.0, 1.5, None, None), (None,) * 4, (None,) * 4]
            assert [
                r[0] for r in conn.execute("SELECT kill_assists FROM player_totals ORDER BY guid")
            ] == [2.0, 0.0]
        store.close()
