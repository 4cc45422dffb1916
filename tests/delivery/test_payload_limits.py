"""Hypothesis: every rendered payload stays within all of Discord's limits for arbitrary
rosters and Unicode names, and nothing is dropped on the way (long posts continue in more
messages)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from etstats.storage.base import StoredRound
from etstats_discord import limits
from etstats_discord.posts import (
    PlayerLine,
    combat_table,
    compact_table,
    render_round,
    support_table,
)
from etstats_discord.testing import form_errors

# names as game clients send them: colour codes, markdown, mentions, any Unicode
names = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
names |= st.sampled_from(
    [
        "^1Red^7Bob",
        "**bold**",
        "<@123456789012345678>",
        "@everyone",
        "`tick`",
        "||spoil||",
        "a" * 40,
        "名前テスト",
        "🙂" * 20,
        "\\",
        "^",
        "^^^",
        "\u200b",
    ]
)
counts = st.integers(min_value=0, max_value=10**6)
maybe = st.none() | counts
minutes = st.none() | st.floats(min_value=0, max_value=10**4, allow_nan=False)

players = st.builds(
    PlayerLine,
    name=names,
    team=st.integers(0, 3),
    kills=counts,
    deaths=counts,
    damage_given=maybe,
    damage_received=maybe,
    headshots=maybe,
    revives=maybe,
    gibs=maybe,
    played_minutes=minutes,
    dead_minutes=minutes,
    denied_seconds=maybe,
    hits=counts,
    shots=counts,
    multikills=st.dictionaries(st.integers(3, 6), st.integers(1, 50), max_size=4),
)


def _round(map_name: str) -> StoredRound:
    return StoredRound(
        id=1,
        server_id=1,
        map_name=map_name,
        round_number=2,
        round_start_unix=1_767_225_600,
        start_source="lua",
        winner_team=1,
        defender_team=2,
        time_limit_seconds=600,
        clock_seconds=431,
    )


def _check(messages: list[dict[str, Any]]) -> None:
    assert len(messages) >= 1
    for m in messages:
        assert limits.violations(m) == [], limits.violations(m)
        assert form_errors(m) == {}  # the fake Discord's independent check agrees
        assert m["allowed_mentions"] == {"parse": []}


@given(st.lists(players, max_size=80), names, st.lists(names, max_size=5), st.booleans())
def test_round_posts_stay_within_discords_limits(
    roster: list[PlayerLine], map_name: str, extra: list[str], compact: bool
) -> None:
    header = ["🕒 <t:1767225600:f>", *(limits.md(x) for x in extra)]
    messages = render_round(_round(map_name), roster, header, compact=compact)
    _check(messages)
    heads = {combat_table([])[0], support_table([])[0], compact_table([])[0]}
    lines = [
        line
        for m in messages
        for e in m["embeds"]
        for f in e.get("fields", [])
        if f["value"].startswith("```")
        for line in f["value"].split("\n")[1:-1]
    ]
    rows = [line for line in lines if line not in heads]
    assert len(rows) == len(roster) * (1 if compact else 2)  # every player, in every table


@given(
    st.text(max_size=9000),
    st.lists(st.tuples(st.text(min_size=1, max_size=300), st.text(max_size=3000)), max_size=60),
)
def test_pack_keeps_everything_within_limits(
    description: str, pairs: list[tuple[str, str]]
) -> None:
    fields = [
        f
        for name, value in pairs
        if name.strip()
        for f in limits.code_fields(name[:200].strip() or "x", value.splitlines() or ["-"])
    ]
    messages = limits.pack("title", description, fields, colour=1, footer="f")
    _check(messages)
    shown = [f["value"] for m in messages for e in m["embeds"] for f in e.get("fields", [])]
    assert [f["value"] for f in fields] == [v for v in shown if v in {f["value"] for f in fields}]


one_line = st.text(
    alphabet=st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1, max_size=1500
).filter(lambda t: t.strip())


@given(one_line, st.text(max_size=5000))
def test_pack_loses_no_part_of_a_long_title(title: str, description: str) -> None:
    messages = limits.pack(title, description, [], colour=1, footer="f")
    _check(messages)
    shown = messages[0]["embeds"][0]["title"]
    whole = title.strip()
    if len(whole) <= limits.TITLE:
        assert shown == whole
        return
    assert shown == whole[: limits.TITLE - 1] + "\u2026"  # cut for the title line...
    text = "".join(  # ...and whole at the head of the text
        part
        for m in messages
        for e in m["embeds"]
        for part in (e.get("description", ""), *(f["value"] for f in e.get("fields", [])))
    )
    assert text.replace("\n", "").startswith(whole.replace("\n", ""))
