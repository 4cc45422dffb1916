"""The rounds per linked source and the Lua lags kept by migration 0018 (linkage_counts)'s
triggers (docs/storage.md, "Arrival counts") give the Lua-webhook health and the linkage view
exactly what the plain aggregates over ``rounds`` and ``artifacts`` gave before them (the
coverage, the linkage rate, the rounds per combination of sources, and the lag count, p50, p95
and max), after any sequence of artifact arrivals, status changes, moves and deletions and of
round inserts, re-links, re-keys, new end times and deletions, on both stores."""

from __future__ import annotations

import collections
import hashlib
import itertools
import math
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import assert_brief_counts_exact, insert_bare_artifact

from etstats.ingest.pipeline import Pipeline
from etstats.queries.arrivals import LAG_SHIFTS
from etstats.queries.types import ArrivalFacts, LagSummary
from etstats.storage.base import Storage
from etstats.storage.migrate import load_migrations
from etstats.testing.synthetic import season

# The aggregates arrival_facts ran over every round before migration 0018.
COVERAGE = (
    "SELECT round_number, COUNT(*), "
    "SUM(CASE WHEN lua_sha256 IS NOT NULL THEN 1 ELSE 0 END) FROM rounds "
    "WHERE stats_sha256 IS NOT NULL GROUP BY round_number ORDER BY round_number"
)
LUA = (
    "SELECT COUNT(*), SUM(CASE WHEN stats_sha256 IS NOT NULL THEN 1 ELSE 0 END) "
    "FROM rounds WHERE lua_sha256 IS NOT NULL"
)
LAGS = (
    "SELECT a.received_unix - r.round_end_unix FROM rounds r JOIN artifacts a "
    "ON a.sha256 = r.lua_sha256 WHERE r.round_end_unix IS NOT NULL"
)
SOURCES = (
    "SELECT stats_sha256 IS NOT NULL, lua_sha256 IS NOT NULL, endstats_sha256 IS NOT NULL, "
    "COUNT(*) FROM rounds GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
)
LINKS = ("stats_sha256", "lua_sha256", "endstats_sha256")

_SERIALS = itertools.count()
"""Unique artifact hashes and round start times across examples (an example starts from the
previous one's store)."""


def _percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank percentile the Lua-webhook health computed over every lag before."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1])


def _plain(store: Storage) -> tuple[ArrivalFacts, list[int]]:
    """The facts as the plain aggregates give them, and every lag."""
    with store.transaction() as tx:
        coverage = tx.fetchall(COVERAGE)  # type: ignore[attr-defined]
        lua = tx.fetchone(LUA)  # type: ignore[attr-defined]
        lags = [int(x[0]) for x in tx.fetchall(LAGS)]  # type: ignore[attr-defined]
        sources = tx.fetchall(SOURCES)  # type: ignore[attr-defined]
    values = [float(x) for x in lags]
    facts = ArrivalFacts(
        by_source=store.source_arrivals().by_source,
        coverage=tuple((int(rn), int(n), int(w or 0)) for rn, n, w in coverage),
        rounds_with_lua=int(lua[0]),
        lua_linked_to_stats=int(lua[1] or 0),
        lua_lag=LagSummary(
            count=len(values),
            p50=_percentile(values, 50),
            p95=_percentile(values, 95),
            max=max(values) if values else None,
        ),
        rounds_by_sources=tuple(
            (
                "+".join(n for n, has in zip(("stats", "lua", "endstats"), f, strict=True) if has)
                or "none",
                int(count),
            )
            for *f, count in sources
        ),
    )
    return facts, lags


def _assert_kept(store: Storage) -> None:
    """The maintained facts equal the plain ones, and every level of ``lua_lags`` counts the
    lags by ``lag >> shift`` (not only the three ranks read)."""
    facts, lags = _plain(store)
    assert store.arrival_facts() == facts
    with store.transaction() as tx:
        rows = tx.fetchall("SELECT shift, bucket, rounds FROM lua_lags")  # type: ignore[attr-defined]
    levels: dict[int, dict[int, int]] = {s: {} for s in LAG_SHIFTS}
    for shift, bucket, n in rows:
        levels[int(shift)][int(bucket)] = int(n)
    for shift in LAG_SHIFTS:
        assert levels[shift] == dict(collections.Counter(lag >> shift for lag in lags))


art_insert = st.tuples(
    st.just("art_insert"),
    st.sampled_from(("stats", "gametimes", "endstats")),
    st.integers(1_000, 1_400),
)
art_move = st.tuples(st.just("art_move"), st.integers(0, 40), st.integers(1_000, 1_400))
art_status = st.tuples(
    st.just("art_status"), st.integers(0, 40), st.sampled_from(("pending", "accepted", "rejected"))
)
art_delete = st.tuples(st.just("art_delete"), st.integers(0, 40))
# End times near the receipts (lags of a few minutes, negative too) and far from them (lags
# across the coarse levels' buckets, up to about 2 ** 33 seconds either way).
end_time = st.one_of(
    st.none(), st.integers(900, 1_300), st.integers(-(2**33), 2**33), st.just(1_000 - 256)
)
link = st.one_of(st.none(), st.integers(0, 40))
round_insert = st.tuples(st.just("round_insert"), st.integers(0, 2), end_time, link, link, link)
round_relink = st.tuples(st.just("round_relink"), st.integers(0, 20), st.sampled_from(LINKS), link)
round_rekey = st.tuples(st.just("round_rekey"), st.integers(0, 20), st.integers(0, 2), end_time)
round_delete = st.tuples(st.just("round_delete"), st.integers(0, 20))
operation = st.one_of(
    art_insert,
    art_move,
    art_status,
    art_delete,
    round_insert,
    round_relink,
    round_rekey,
    round_delete,
)


