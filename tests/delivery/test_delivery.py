"""Exactly-once delivery through the outbox, on SQLite and PostgreSQL, against the fake
Discord: one message per round, edited in place as data arrives, nothing new on re-ingest,
rebuild or reverse order, and nothing lost across an outage."""

from __future__ import annotations

import json

from tests.delivery.conftest import FakeClock
from tests.delivery.support import drain, ingest, make_sink, target

from etstats.ingest.pipeline import Pipeline
from etstats.ingest.synthetic import season
from etstats.storage.base import Storage
from etstats_discord.testing import FakeDiscord


def titles(fake: FakeDiscord) -> list[str]:
    return sorted(m["embeds"][0]["title"] for m in fake.live())


def test_one_message_per_round_and_map_even_when_reingested(
    store: Storage, fake: FakeDiscord, clock: FakeClock
) -> None:
    sink = make_sink(fake, clock)
    arts = list(season(4))
    ingest(store, arts, target(sink))
    drain(store, clock, sink)
    rounds = len(store.rounds())
    assert rounds == 4
    # 4 round posts + 2 map results (each round 2 completes a map) + the closed session
    assert len(fake.live()) == 7
    assert sum(t.endswith("map result") for t in titles(fake)) == 2
    assert sum(t.startswith("Session on") for t in titles(fake)) == 1
    assert all(m["allowed_mentions"] == {"parse": []} for m in fake.live())
    before = {m["id"]: m["edits"] for m in fake.live()}
    ingest(store, arts, target(sink))  # the same files again
    Pipeline(store, deliver=[target(sink)]).rebuild()  # new round ids, same rounds
    report = drain(store, clock, sink)
    assert {m["id"]: m["edits"] for m in fake.live()} == before  # no post, no edit
    assert report.shown >= 4  # rows were touched by rebuild and found unchanged
    assert fake.rate_limited == 0


def test_reverse_order_posts_the_same_as_forward(
    store: Storage, fake: FakeDiscord, clock: FakeClock
) -> None:
    sink = make_sink(fake, clock)
    arts = list(season(4))
    for art in reversed(arts):  # drain after every file: the worst case for duplicates
        ingest(store, [art], target(sink))
        drain(store, clock, sink)
    assert len(fake.live()) == 7
    with store.transaction() as tx:
        counts = tx.outbox_counts()
    assert counts == {("public", "sent"): 7}


def test_later_data_edits_the_message_in_place(
    store: Storage, fake: FakeDiscord, clock: FakeClock
) -> None:
    sink = make_sink(fake, clock, kinds=("round",))
    stats, lua, endstats = list(season(1))
    ingest(store, [stats], target(sink))
    drain(store, clock, sink)
    [first] = fake.live()
    assert "stats file" in first["embeds"][0]["description"]
    ingest(store, [lua, endstats], target(sink))
    drain(store, clock, sink)
    [after] = fake.live()
    assert after["id"] == first["id"]
    assert after["edits"] >= 1
    assert "Lua timing" in after["embeds"][0]["description"]


def test_an_outage_loses_nothing_and_posts_once(
    store: Storage, fake: FakeDiscord, clock: FakeClock
) -> None:
    sink = make_sink(fake, clock)
    fake.outage = True
    ingest(store, season(4), target(sink))
    report = drain(store, clock, sink, passes=3)
    assert report.shown == 0
    assert report.retried > 0
    assert fake.live() == []
    clock.advance(3 * 3600)  # hours later Discord is back
    fake.outage = False
    drain(store, clock, sink)
    assert len(fake.live()) == 7


def test_a_deleted_webhook_disables_the_target_and_alerts_the_admins(
    store: Storage, fake: FakeDiscord, clock: FakeClock
) -> None:
    url = fake.add_webhook(channel_id="1")
    public = make_sink(fake, clock, url=url)
    admin = make_sink(fake, clock, name="admin", kinds=(), alerts=True)
    fake.delete_webhook(url)
    ingest(store, season(2), target(public), target(admin))
    drain(store, clock, public, admin)
    requests_to_public = [r for r in fake.requests if url.split("/")[-2] in r[1]]
    assert len(requests_to_public) == 1  # never loops on a 404
    [alert] = fake.live()
    assert "public was disabled" in alert["content"]
    assert alert["allowed_mentions"] == {"parse": []}
    with store.transaction() as tx:
        assert tx.target_disabled("public") is not None


def test_a_rejected_post_is_sent_once_in_the_compact_shape(
    store: Storage, fake: FakeDiscord, clock: FakeClock
) -> None:
    sink = make_sink(fake, clock, kinds=("round",))
    admin = make_sink(fake, clock, name="admin", kinds=(), alerts=True)
    fake.fail("400")
    ingest(store, list(season(1))[:1], target(sink), target(admin))
    drain(store, clock, sink, admin)
    posts = [m for m in fake.live() if m["embeds"]]
    assert len(posts) == 1
    assert all("combat" not in f["name"] for f in posts[0]["embeds"][0]["fields"])
    assert any("compact shape" in m["content"] for m in fake.live() if not m["embeds"])


def test_an_interrupted_create_is_reconciled_to_one_message(
    store: Storage, fake: FakeDiscord, clock: FakeClock
) -> None:
    sink = make_sink(fake, clock, kinds=("round",))
    fake.fail("drop-after")  # Discord stores the message, the answer is lost
    ingest(store, list(season(1))[:1], target(sink))
    drain(store, clock, sink)
    assert len(fake.live()) == 1
    with store.transaction() as tx:
        [entry] = tx.outbox_due("public", 1e12) or [tx.outbox_get(1)]
    assert entry is not None
    assert entry.state == "sent"
    assert json.loads(entry.message_ids) == [fake.live()[0]["id"]]


def test_without_a_bot_token_a_possible_duplicate_is_reported(
    store: Storage, fake: FakeDiscord, clock: FakeClock
) -> None:
    sink = make_sink(fake, clock, kinds=("round",), token=False)
    admin = make_sink(fake, clock, name="admin", kinds=(), alerts=True)
    fake.fail("drop-after")
    ingest(store, list(season(1))[:1], target(sink), target(admin))
    drain(store, clock, sink, admin)
    assert sum(1 for m in fake.live() if m["embeds"]) == 2  # at-least-once, and said so
    assert any("may have been posted twice" in m["content"] for m in fake.live())


def test_the_session_summary_waits_for_the_session_to_close(
    store: Storage, fake: FakeDiscord, clock: FakeClock
) -> None:
    start = int(clock()) - 1800  # the evening began half an hour ago
    sink = make_sink(fake, clock, kinds=("session",))
    ingest(store, season(2, start_unix=start), target(sink))
    drain(store, clock, sink)
    assert fake.live() == []  # still open: another map may come
    clock.advance(3600)
    drain(store, clock, sink)
    [summary] = fake.live()
    text = json.dumps(summary["embeds"])
    assert summary["embeds"][0]["title"].startswith("Session on")
    assert "Score" in text
    assert "MVP" in text
    assert "<t:" in text
