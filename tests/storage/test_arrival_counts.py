"""The artifacts per server and kind kept by migration 0015 (arrival_counts)'s triggers
(docs/storage.md, "Arrival counts") equal the plain aggregate over ``artifacts`` after any
sequence of arrivals, status changes, moves and deletions, on both stores; the pipeline health
reads them."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import assert_brief_counts_exact, insert_bare_artifact

from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.storage.base import Storage
from etstats.testing.synthetic import season

PLAIN = (
    "SELECT s.name, a.kind, COUNT(*), SUM(CASE WHEN a.status = 'rejected' THEN 1 ELSE 0 END), "
    "MAX(a.received_unix) FROM artifacts a JOIN servers s ON s.id = a.server_id "
    "GROUP BY s.name, a.kind ORDER BY s.name, a.kind"
)
"""The grouping the pipeline health ran over every artifact before migration 0015."""

_SERIALS = itertools.count()
"""Unique artifact hashes across examples (an example starts from the previous one's store)."""

SERVERS = ("alpha", "beta")
KINDS = ("stats", "gametimes", "endstats")
STATUSES = ("pending", "accepted", "rejected")


def _plain(store: Storage) -> tuple[tuple[str, str, int, int, int], ...]:
    with store.transaction() as tx:
        rows = tx.fetchall(PLAIN)  # type: ignore[attr-defined]
    return tuple((str(s), str(k), int(n), int(r), int(last)) for s, k, n, r, last in rows)


insert = st.tuples(
    st.just("insert"),
    st.sampled_from(SERVERS),
    st.sampled_from(KINDS),
    st.sampled_from(STATUSES),
    st.integers(1_000, 1_100),
)
status = st.tuples(st.just("status"), st.integers(0, 30), st.sampled_from(STATUSES))
move = st.tuples(
    st.just("move"),
    st.integers(0, 30),
    st.sampled_from(SERVERS),
    st.sampled_from(KINDS),
    st.integers(1_000, 1_100),
)
delete = st.tuples(st.just("delete"), st.integers(0, 30))


def _apply(tx: Any, op: tuple[Any, ...]) -> None:
    shas = [str(r[0]) for r in tx.fetchall("SELECT sha256 FROM artifacts ORDER BY sha256")]
    kind = op[0]
    if kind == "insert":
        _, server, art_kind, art_status, received = op
        sid = tx.fetchone("SELECT id FROM servers WHERE name = ?", (server,))[0]
        serial = next(_SERIALS)
        sha = hashlib.sha256(f"{serial}".encode()).hexdigest()
        row = (sha, art_kind, f"a{serial}", sid, received, art_status)
        insert_bare_artifact(tx, row)
        return
    if not shas:
        return
    sha = shas[op[1] % len(shas)]
    if kind == "status":
        tx.execute("UPDATE artifacts SET status = ? WHERE sha256 = ?", (op[2], sha))
    elif kind == "move":
        sid = tx.fetchone("SELECT id FROM servers WHERE name = ?", (op[2],))[0]
        tx.execute(
            "UPDATE artifacts SET server_id = ?, kind = ?, received_unix = ? WHERE sha256 = ?",
            (sid, op[3], op[4], sha),
        )
    else:
        tx.execute("DELETE FROM artifacts WHERE sha256 = ?", (sha,))


@pytest.mark.property
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(st.one_of(insert, status, move, delete), max_size=25))
def test_counts_equal_the_plain_aggregate(store: Storage, ops: list[tuple[Any, ...]]) -> None:
    """Each example starts from what the previous ones left (the equality holds from any
    state), one transaction per operation."""
    with store.transaction() as tx:
        for name in SERVERS:
            if tx.fetchone("SELECT 1 FROM servers WHERE name = ?", (name,)) is None:  # type: ignore[attr-defined]
                tx.execute("INSERT INTO servers (name) VALUES (?)", (name,))  # type: ignore[attr-defined]
    for op in ops:
        with store.transaction() as tx:
            _apply(tx, op)
        assert store.source_arrivals().by_source == _plain(store)
        assert_brief_counts_exact(store)  # the ingest summary's artifacts per status


def test_pipeline_and_rebuild_keep_them(store: Storage) -> None:
    """The real ingest (bulk archive, status updates, one rejected file) and a rebuild
    (statuses back to pending, then set again) leave the counts equal to the aggregate;
    rounds per server as before."""
    pipeline = Pipeline(store)
    arts = season(6)
    bad = Artifact.from_bytes(b"not a stats file\n", "2026-01-04-140003-te_escape2-round-1.txt")
    pipeline.ingest_many([*arts, bad])
    facts = store.source_arrivals()
    assert facts.by_source == _plain(store)
    assert sum(n for _, _, n, _, _ in facts.by_source) == 19
    assert sum(r for _, _, _, r, _ in facts.by_source) >= 1
    assert facts.by_server[0][1] == store.store_counts().rounds
    assert_brief_counts_exact(store)
    store.clear_derived()
    assert_brief_counts_exact(store)
    assert store.source_arrivals().by_source == _plain(store)
    assert store.source_arrivals().by_server[0][1] == 0
    pipeline.rebuild()
    assert store.source_arrivals() == facts