def _free(tx: Any, pick: int | None) -> str | None:
    """An artifact no round references (the links are UNIQUE), by index; ``None`` for none."""
    if pick is None:
        return None
    free = [
        str(r[0])
        for r in tx.fetchall(
            "SELECT sha256 FROM artifacts a WHERE NOT EXISTS (SELECT 1 FROM rounds r WHERE "
            "a.sha256 IN (r.stats_sha256, r.lua_sha256, r.endstats_sha256)) ORDER BY sha256"
        )
    ]
    return free[pick % len(free)] if free else None


def _apply(tx: Any, op: tuple[Any, ...]) -> None:
    kind = op[0]
    shas = [str(r[0]) for r in tx.fetchall("SELECT sha256 FROM artifacts ORDER BY sha256")]
    rounds = [int(r[0]) for r in tx.fetchall("SELECT id FROM rounds ORDER BY id")]
    sid = tx.fetchone("SELECT id FROM servers WHERE name = ?", ("alpha",))[0]
    if kind == "art_insert":
        serial = next(_SERIALS)
        sha = hashlib.sha256(f"linkage {serial}".encode()).hexdigest()
        row = (sha, op[1], f"a{serial}", sid, op[2], "accepted")
        insert_bare_artifact(tx, row)
    elif kind in ("art_move", "art_status") and shas:
        column = "received_unix" if kind == "art_move" else "status"
        tx.execute(
            f"UPDATE artifacts SET {column} = ? WHERE sha256 = ?",  # noqa: S608 - fixed names
            (op[2], shas[op[1] % len(shas)]),
        )
    elif kind == "art_delete":
        free = _free(tx, op[1])
        if free is not None:  # (SQLite's artifact_bytes row goes with it: ON DELETE CASCADE)
            tx.execute("DELETE FROM artifacts WHERE sha256 = ?", (free,))
    elif kind == "round_insert":
        _, number, end, *links = op
        chosen: list[str | None] = []
        for pick in links:
            linked = _free(tx, pick)
            chosen.append(None if linked in chosen else linked)
        tx.execute(
            "INSERT INTO rounds (server_id, map_name, round_number, round_start_unix, "
            "start_source, round_end_unix, stats_sha256, lua_sha256, endstats_sha256) "
            "VALUES (?, 'supply', ?, ?, 'lua', ?, ?, ?, ?)",
            (sid, number, next(_SERIALS), end, *chosen),
        )
    elif kind == "round_relink" and rounds:
        _, pick_round, column, pick = op
        tx.execute(
            f"UPDATE rounds SET {column} = ? WHERE id = ?",  # noqa: S608 - fixed names
            (_free(tx, pick), rounds[pick_round % len(rounds)]),
        )
    elif kind == "round_rekey" and rounds:
        _, pick_round, number, end = op
        tx.execute(
            "UPDATE rounds SET round_number = ?, round_end_unix = ?, round_start_unix = ? "
            "WHERE id = ?",
            (number, end, next(_SERIALS), rounds[pick_round % len(rounds)]),
        )
    elif kind == "round_delete" and rounds:
        tx.execute("DELETE FROM rounds WHERE id = ?", (rounds[op[1] % len(rounds)],))


@pytest.mark.property
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(operation, max_size=30))
def test_counts_equal_the_plain_aggregates(store: Storage, ops: list[tuple[Any, ...]]) -> None:
    """Each example starts from what the previous ones left (the equality holds from any
    state), one transaction per operation."""
    with store.transaction() as tx:
        if tx.fetchone("SELECT 1 FROM servers WHERE name = ?", ("alpha",)) is None:  # type: ignore[attr-defined]
            tx.execute("INSERT INTO servers (name) VALUES (?)", ("alpha",))  # type: ignore[attr-defined]
    for op in ops:
        with store.transaction() as tx:
            _apply(tx, op)
        _assert_kept(store)
        assert_brief_counts_exact(store)  # the ingest summary's rounds per source


def _dialect(store: Storage) -> str:
    with store.transaction() as tx:
        return "postgres" if tx.bytes_table == "artifacts" else "sqlite"  # type: ignore[attr-defined]


def test_pipeline_rebuild_and_the_migrations_fill_keep_them(store: Storage) -> None:
    """The real ingest (files in reverse order: rounds made by the Lua and endstats files,
    then linked to their stats files), ``clear_derived`` (SQLite sets the delete trigger
    aside), a rebuild, and the migration's own fill over an existing store all leave the
    facts equal to the plain aggregates."""
    pipeline = Pipeline(store)
    for artifact in reversed(season(8)):
        pipeline.ingest(artifact)
    _assert_kept(store)
    facts = store.arrival_facts()
    assert facts.rounds_with_lua == facts.lua_linked_to_stats == 8
    assert facts.lua_lag.count == 8
    store.clear_derived()
    _assert_kept(store)
    assert store.arrival_facts().rounds_by_sources == ()
    pipeline.rebuild()
    _assert_kept(store)
    assert store.arrival_facts() == facts
    migration = next(m for m in load_migrations(_dialect(store)) if m.name == "linkage_counts")
    fill = migration.sql[migration.sql.rindex("INSERT INTO round_sources") :]
    with store.transaction() as tx:
        tx.execute("DELETE FROM round_sources")  # type: ignore[attr-defined]
        tx.execute("DELETE FROM lua_lags")  # type: ignore[attr-defined]
        for statement in (s.strip() for s in fill.split(";")):
            if statement:
                tx.execute(statement)  # type: ignore[attr-defined]
    _assert_kept(store)
    assert store.arrival_facts() == facts
