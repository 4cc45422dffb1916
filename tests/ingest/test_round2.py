"""A stored round 2 holds R2-only values once its round 1 is stored (any arrival order),
is flagged as an orphan until then, and is reconciled together with its round 1."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from etstats.differential import differential_all, pair_rounds
from etstats.ingest.artifacts import Artifact
from etstats.ingest.audit import audit_report, format_report
from etstats.ingest.pipeline import Pipeline
from etstats.model.stats import StatsRound
from etstats.storage.base import Storage, StoredRound
from etstats.storage.sqlite import SQLiteStorage
from etstats.storage.testing import snapshot, wipe
from etstats.testing.synthetic import round_artifacts, round_pair_artifacts

BASE = 1_767_225_600


def _players(store: Storage, rid: int) -> list[tuple[Any, ...]]:
    """(guid, kills, deaths, damage_given, gibs, headshot_kills, values_scope) per line."""
    rows = sorted(r for r in store.table_rows("player_round_stats") if r[0] == rid)
    return [(r[2], r[7], r[8], r[9], r[13], r[17], r[24]) for r in rows]


def _weapons(store: Storage, rid: int) -> list[tuple[Any, ...]]:
    return sorted(r[1:] for r in store.table_rows("weapon_stats") if r[0] == rid)


def _expected_players(model: StatsRound, scope: str) -> list[tuple[Any, ...]]:
    out = []
    for p in model.players:
        t = p.tab
        assert t is not None
        out.append((p.guid, p.kills, p.deaths, t.damage_given, t.gibs, t.headshot_kills, scope))
    return out


def _expected_weapons(model: StatsRound, scope: str) -> list[tuple[Any, ...]]:
    return sorted(
        (i, w.index, w.hits, w.shots, w.kills, w.deaths, w.headshots, scope)
        for i, p in enumerate(model.players)
        for w in p.weapons
    )


def _by_number(store: Storage) -> dict[int, list[StoredRound]]:
    out: dict[int, list[StoredRound]] = {}
    for r in store.rounds():
        out.setdefault(r.round_number, []).append(r)
    return out


def _ingest(store: Storage, arts: list[Artifact], **options: Any) -> Pipeline:
    pipeline = Pipeline(store, **options)
    for a in arts:
        pipeline.ingest(a)
    return pipeline


def test_r2_rows_hold_r2_only_values_whatever_arrives_first(store: Storage) -> None:
    arts, r2_only = round_pair_artifacts(
        map_name="supply", r1_end_unix=BASE, gap_seconds=900, rng=random.Random(1)
    )
    states = []
    for order in (arts, arts[::-1], [arts[1], arts[0], arts[1], arts[0]]):
        wipe(store)
        _ingest(store, order)
        rounds = _by_number(store)
        [r1], [r2] = rounds[1], rounds[2]
        assert (r1.values_scope, r1.r1_round_id) == ("round", None)
        assert (r2.values_scope, r2.r1_round_id) == ("round", r1.id)
        assert _players(store, r2.id) == _expected_players(r2_only, "round")
        assert _weapons(store, r2.id) == _expected_weapons(r2_only, "round")
        states.append(snapshot(store))
    assert states[0] == states[1] == states[2]


def test_orphan_r2_is_cumulative_and_flagged_until_its_r1_arrives(store: Storage) -> None:
    arts, r2_only = round_pair_artifacts(
        map_name="supply", r1_end_unix=BASE, gap_seconds=900, rng=random.Random(2)
    )
    pipeline = _ingest(store, [arts[1]])
    [r2] = store.rounds()
    assert (r2.values_scope, r2.r1_round_id) == ("cumulative_r1_r2", None)
    rows = _players(store, r2.id)
    assert {row[-1] for row in rows} == {"cumulative_r1_r2"}
    assert rows != _expected_players(r2_only, "cumulative_r1_r2")  # as written: R1 + R2
    report = audit_report(store)
    assert report["round2"]["total"] == 1
    assert report["round2"]["differenced"] == 0
    assert [o["stats"] for o in report["round2"]["orphans"]] == [arts[1].name]
    assert f"orphan round 2: round {r2.id} supply {arts[1].name}" in format_report(report)

    result = pipeline.ingest(arts[0])  # the R1 arrives late
    assert r2.id in result.round_ids  # the round 2 is rewritten (and its hooks notified)
    [r1] = _by_number(store)[1]
    [r2] = _by_number(store)[2]
    assert (r2.values_scope, r2.r1_round_id) == ("round", r1.id)
    assert _players(store, r2.id) == _expected_players(r2_only, "round")
    report = audit_report(store)
    assert report["round2"]["differenced"] == 1
    assert report["round2"]["orphans"] == []


def test_latest_r1_inside_the_window_wins(store: Storage) -> None:
    rng = random.Random(3)
    arts, r2_only = round_pair_artifacts(
        map_name="supply", r1_end_unix=BASE + 600, gap_seconds=900, rng=rng
    )
    early = round_artifacts(
        map_name="supply",
        round_number=1,
        end_unix=BASE,
        rng=rng,
        players=3,
        lua=False,
        endstats=False,
    )
    states = []
    for order in ([*early, *arts], [arts[1], *early, arts[0]], [arts[0], arts[1], *early]):
        wipe(store)
        _ingest(store, order)
        r1s = {r.stats_file_unix or 0: r for r in _by_number(store)[1]}
        [r2] = _by_number(store)[2]
        latest = r1s[max(r1s)]
        assert r2.r1_round_id == latest.id
        assert _players(store, r2.id) == _expected_players(r2_only, "round")
        assert all(r.values_scope == "round" for r in r1s.values())  # the earlier stays R1
        states.append(snapshot(store))
    assert states[0] == states[1] == states[2]


def test_r1_outside_the_window_leaves_the_r2_orphan(store: Storage) -> None:
    arts, r2_only = round_pair_artifacts(
        map_name="supply", r1_end_unix=BASE, gap_seconds=46 * 60, rng=random.Random(4)
    )
    _ingest(store, arts)
    [r2] = _by_number(store)[2]
    assert (r2.values_scope, r2.r1_round_id) == ("cumulative_r1_r2", None)
    wipe(store)
    _ingest(store, arts, pair_window_minutes=60)
    [r2] = _by_number(store)[2]
    assert r2.values_scope == "round"
    assert _players(store, r2.id) == _expected_players(r2_only, "round")
    [report] = [
        json.loads(row[4]) for row in store.table_rows("reconciliations") if row[0] == r2.id
    ]
    assert report["stats_r1"] == arts[0].name  # the engine pairs with the same window


def test_other_map_or_server_never_pairs(store: Storage) -> None:
    rng = random.Random(5)
    arts, _ = round_pair_artifacts(map_name="supply", r1_end_unix=BASE, gap_seconds=600, rng=rng)
    other, _ = round_pair_artifacts(
        map_name="te_escape2", r1_end_unix=BASE, gap_seconds=600, rng=rng, server="eu2"
    )
    _ingest(store, [arts[1], other[0]])  # R2 of supply/default, R1 of te_escape2/eu2
    [r2] = _by_number(store)[2]
    assert r2.values_scope == "cumulative_r1_r2"


def test_r2_is_reconciled_with_its_r1(store: Storage) -> None:
    arts, _ = round_pair_artifacts(
        map_name="supply", r1_end_unix=BASE, gap_seconds=900, rng=random.Random(6)
    )
    _ingest(store, arts[::-1])
    [r2] = _by_number(store)[2]
    [report] = [
        json.loads(row[4]) for row in store.table_rows("reconciliations") if row[0] == r2.id
    ]
    assert report["stats"] == arts[1].name
    assert report["stats_r1"] == arts[0].name


def test_rebuild_keeps_the_differenced_rows(store: Storage) -> None:
    arts, _ = round_pair_artifacts(
        map_name="supply", r1_end_unix=BASE, gap_seconds=900, rng=random.Random(7)
    )
    pipeline = _ingest(store, arts[::-1])
    before = snapshot(store)
    pipeline.rebuild()
    assert snapshot(store) == before


@pytest.mark.corpus
def test_real_corpus_r2s_are_differenced_as_the_differential_pairs_them(
    real_stats_files: list[Path], tmp_path: Path
) -> None:
    """Every real R2 pairs with the R1 ``pair_rounds`` picks from the files alone, and its
    stored rows are ``differential_all``'s values (97 pairs in the corpus)."""
    from etstats.parsing.stats_file import parse_stats_file

    store = SQLiteStorage(str(tmp_path / "real.db"))
    pipeline = Pipeline(store, timezone="Europe/Berlin", reconcile=False)
    for path in real_stats_files:
        pipeline.ingest(Artifact.from_path(path))
    names = {a.sha256: a.name for a in store.artifacts()}
    rounds = store.rounds()
    by_id = {r.id: r for r in rounds}
    stored = {
        names[r.stats_sha256 or ""]: names[by_id[r.r1_round_id].stats_sha256 or ""]
        for r in rounds
        if r.r1_round_id is not None
    }
    models = [parse_stats_file(p) for p in real_stats_files]
    pairing = pair_rounds(models)
    expected = {
        real_stats_files[p.r2_index].name: real_stats_files[p.r1_index].name for p in pairing.pairs
    }
    assert stored == expected
    assert len(stored) == 97
    orphans = {names[r.stats_sha256 or ""] for r in rounds if r.values_scope == "cumulative_r1_r2"}
    assert orphans == {real_stats_files[i].name for i in pairing.orphan_indexes}
    values = dict(zip((p.name for p in real_stats_files), differential_all(models), strict=True))
    players = store.table_rows("player_round_stats")
    for r in rounds:
        want = values[names[r.stats_sha256 or ""]]
        got = [(row[2], row[7], row[8], row[9]) for row in players if row[0] == r.id]
        assert got == [
            (p.guid, p.kills, p.deaths, p.tab.damage_given if p.tab else None) for p in want.players
        ]
    store.close()


