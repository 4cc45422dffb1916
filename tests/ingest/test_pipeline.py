"""The ingestion pipeline on both backends: idempotence, order independence, late artifacts,
rejections and crashes."""

from __future__ import annotations

import random
from typing import Any

import pytest

from etstats.hookspecs import hookimpl
from etstats.ingest.artifacts import Artifact
from etstats.ingest.audit import audit_report
from etstats.ingest.pipeline import Pipeline
from etstats.plugins import get_plugin_manager
from etstats.storage.base import Storage
from etstats.storage.testing import snapshot, wipe
from etstats.testing.synthetic import RECEIVED, round_artifacts, season

END = 1_767_225_600


def _ingest(store: Storage, artifacts: list[Artifact], **kw: Any) -> list[str]:
    pipeline = Pipeline(store, **kw)
    return [pipeline.ingest(a).status for a in artifacts]


def _one_round(seed: int = 1, **kw: Any) -> list[Artifact]:
    """stats, lua, endstats of one round (in that order)."""
    params: dict[str, Any] = {"map_name": "supply", "round_number": 1, "end_unix": END}
    params.update(kw)
    return round_artifacts(rng=random.Random(seed), **params)


def test_same_artifacts_twice_change_nothing(store: Storage) -> None:
    arts = season(4)
    assert set(_ingest(store, arts)) == {"stored"}
    before = snapshot(store)
    assert _ingest(store, arts) == ["duplicate"] * len(arts)
    assert snapshot(store) == before
    rounds = store.rounds()
    assert len(rounds) == 4
    assert all(r.stats_sha256 and r.lua_sha256 and r.endstats_sha256 for r in rounds)
    assert {r.start_source for r in rounds} == {"lua"}


def test_reverse_order_converges(store: Storage) -> None:
    arts = season(6)
    _ingest(store, arts)
    forward = snapshot(store)
    wipe(store)
    _ingest(store, list(reversed(arts)))
    assert snapshot(store) == forward


def test_late_lua_relinks_the_round_and_keeps_its_id(store: Storage) -> None:
    stats, lua, endstats = _one_round()
    stored: list[int] = []

    class Recorder:
        @hookimpl
        def etstats_round_stored(self, round_id: int, storage: Storage) -> None:
            stored.append(round_id)

    pm = get_plugin_manager([Recorder()], load_entry_points=False)
    _ingest(store, [stats, endstats], pm=pm)
    [before] = store.rounds()
    assert (before.start_source, before.lua_sha256) == ("stats-file-name", None)
    assert before.round_start_unix == END + 3  # the stats file-name time, in UTC
    assert before.endstats_sha256 == endstats.sha256
    _ingest(store, [lua], pm=pm)
    [after] = store.rounds()
    assert after.id == before.id
    assert (after.start_source, after.round_start_unix) == ("lua", END - 600)
    assert after.lua_sha256 == lua.sha256
    assert [row[0] for row in store.table_rows("lua_timing")] == [after.id]
    assert stored[-1] == after.id


def test_round_two_before_round_one_and_endstats_late(store: Storage) -> None:
    r1 = _one_round(seed=1)
    r2 = _one_round(seed=2, round_number=2, end_unix=END + 700)
    order = [r2[1], r2[0], r1[1], r1[0], r2[2], r1[2]]
    _ingest(store, order)
    late = snapshot(store)
    wipe(store)
    _ingest(store, r1 + r2)
    assert snapshot(store) == late
    assert len(store.rounds()) == 2


def test_stats_file_names_in_server_local_time_link_to_utc_lua(store: Storage) -> None:
    arts = _one_round(timezone="Europe/Berlin")
    assert arts[0].name.startswith("2026-01-01-010003")  # CET = UTC+1
    _ingest(store, arts, timezone="Europe/Berlin")
    [r] = store.rounds()
    assert r.stats_sha256
    assert r.lua_sha256
    assert r.stats_file_unix == END + 3


