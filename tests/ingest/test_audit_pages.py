"""``etstats audit`` walks the store in pages: its report equals the one read from whole
tables (the code before paging, kept here as the reference) on a store with every kind of
entry (conflicts, orphan round 2s, rejected, noted and unlinked artifacts, Lua-only rounds),
whatever the page size."""

from __future__ import annotations

import io
import json
import random
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from etstats.cli import main
from etstats.cli.storage_args import store_summary
from etstats.ingest import audit
from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.ingest.spool import Spool, first, write_json
from etstats.storage.base import Storage
from etstats.storage.sqlite import SQLiteStorage
from etstats.testing.synthetic import round_artifacts, round_pair_artifacts, season

BASE = 1_767_225_600


def reference_report(storage: Storage) -> dict[str, Any]:
    """The report as computed before paging (whole tables in memory)."""
    rounds = storage.rounds()
    arts = storage.artifacts()
    in_round = {s for r in rounds for s in r.linked.values()}
    recon = storage.table_rows("reconciliations")
    by_id = {r.id: r for r in rounds}
    names = {a.sha256: a.name for a in arts}
    verdicts = Counter(str(row[1]) for row in recon)
    conflicts = [
        {
            "round_id": row[0],
            "map": by_id[row[0]].map_name,
            "round": by_id[row[0]].round_number,
            "round_start_unix": by_id[row[0]].round_start_unix,
            "errors": row[2],
        }
        for row in recon
        if row[1] == "conflict" and row[0] in by_id
    ]
    r2 = [r for r in rounds if r.round_number == 2 and r.stats_sha256]
    orphans = [
        {
            "round_id": r.id,
            "map": r.map_name,
            "stats_file_unix": r.stats_file_unix,
            "stats": names.get(r.stats_sha256 or "", ""),
        }
        for r in r2
        if r.values_scope == "cumulative_r1_r2"
    ]
    return {
        "round2": {
            "total": len(r2),
            "differenced": sum(1 for r in r2 if r.r1_round_id is not None),
            "orphans": orphans,
        },
        "rounds": {
            "total": len(rounds),
            "by_start_source": dict(Counter(r.start_source for r in rounds)),
            "with_stats": sum(1 for r in rounds if r.stats_sha256),
            "with_lua": sum(1 for r in rounds if r.lua_sha256),
            "with_endstats": sum(1 for r in rounds if r.endstats_sha256),
            "stats_and_lua": sum(1 for r in rounds if r.stats_sha256 and r.lua_sha256),
            "stats_without_lua": sum(1 for r in rounds if r.stats_sha256 and not r.lua_sha256),
            "lua_without_stats": sum(1 for r in rounds if r.lua_sha256 and not r.stats_sha256),
        },
        "verdicts": dict(sorted(verdicts.items())),
        "conflicts": conflicts,
        "rejected": [
            {"name": a.name, "sha256": a.sha256, "error": a.error}
            for a in arts
            if a.status == "rejected"
        ],
        "link_notes": [
            {"name": a.name, "sha256": a.sha256, "kind": a.kind, "note": a.link_note}
            for a in arts
            if a.link_note
        ],
        "unlinked": [
            {"name": a.name, "sha256": a.sha256, "kind": a.kind}
            for a in arts
            if a.status == "accepted" and a.sha256 not in in_round
        ],
    }


def _rich_store(store: Storage) -> None:
    rng = random.Random(3)
    arts: list[Artifact] = list(season(8, players=4))
    pair, _ = round_pair_artifacts(
        map_name="supply", r1_end_unix=BASE + 50_000, gap_seconds=600, rng=rng, players=3
    )
    arts += pair
    arts.append(Artifact.from_bytes(pair[1].data, "0_" + pair[1].name))  # renamed copy
    arts += round_artifacts(
        map_name="te_escape2",
        round_number=2,
        end_unix=BASE + 90_000,
        rng=rng,
        players=3,
        lua=False,
        endstats=False,
    )  # orphan R2
    arts += round_artifacts(
        map_name="te_escape2",
        round_number=1,
        end_unix=BASE + 99_000,
        rng=rng,
        players=3,
        stats=False,
        endstats=False,
    )  # Lua only
    for end in (BASE + 120_000, BASE + 120_020):  # two replays close together: ambiguity
        arts += round_artifacts(
            map_name="goldrush", round_number=1, end_unix=end, rng=rng, players=2, lua=False
        )
    arts.append(Artifact.from_bytes(b"not a stats file\n", "2026-01-02-000000-x-round-1.txt"))
    arts.append(Artifact.from_bytes(b"{", "gametime-x-R1-1767225600.json"))
    Pipeline(store, batch_size=5).ingest_many(arts)


