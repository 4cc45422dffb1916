"""A batch's linking reads, made once for the batch (:mod:`etstats.ingest.batch_reads`):
every answer equals the store's, before and after the writes linking makes, and a batch
reads each neighbourhood's artifacts and rounds without a statement per neighbourhood."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import examples

from etstats.ingest.batch_reads import BatchReads, merge_windows
from etstats.ingest.pipeline import Pipeline
from etstats.storage.base import ROUND_COLUMNS, ArtifactRecord, Storage, StorageTx, StoredRound
from etstats.storage.sql import SqlTx
from etstats.storage.sqlite import SQLiteStorage
from etstats.storage.testing import wipe
from etstats.testing.synthetic import season

ARTS = season(10)
WINDOW = 45 * 60


class _Rollback(Exception):
    """Leaves the transaction without keeping what the test wrote."""


def _reads_agree(view: BatchReads, tx: StorageTx, groups: list[tuple[int, str, int]]) -> None:
    """Every read the view answers is the store's answer (the windows it fetched and
    beyond)."""
    records = [r for g in groups for r in tx.group_artifacts(*g, -(2**40), 2**40)]
    for s, m, n in groups:
        for r in records[:6]:
            a = r.anchor_unix or 0
            for lo, hi in ((a - 180, a + 180), (a - 60, a), (a - 400, a + 900)):
                assert view.group_artifacts(s, m, n, lo, hi) == tx.group_artifacts(s, m, n, lo, hi)
                assert view.stats_rounds_between(s, m, n, lo, hi) == tx.stats_rounds_between(
                    s, m, n, lo, hi
                )
            lo, hi = a - WINDOW, a - 1
            assert view.stats_rounds_between(s, m, 1, lo, hi) == tx.stats_rounds_between(
                s, m, 1, lo, hi
            )
    shas = [r.sha256 for r in records]
    for i in range(len(shas)):
        some = shas[i : i + 3]
        assert view.rounds_with_artifacts(some) == tx.rounds_with_artifacts(some)
        assert view.get_artifact(shas[i]) == tx.get_artifact(shas[i])


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_answers_are_the_stores_through_writes(store: Storage, data: st.DataObject) -> None:
    wipe(store)
    stored = data.draw(st.integers(4, len(ARTS)))
    Pipeline(store, batch_size=data.draw(st.integers(1, 40))).ingest_many(ARTS[:stored])
    records = [r for r in store.artifacts() if r.status == "accepted"]
    facts = [
        (r.server_id, str(r.map_name), int(r.round_number or 0), r.anchor_unix or 0)
        for r in records
    ]
    anchors = data.draw(st.lists(st.sampled_from(facts), min_size=1, max_size=8))
    shift = data.draw(st.integers(-600, 600))
    anchors = [(s, m, n, a + shift) for s, m, n, a in anchors]
    groups = sorted({(s, m, n) for s, m, n, _ in facts})
    rounds = store.rounds()
    with pytest.raises(_Rollback):
        _write_and_check(store, data, anchors, groups, records, rounds)


def _write_and_check(
    store: Storage,
    data: st.DataObject,
    anchors: list[tuple[int, str, int, int]],
    groups: list[tuple[int, str, int]],
    records: list[ArtifactRecord],
    rounds: list[StoredRound],
) -> None:
    """Random writes through the view; after each, every read agrees with the store.
    Raises :class:`_Rollback` at the end (nothing is kept)."""
    with store.transaction() as tx:
        view = BatchReads(tx, anchors, WINDOW)
        _reads_agree(view, tx, groups)
        for step in range(data.draw(st.integers(1, 6))):
            op = data.draw(st.sampled_from(["note", "scope", "clear", "save", "move", "delete"]))
            rnd = data.draw(st.sampled_from(rounds))
            if op == "note":
                view.set_link_note(data.draw(st.sampled_from(records)).sha256, "a note")
            elif op == "scope":
                view.set_round_scope(rnd.id, "cumulative_r1_r2", None)
            elif op == "clear":
                view.clear_round_links([rnd.id])
            elif op == "delete":
                view.delete_rounds([rnd.id])
                rounds = [r for r in rounds if r.id != rnd.id]
                if not rounds:
                    break
            else:  # save: the same round as an update, or a copy without artifacts
                values: dict[str, Any] = {c: getattr(rnd, c) for c in ROUND_COLUMNS}
                values["r1_round_id"] = None
                if op == "move" and rnd.stats_file_unix is not None:
                    values["stats_file_unix"] = rnd.stats_file_unix + data.draw(
                        st.integers(-3000, 3000)
                    )
                    view.save_round(rnd.id, values)
                else:
                    values.update(stats_sha256=None, lua_sha256=None, endstats_sha256=None)
                    values["round_start_unix"] = 2**31 - step  # a key no other round has
                    new = view.save_round(None, values)
                    rounds.append(next(r for r in tx.rounds_by_id([new])))
            _reads_agree(view, tx, groups)
        raise _Rollback


def test_windows_merge_per_group() -> None:
    g, h = (1, "supply", 1), (1, "supply", 2)
    spans = [(g, 10, 20), (g, 21, 30), (g, 50, 60), (h, 0, 5), (g, 15, 18)]
    assert merge_windows(spans) == {g: [(10, 30), (50, 60)], h: [(0, 5)]}


def test_a_batch_reads_without_a_statement_per_neighbourhood(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-neighbourhood reads never reach the store in a batch; a single arrival
    (``watch``, ``serve``) still reads its own neighbourhood (an indexed, bounded query)."""
    calls: dict[str, int] = {}
    for name in ("group_artifacts", "rounds_with_artifacts", "stats_rounds_between"):
        real = getattr(SqlTx, name)

        def counted(self: SqlTx, *args: Any, _real: Any = real, _name: str = name) -> Any:
            calls[_name] = calls.get(_name, 0) + 1
            return _real(self, *args)

        monkeypatch.setattr(SqlTx, name, counted)
    batched = SQLiteStorage(str(tmp_path / "batched.db"))
    summary = Pipeline(batched, batch_size=len(ARTS)).ingest_many(ARTS)
    assert summary.count("stored") == len(ARTS)
    assert len(batched.rounds()) == 10
    assert calls == {"rounds_with_artifacts": 1}  # the batch's one read of all its rounds
    single = SQLiteStorage(str(tmp_path / "single.db"))
    Pipeline(single).ingest(ARTS[0])
    assert calls["group_artifacts"] >= 1
    assert calls["rounds_with_artifacts"] == 2