def test_wrong_timezone_links_nothing_instead_of_guessing(store: Storage) -> None:
    arts = _one_round(timezone="Europe/Berlin")
    _ingest(store, arts, timezone="UTC")  # names read as UTC: one hour off
    rounds = store.rounds()
    assert len(rounds) == 2  # stats+endstats round, Lua-only round
    assert not any(r.stats_sha256 and r.lua_sha256 for r in rounds)


def test_two_plays_within_the_window_are_not_linked(store: Storage) -> None:
    a = _one_round(seed=1, endstats=False)
    b = _one_round(seed=2, end_unix=END + 10, lua=False, endstats=False)
    _ingest(store, [*a, *b])
    rounds = store.rounds()
    assert len(rounds) == 3
    assert not any(r.stats_sha256 and r.lua_sha256 for r in rounds)
    notes = audit_report(store)["link_notes"]
    assert {n["kind"] for n in notes} == {"stats", "gametimes-legacy"}
    assert all("ambiguous" in n["note"] for n in notes)
    assert len(notes) == 3  # both stats files and the Lua file


def test_malformed_artifact_is_rejected_and_the_rest_stored(store: Storage) -> None:
    good = season(2)
    bad = Artifact.from_bytes(
        b"supply\\broken header\n", "2026-01-01-000003-supply-round-1.txt", received_at=RECEIVED
    )
    junk = Artifact.from_bytes(b"\x00\x01\x02", "notes.bin", received_at=RECEIVED)
    statuses = _ingest(store, [good[0], bad, *good[1:], junk])
    assert statuses.count("rejected") == 2
    assert len(store.rounds()) == 2
    rejected = {a.name: a.error for a in store.artifacts() if a.status == "rejected"}
    assert set(rejected) == {bad.name, junk.name}
    assert all(rejected.values())
    with store.transaction() as tx:
        assert tx.artifact_data(bad.sha256) == bad.data  # archived as received
    assert _ingest(store, [bad]) == ["duplicate"]


def test_crash_in_the_middle_leaves_no_partial_round(
    store: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    stats, lua, endstats = _one_round()
    _ingest(store, [stats])
    before = snapshot(store)

    def boom(*_args: Any, **_kw: Any) -> Any:
        raise RuntimeError("power cut")

    import etstats.ingest.pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "round_rows", boom)
    with pytest.raises(RuntimeError):
        Pipeline(store).ingest(lua)
    assert snapshot(store) == before  # not even the raw Lua bytes
    monkeypatch.undo()
    assert _ingest(store, [lua, endstats]) == ["stored", "stored"]
    [r] = store.rounds()
    assert r.lua_sha256 == lua.sha256


def test_rebuild_rederives_the_same_state(store: Storage) -> None:
    arts = season(5)
    _ingest(store, arts)
    before = snapshot(store)
    summary = Pipeline(store).rebuild()
    assert summary.count("stored") == len(arts)
    assert snapshot(store) == before


def test_split_endstats_keep_the_richest(store: Storage) -> None:
    stats, lua, endstats = _one_round()
    smaller = Artifact.from_bytes(
        b"Most damage given\tplayer0\t10\n",
        endstats.name.replace("000001", "000002"),
        received_at=RECEIVED,
    )
    _ingest(store, [smaller, stats, endstats, lua])
    [r] = store.rounds()
    assert r.endstats_sha256 == endstats.sha256
    assert [u["name"] for u in audit_report(store)["unlinked"]] == [smaller.name]


def test_same_bytes_under_two_names_keep_the_smallest_name(store: Storage) -> None:
    """Header-only stats files of two plays can be byte-identical: the archive keeps one copy
    (deduplicated by SHA-256) under the smallest name, whatever the arrival order."""
    stats = _one_round(lua=False, endstats=False)[0]
    later = Artifact.from_bytes(
        stats.data, stats.name.replace("000003", "000503"), received_at=RECEIVED
    )
    assert _ingest(store, [later, stats]) == ["stored", "stored"]
    one_way = snapshot(store)
    [a] = store.artifacts()
    assert a.name == stats.name
    assert [r.stats_file_unix for r in store.rounds()] == [END + 3]
    wipe(store)
    assert _ingest(store, [stats, later]) == ["stored", "duplicate"]
    assert snapshot(store) == one_way