@pytest.mark.parametrize("page", [1, 3, 1000])
def test_paged_audit_equals_whole_table_audit(
    store: Storage, page: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rich_store(store)
    expected = reference_report(store)
    monkeypatch.setattr(audit, "PAGE", page)
    got = audit.audit_report(store)
    assert got == expected
    assert list(got["rounds"]["by_start_source"]) == list(expected["rounds"]["by_start_source"])
    assert expected["rejected"]
    assert expected["round2"]["orphans"]
    assert expected["conflicts"]
    assert expected["link_notes"]
    assert len(expected["rounds"]["by_start_source"]) == 3


def test_store_counts_equal_whole_table_counts(store: Storage) -> None:
    _rich_store(store)
    rounds = store.rounds()
    arts = store.artifacts()
    assert store_summary(store) == {
        "artifacts": len(arts),
        "rejected": sum(1 for a in arts if a.status == "rejected"),
        "rounds": len(rounds),
        "rounds_with_stats": sum(1 for r in rounds if r.stats_sha256),
        "rounds_with_lua": sum(1 for r in rounds if r.lua_sha256),
        "rounds_with_endstats": sum(1 for r in rounds if r.endstats_sha256),
        "stats_linked_to_lua": sum(1 for r in rounds if r.stats_sha256 and r.lua_sha256),
        "players": len(store.table_rows("player_round_stats")),
        "round2_differenced": sum(1 for r in rounds if r.r1_round_id is not None),
        "round2_orphans": sum(1 for r in rounds if r.values_scope == "cumulative_r1_r2"),
    }


def test_archive_pages_walk_every_artifact_in_receipt_order(store: Storage) -> None:
    _rich_store(store)
    walked = []
    after = None
    while page := store.artifacts_page(after, 4):
        walked += page
        after = (page[-1].received_unix, page[-1].sha256)
    assert walked == store.artifacts()


def test_an_archive_page_seeks_the_receipt_index(tmp_path: Path) -> None:
    """A later page of the archive (``rebuild``, ``audit``) starts where the last one ended:
    SQLite seeks the receipt index to it. (Asked as ``received_unix > ? OR (received_unix =
    ? AND sha256 > ?)``, a big store's plan scanned the index from its start for every page:
    at 100,000 rounds 40-190 ms a page instead of 8.)"""
    store = SQLiteStorage(str(tmp_path / "pages.db"))
    try:
        _rich_store(store)
        first_page = store.artifacts_page(None, 3)
        seen: list[str] = []
        store.connection.set_trace_callback(seen.append)
        store.artifacts_page((first_page[-1].received_unix, first_page[-1].sha256), 3)
        store.connection.set_trace_callback(None)
        [select] = [s for s in seen if s.startswith("SELECT")]
        plan = " ".join(
            str(row[3]) for row in store.connection.execute(f"EXPLAIN QUERY PLAN {select}")
        )
    finally:
        store.close()
    # to the (receipt second, hash) the page starts after, both columns of the index
    assert plan == (
        "SEARCH artifacts USING INDEX artifacts_receipt ((received_unix,sha256)>(?,?))"
    ), plan


def test_audit_cli_writes_what_whole_report_dumps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``etstats audit`` writes its spooled report as it reads it: byte for byte the output
    of ``json.dumps(report, indent=2, sort_keys=True)`` and of ``format_report``, with more
    than the 50 entries the text shows per list."""
    db = tmp_path / "audit.db"
    store = SQLiteStorage(str(db))
    try:
        _rich_store(store)
        bad = [
            Artifact.from_bytes(f"junk {i}\n".encode(), f"2026-01-03-0000{i:02d}-x-round-1.txt")
            for i in range(60)
        ]
        Pipeline(store, batch_size=7).ingest_many(bad)
        report = audit.audit_report(store)
    finally:
        store.close()
    assert len(report["rejected"]) > 60
    monkeypatch.setattr(audit, "PAGE", 4)
    assert main(["audit", "--db", str(db), "--json"]) == 1
    assert capsys.readouterr().out == json.dumps(report, indent=2, sort_keys=True) + "\n"
    assert main(["audit", "--db", str(db)]) == 1
    assert capsys.readouterr().out == audit.format_report(report) + "\n"


def test_json_writer_equals_json_dumps() -> None:
    items = [{"name": f"n\n{i}\u00e9\udcff", "n": i, "x": None, "f": 1.5} for i in range(3)]
    spool = Spool(keep=1)
    for item in items:
        spool.append(item)
    report: dict[str, Any] = {"b": spool, "a": {"z": [1, {"y": []}], "e": {}}, "c": Spool()}
    out = io.StringIO()
    write_json(report, out)
    plain = {"b": items, "a": report["a"], "c": []}
    assert out.getvalue() == json.dumps(plain, indent=2, sort_keys=True)
    assert list(spool) == items
    assert spool.head == items[:1]
    assert len(spool) == 3
    assert first(spool, 2) == items[:2]
    spool.close()
    empty = io.StringIO()
    write_json({}, empty)
    assert empty.getvalue() == "{}"


def test_spooled_lists_keep_the_heap_flat() -> None:
    """Memory (not time): spooling and reading 5,000 conflicts holds a few of them."""
    spool = Spool()
    tracemalloc.start()
    try:
        for i in range(5_000):
            spool.append(
                {"round_id": i, "map": "supply", "round": 1, "round_start_unix": i, "errors": 2}
            )
        _, peak = tracemalloc.get_traced_memory()
        count = 0
        for _ in spool:  # read back one line at a time
            count += 1
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        spool.close()
    assert count == 5_000
    assert max(peak, read_peak) < 2**20  # the list itself takes about 2 MB
