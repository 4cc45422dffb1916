"""The webhook sender against the fake Discord on 127.0.0.1, driven by a fake clock."""

from __future__ import annotations

from typing import Any

import pytest
from tests.delivery.conftest import FakeClock

from etstats.errors import EtStatsError
from etstats_discord.errors import AmbiguousSend, PayloadRejected, TargetGone, Unavailable
from etstats_discord.sender import RateState, WebhookSender
from etstats_discord.testing import FakeDiscord


def msg(text: str = "hi") -> dict[str, Any]:
    return {"content": text, "allowed_mentions": {"parse": []}}


def sender(
    fake: FakeDiscord,
    clock: FakeClock,
    url: str | None = None,
    *,
    rate: RateState | None = None,
    budget: float = 30.0,
) -> WebhookSender:
    return WebhookSender(
        url or fake.add_webhook(),
        clock=clock,
        sleep=clock.sleep,
        rate=rate or RateState(),
        budget_seconds=budget,
        timeout=0.2,
        bot_token=fake.bot_token,
    )


def test_paces_to_the_rate_limit_headers_and_is_never_limited(
    fake: FakeDiscord, clock: FakeClock
) -> None:
    s = sender(fake, clock)
    for i in range(20):
        s.execute(msg(str(i)))
    assert len(fake.live()) == 20
    assert fake.rate_limited == 0  # it waited for the bucket instead of hitting 429s
    assert clock.slept >= 3 * 2.0 - 0.01  # 20 requests at 5 per 2 s need 3 full waits
    assert [m["content"] for m in fake.live()] == [str(i) for i in range(20)]


@pytest.mark.parametrize("fault", ["429", "429-shared", "500", "502"])
def test_retryable_answers_are_retried_and_post_once(
    fake: FakeDiscord, clock: FakeClock, fault: str
) -> None:
    s = sender(fake, clock)
    fake.fail(fault, fault)
    answer = s.execute(msg())
    assert len(fake.live()) == 1
    assert answer["id"] == fake.live()[0]["id"]
    assert clock.slept > 0  # it waited (retry_after or backoff) before retrying


def test_a_global_429_pauses_every_webhook_of_the_process(
    fake: FakeDiscord, clock: FakeClock
) -> None:
    rate = RateState()
    a, b = sender(fake, clock, rate=rate), sender(fake, clock, rate=rate)
    fake.fail("429-global")
    a.execute(msg("a"))
    assert rate.global_until > 0
    before = clock.slept
    rate.global_until = clock() + 5.0  # as if the global limit still held
    b.execute(msg("b"))
    assert clock.slept - before >= 5.0
    assert len(fake.live()) == 2


def test_a_429_without_via_is_not_retried(fake: FakeDiscord, clock: FakeClock) -> None:
    s = sender(fake, clock)
    fake.fail("429-novia")
    with pytest.raises(Unavailable, match="Cloudflare"):
        s.execute(msg())
    assert fake.live() == []


def test_server_errors_give_up_within_the_time_budget(fake: FakeDiscord, clock: FakeClock) -> None:
    s = sender(fake, clock, budget=20.0)
    fake.fail(*["500"] * 50)
    with pytest.raises(Unavailable, match="server error 500"):
        s.execute(msg())
    assert clock.slept <= 20.0
    assert 3 <= s.requests < 50
    assert isinstance(Unavailable("x"), EtStatsError)


@pytest.mark.parametrize("fault", ["hang", "drop-before", "drop-after"])
def test_a_create_without_an_answer_is_ambiguous_and_not_resent(
    fake: FakeDiscord, clock: FakeClock, fault: str
) -> None:
    s = sender(fake, clock)
    fake.fail(fault)
    since = clock()
    with pytest.raises(AmbiguousSend):
        s.execute(msg())
    assert s.requests == 1  # never re-sent blindly
    created = len(fake.live())
    assert created == (1 if fault == "drop-after" else 0)
    found = s.recent_messages(since - 1)
    assert found is not None
    assert len(found) == created


def test_an_edit_without_an_answer_is_retried(fake: FakeDiscord, clock: FakeClock) -> None:
    s = sender(fake, clock)
    mid = s.execute(msg("one"))["id"]
    fake.fail("drop-after", "hang")
    s.edit(mid, msg("two"))
    assert [m["content"] for m in fake.live()] == ["two"]


def test_unknown_webhook_and_bad_body_are_permanent(fake: FakeDiscord, clock: FakeClock) -> None:
    url = fake.add_webhook()
    s = sender(fake, clock, url)
    fake.delete_webhook(url)
    with pytest.raises(TargetGone) as gone:
        s.execute(msg())
    assert gone.value.code == 10015
    assert s.requests == 1
    s2 = sender(fake, clock)
    fake.fail("400")
    with pytest.raises(PayloadRejected) as bad:
        s2.execute(msg())
    assert bad.value.code == 50035
    assert bad.value.path == "embeds.0.description"


def test_the_fake_enforces_discords_limits(fake: FakeDiscord, clock: FakeClock) -> None:
    s = sender(fake, clock)
    with pytest.raises(PayloadRejected) as bad:
        s.execute({"embeds": [{"title": "x" * 257}], "allowed_mentions": {"parse": []}})
    assert bad.value.path == "embeds.0.title"
    fields = [{"name": "n", "value": "v" * 1000} for _ in range(7)]
    with pytest.raises(PayloadRejected, match="embeds"):
        s.execute({"embeds": [{"title": "t", "fields": fields}]})


def test_the_token_never_shows(fake: FakeDiscord, clock: FakeClock) -> None:
    url = fake.add_webhook(token="s3cr3t-token-value")  # noqa: S106 - a fake's token
    s = sender(fake, clock, url)
    fake.delete_webhook(url)
    with pytest.raises(TargetGone) as gone:
        s.execute(msg())
    assert "s3cr3t" not in str(gone.value)
    assert "s3cr3t" not in repr(s)
