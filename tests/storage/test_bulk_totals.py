"""Bulk writes keep the running totals per batch (migration 0009 on SQLite): after any mix of
row-by-row writes, bulk rewrites of some rounds (all their lines, or only the weapon lines),
deletes and clears, ``player_totals`` and ``player_name_lines`` equal the plain aggregates; and
a season ingested in batches holds the same totals as one ingested file by file."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from tests.sessions.builders import Line, Rnd, clear, player_row
from tests.sessions.test_properties import FAST, evenings
from tests.sessions.test_totals_properties import (
    assert_fast_equals_plain,
    delete_some_then_clear,
    name_lines,
    running_totals,
    write_odd_rounds,
)

from etstats.ingest.pipeline import Pipeline
from etstats.storage.base import Row, Storage
from etstats.storage.testing import wipe
from etstats.testing.synthetic import season


def _rewritten(rid: int, lines: list[Line], bump: int) -> dict[str, list[Row]]:
    players = [
        player_row(
            rid,
            i,
            Line(ln.guid, ln.name, ln.team, kills=ln.kills + bump, weapons=ln.weapons),
            "round",
        )
        for i, ln in enumerate(lines)
    ]
    weapons = [(rid, i, *w, "round") for i, ln in enumerate(lines) for w in ln.weapons]
    return {"player_round_stats": players, "weapon_stats": weapons}


@FAST
@given(rounds=evenings(), data=st.data())
def test_bulk_rewrites_keep_the_totals(
    store: Storage, rounds: list[Rnd], data: st.DataObject
) -> None:
    odd, ids = write_odd_rounds(store, rounds, data)
    # one batch rewrites some rounds: fewer or other lines, or only their weapon lines
    chosen = data.draw(st.sets(st.sampled_from(sorted(ids)), max_size=len(ids)))
    batch: dict[int, dict[str, list[Row]]] = {}
    for k in sorted(chosen):
        lines = list(odd[k].lines)
        keep = data.draw(st.integers(0, len(lines)))
        rows = _rewritten(ids[k], lines[:keep], data.draw(st.integers(0, 3)))
        if data.draw(st.booleans()):
            rows = {"weapon_stats": [w for w in rows["weapon_stats"] if w[1] < keep // 2]}
        batch[ids[k]] = rows
    with store.transaction() as tx:
        tx.replace_many_round_rows(batch)
    assert_fast_equals_plain(store)
    # row-by-row writes and deletes still go through the triggers
    delete_some_then_clear(store, data, ids)


def test_batched_season_has_the_totals_of_one_by_one(store: Storage) -> None:
    arts = season(12, seed=3)
    one = Pipeline(store, reconcile=False)
    for a in arts:
        one.ingest(a)
    expected = (running_totals(store), name_lines(store, plain=False))
    assert expected[0]
    wipe(store)
    clear(store)
    # stats files first, then the rest: rounds are rewritten by later batches
    ordered = [a for a in arts if a.name.endswith(".txt") and "-ws" not in a.name]
    ordered += [a for a in arts if a not in ordered]
    Pipeline(store, batch_size=7, reconcile=False).ingest_many(ordered)
    assert (running_totals(store), name_lines(store, plain=False)) == expected
    assert_fast_equals_plain(store)
    Pipeline(store, reconcile=False).rebuild()
    assert (running_totals(store), name_lines(store, plain=False)) == expected