def test_player_who_reconnected_keeps_his_r2_line_as_written(store: Storage) -> None:
    """A reconnect resets a player's engine counters: the differential keeps his R2 line raw,
    and the store marks exactly his rows ``r2_as_written``."""
    import attrs

    from etstats.render.stats_file import render_stats_bytes
    from etstats.testing.synthetic import STATS_DELAY_SECONDS, cumulative_round2, stats_round

    rng = random.Random(8)
    guids = ["".join(rng.choice("0123456789ABCDEF") for _ in range(32)) for _ in range(3)]
    r1 = stats_round("supply", 1, guids, rng)
    r2 = cumulative_round2(r1, stats_round("supply", 2, guids, rng))
    reset = r2.players[1]
    assert reset.tab is not None
    reset = attrs.evolve(reset, tab=attrs.evolve(reset.tab, damage_given=0))  # below R1
    r2 = attrs.evolve(r2, players=(r2.players[0], reset, r2.players[2]))
    arts = [
        Artifact.from_bytes(
            render_stats_bytes(rnd),
            f"2026-01-01-00{h}00{STATS_DELAY_SECONDS}-supply-round-{rnd.round_number}.txt",
        )
        for h, rnd in ((0, r1), (1, r2))
    ]
    _ingest(store, arts)
    [r2_stored] = _by_number(store)[2]
    rows = _players(store, r2_stored.id)
    assert [row[-1] for row in rows] == ["round", "r2_as_written", "round"]
    assert rows[1][1:4] == (reset.kills, reset.deaths, 0)  # as written in the R2 file
    assert {w[-1] for w in _weapons(store, r2_stored.id) if w[0] == 1} == {"r2_as_written"}


def test_round_2_across_a_daylight_saving_change_pairs_in_store_and_engine(store: Storage) -> None:
    """Europe/Berlin springs forward at 01:00 UTC on 2026-03-29: an R1 written at 01:50 local
    (CET) and an R2 written 25 real minutes later at 03:15 local (CEST) are 85 minutes apart on
    the wall clock. The store pairs them on UTC, and the engine, given the server's timezone,
    reconciles the R2 against the same R1 (not as an orphan)."""
    spring = 1_774_746_000  # 2026-03-29 01:00:00 UTC
    arts, r2_only = round_pair_artifacts(
        map_name="supply",
        r1_end_unix=spring - 10 * 60 - 3,
        gap_seconds=25 * 60,
        rng=random.Random(9),
        timezone="Europe/Berlin",
    )
    assert "-015000-" in arts[0].name
    assert "-031500-" in arts[1].name
    _ingest(store, arts, timezone="Europe/Berlin")
    [r2] = _by_number(store)[2]
    assert r2.values_scope == "round"
    assert _players(store, r2.id) == _expected_players(r2_only, "round")
    [report] = [
        json.loads(row[4]) for row in store.table_rows("reconciliations") if row[0] == r2.id
    ]
    assert report["stats_r1"] == arts[0].name
