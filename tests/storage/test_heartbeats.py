"""Heartbeats on SQLite and PostgreSQL: the newest kept, players seen remembered, the alert
episode stored, the last stored round joined, and the silence judged the same way."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs

from etstats.ingest.pipeline import Pipeline
from etstats.queries.heartbeats import server_silence
from etstats.storage.base import Storage
from etstats.testing.synthetic import season

T0 = 1_767_300_000


def beat(store: Storage, sent: int, players: int, received: int | None = None) -> bool:
    with store.transaction() as tx:
        return tx.record_heartbeat(
            "eu1",
            sent_unix=sent,
            received_unix=sent if received is None else received,
            players=players,
            map_name="supply",
        )


def test_the_newest_heartbeat_is_kept(store: Storage) -> None:
    assert beat(store, T0, 5)
    assert beat(store, T0 + 300, 0)
    assert not beat(store, T0 + 100, 7)  # a late retry of an older heartbeat
    [b] = store.heartbeats()
    assert (b.sent_unix, b.players, b.players_seen_unix) == (T0 + 300, 0, T0)
    assert (b.first_received_unix, b.last_round_unix, b.alert_key) == (T0, None, None)
    with store.transaction() as tx:
        tx.set_heartbeat_alert("eu1", "no-round:eu1:1")
    assert store.heartbeats()[0].alert_key == "no-round:eu1:1"


def test_silence_counts_from_the_last_stored_round(store: Storage) -> None:
    at = datetime.fromtimestamp(T0, UTC)
    arts = [attrs.evolve(a, server="eu1", received_at=at) for a in season(1)]
    Pipeline(store).ingest_many(arts)
    beat(store, T0 - 600, 4)  # the first heartbeat, before the round
    beat(store, T0 + 7300, 6)  # players two hours and more after the round
    [s] = server_silence(store, now_unix=T0 + 7400, hours=2)
    assert s.heartbeat.last_round_unix == T0
    assert s.silent
    assert s.hours_since_last_round == round(7400 / 3600, 2)
    [calm] = server_silence(store, now_unix=T0 + 7400, hours=3)
    assert not calm.silent
    store.clear_derived()  # rebuild: artifacts pending, no round stored for now
    assert store.heartbeats()[0].last_round_unix is None
