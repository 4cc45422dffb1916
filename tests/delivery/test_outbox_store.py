"""The outbox statements on SQLite and PostgreSQL: idempotency keys, generations, targets."""

from __future__ import annotations

from etstats.storage.base import Storage


def test_enqueue_is_idempotent_by_any_key_and_bumps_the_generation(store: Storage) -> None:
    with store.transaction() as tx:
        a = tx.outbox_enqueue("pub", "round", 1, ["sha:a"], "round:1", 100)
        b = tx.outbox_enqueue("pub", "round", 1, ["sha:b", "sha:a"], "round:7", 101)
        other_kind = tx.outbox_enqueue("pub", "map", 1, ["sha:a"], "round:1", 102)
        other_target = tx.outbox_enqueue("adm", "round", 1, ["sha:b"], "round:1", 103)
        new_renderer = tx.outbox_enqueue("pub", "round", 2, ["sha:a"], "round:1", 104)
    assert a == b
    assert len({a, other_kind, other_target, new_renderer}) == 4
    with store.transaction() as tx:
        row = tx.outbox_get(a)
        assert (row.generation, row.ref, row.state) == (2, "round:7", "pending")
        assert tx.outbox_keys(a) == ["sha:a", "sha:b"]
        assert tx.outbox_lookup("pub", "round", 1, ["sha:zz", "sha:b"]).id == a
        assert [e.id for e in tx.outbox_find(None, "sha:b")] == sorted([a, other_target])
        assert [e.id for e in tx.outbox_find("adm", "sha:b")] == [other_target]


def test_finish_defer_disable_and_counts(store: Storage) -> None:
    with store.transaction() as tx:
        a = tx.outbox_enqueue("pub", "round", 1, ["sha:a"], "round:1", 100)
        b = tx.outbox_enqueue("pub", "round", 1, ["sha:b"], "round:2", 100)
        tx.outbox_finish(a, 1, 101, message_ids='["9"]', fingerprint="f")
        tx.outbox_enqueue("pub", "round", 1, ["sha:b"], "round:2", 102)  # newer data for b
        tx.outbox_finish(b, 1, 103, message_ids='["8"]', fingerprint="g")  # shows gen 1 of 2
        tx.outbox_defer_target("pub", 500.5)
    with store.transaction() as tx:
        assert tx.outbox_get(a).state == "sent"
        assert tx.outbox_get(b).state == "pending"  # generation 2 still waits
        assert tx.outbox_due("pub", 500.0) == []
        assert [e.id for e in tx.outbox_due("pub", 501.0)] == [b]
        assert tx.outbox_next_due("pub") == 500.5
        assert tx.outbox_counts() == {("pub", "pending"): 1, ("pub", "sent"): 1}
        tx.set_target_disabled("pub", "404 Unknown Webhook", 600)
        tx.outbox_update(b, 600, state="disabled")
    with store.transaction() as tx:
        assert tx.target_disabled("pub") == "404 Unknown Webhook"
        tx.set_target_disabled("pub", None, 700)
    with store.transaction() as tx:
        assert tx.target_disabled("pub") is None
        assert tx.outbox_get(b).state == "pending"


def test_rebuild_keeps_the_outbox(store: Storage) -> None:
    with store.transaction() as tx:
        tx.outbox_enqueue("pub", "round", 1, ["sha:a"], "round:1", 100)
    store.clear_derived()
    with store.transaction() as tx:
        assert tx.outbox_counts() == {("pub", "pending"): 1}
