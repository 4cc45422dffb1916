"""Hypothesis: the map-result and session-summary posts stay within every Discord limit for
arbitrary rosters, Unicode names and many maps and players, and nothing is cut silently:
every player, map, award and note of the data is in the messages (long posts continue in
more messages). Round posts and packing: tests/delivery/test_payload_limits.py."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.delivery.test_payload_limits import _check, names, players

from etstats.queries.types import (
    AwardCount,
    MapResult,
    PlayerRef,
    PlayerTotals,
    Session,
    SideRoster,
    StatTotals,
)
from etstats_discord import limits
from etstats_discord.mapresult import render_map, session_post

# map names: any Unicode, at most the engine's 64 (MAX_QPATH) characters
map_names = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=64)
counts = st.integers(min_value=0, max_value=10**6)
unix = st.integers(min_value=1_600_000_000, max_value=2_000_000_000)
seconds = st.none() | st.integers(min_value=0, max_value=4 * 3600)
refs = st.builds(PlayerRef, guid=st.text("0123456789ABCDEF", min_size=8, max_size=8), name=names)
sides = st.builds(
    SideRoster,
    label=st.sampled_from(["A", "B"]),
    players=st.lists(refs, max_size=20).map(tuple),
    substitutes=st.lists(refs, max_size=5).map(tuple),
)
maps = st.builds(
    MapResult,
    map_name=map_names,
    server=names,
    r1_round_id=st.none() | counts,
    r2_round_id=st.none() | counts,
    start_unix=unix,
    end_unix=unix,
    first_attack_team=st.none() | st.integers(1, 2),
    time_limit_seconds=seconds,
    r1_seconds=seconds,
    r1_full_hold=st.none() | st.booleans(),
    r2_seconds=seconds,
    r2_full_hold=st.none() | st.booleans(),
    outcome=st.sampled_from(["beaten", "held", "double_full_hold", "incomplete"]),
    winner=st.none() | st.sampled_from(["A", "B"]),
    side_a=sides,
    side_b=sides,
    header_winner=st.none() | st.sampled_from(["A", "B"]),
    notes=st.lists(st.text(max_size=300), max_size=8).map(tuple),
)
totals = st.builds(
    StatTotals,
    rounds=st.integers(0, 500),
    time_played_minutes=st.floats(0, 10**4, allow_nan=False),
    kills=counts,
    deaths=counts,
    damage_given=counts,
    revives_given=counts,
    hits=counts,
    shots=counts,
)
sessions = st.builds(
    Session,
    id=unix,
    server=names,
    start_unix=unix,
    end_unix=unix,
    gap_minutes=st.just(60.0),
    round_ids=st.lists(counts, max_size=60).map(tuple),
    maps=st.lists(maps, max_size=40).map(tuple),
    side_a=sides,
    side_b=sides,
    score_a=st.integers(0, 40),
    score_b=st.integers(0, 40),
    draws=st.integers(0, 40),
    players=st.lists(st.builds(PlayerTotals, player=refs, totals=totals), max_size=64).map(tuple),
    mvp=st.none() | refs,
    mvp_rule=st.text(max_size=120),
    awards=st.lists(
        st.builds(AwardCount, name=names, player_name=names, times=st.integers(1, 99)),
        max_size=50,
    ).map(tuple),
)
LIMITS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _text(messages: list[dict[str, Any]]) -> str:
    """Everything a reader sees, in order (titles, descriptions, field names and values)."""
    parts: list[str] = []
    for m in messages:
        for e in m["embeds"]:
            parts += [e.get("title", ""), e.get("description", "")]
            for f in e.get("fields", []):
                parts += [f["name"], f["value"]]
    return "\n".join(parts)


def _field_lines(messages: list[dict[str, Any]], prefix: str) -> list[str]:
    """The lines of every field whose name starts with ``prefix`` (code fences dropped)."""
    return [
        line
        for m in messages
        for e in m["embeds"]
        for f in e.get("fields", [])
        if f["name"].startswith(prefix)
        for line in f["value"].split("\n")
        if not line.startswith("```")
    ]


@LIMITS
@given(maps, st.lists(players, max_size=3), st.lists(players, max_size=3), st.booleans())
def test_map_results_stay_within_discords_limits(
    m: MapResult, r1: list[Any], r2: list[Any], compact: bool
) -> None:
    messages = render_map(m, r1, r2, compact=compact)
    _check(messages)
    text = _text(messages)
    assert limits.md(m.map_name) in messages[0]["embeds"][0]["title"]
    for note in m.notes:  # every note is shown (its store-id prefix aside)
        assert limits.md(note.split(": ", 1)[-1] if note.startswith("round ") else note) in text
    if not compact:
        for round_id, top in ((m.r1_round_id, r1), (m.r2_round_id, r2)):
            for p in top if round_id is not None else []:
                assert f"{limits.md(p.name)}: {p.kills} kills" in text


@LIMITS
@given(sessions, st.booleans())
def test_session_summaries_stay_within_discords_limits(s: Session, compact: bool) -> None:
    messages = session_post(None, s, compact=compact)  # type: ignore[arg-type]  # no store read
    _check(messages)
    text = _text(messages)
    mapped = _field_lines(messages, "Maps")
    assert len(mapped) == len(s.maps)  # every map, in order
    for line, m in zip(mapped, s.maps, strict=True):
        assert line.startswith(f"{limits.md(m.map_name)}: ")
    if s.mvp is not None:
        assert f"MVP: **{limits.md(s.mvp.name)}**" in text
    if not compact:
        rows = _field_lines(messages, "Players (by damage)")
        assert len(rows) == 1 + len(s.players)  # the header, then every player once
        awarded = _field_lines(messages, "Awards")
        assert len(awarded) == len(s.awards)


def test_a_big_evening_continues_in_more_messages() -> None:
    """64 players with long Unicode names, 40 maps and 50 awards: more than one message, each
    within the limits, nothing left out (the properties above, on one sure-to-overflow case)."""
    name = "^1名前🙂**x**_" * 3
    ref = [PlayerRef(f"{i:08X}", f"{name}{i}") for i in range(64)]
    side = SideRoster("A", tuple(ref[:20]))
    m = MapResult(
        "etl_adlernest_" + "🙂" * 40,
        "eu1",
        1,
        2,
        1_767_225_600,
        1_767_226_600,
        1,
        600,
        431,
        False,
        300,
        False,
        "beaten",
        "B",
        side,
        side,
        "B",
        ("round 12: " + "note " * 50,),
    )
    s = Session(
        1_767_225_600,
        "eu1",
        1_767_225_600,
        1_767_240_000,
        60.0,
        tuple(range(80)),
        (m,) * 40,
        side,
        side,
        20,
        19,
        1,
        tuple(
            PlayerTotals(
                r,
                StatTotals(rounds=80, kills=999_999, damage_given=10**6, time_played_minutes=600.0),
            )
            for r in ref
        ),
        ref[0],
        "highest DPM; ties by kills",
        tuple(AwardCount(f"Award {i} {name}", ref[i].name, 99) for i in range(50)),
    )
    messages = session_post(None, s)  # type: ignore[arg-type]  # no store read
    assert len(messages) > 1
    _check(messages)
    assert len(_field_lines(messages, "Maps")) == 40
    assert len(_field_lines(messages, "Players (by damage)")) == 65
    assert len(_field_lines(messages, "Awards")) == 50
