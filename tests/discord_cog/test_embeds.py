"""Embeds stay within Discord's limits whatever the data, and player names show as written."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from etstats_discord import embeds
from etstats_discord.embeds import LIMITS, escape_markdown, make_embed, unescape_markdown
from etstats_discord.queries import (
    PlayerCandidate,
    PlayerLookup,
    PlayerTotals,
    RoundLine,
    Scoreboard,
    ScoreLine,
)
from etstats_discord.reconcile_summary import Issue, ReconcileSummary

MARKDOWN = "*_`|~>\\#[]"
names = st.text(alphabet=st.sampled_from(MARKDOWN) | st.characters(codec="utf-8"), max_size=80)
long_text = st.text(max_size=7000)


def within_limits(embed: dict[str, Any]) -> None:
    fields = embed.get("fields", [])
    assert len(embed["title"]) <= LIMITS["title"]
    assert len(embed.get("description", "")) <= LIMITS["description"]
    assert len(fields) <= LIMITS["fields"]
    for f in fields:
        assert 0 < len(f["name"]) <= LIMITS["field_name"]
        assert 0 < len(f["value"]) <= LIMITS["field_value"]
    total = (
        len(embed["title"])
        + len(embed.get("description", ""))
        + len(embed.get("footer", {}).get("text", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
    )
    assert total <= LIMITS["total"]


def unescaped_specials(text: str) -> list[str]:
    """Markdown characters not neutralised by a backslash."""
    return [c for c in re.sub(r"\\.", "", text, flags=re.S) if c in MARKDOWN]


@given(names)
def test_escaping_round_trips_and_neutralises_markdown(name: str) -> None:
    escaped = escape_markdown(name)
    assert unescape_markdown(escaped) == name
    assert unescaped_specials(escaped) == []


@given(names, st.integers(min_value=1, max_value=120))
def test_truncating_escaped_text_never_breaks_an_escape(name: str, limit: int) -> None:
    escaped = escape_markdown(name)
    cut = embeds.truncate(escaped, limit)
    assert len(cut) <= limit
    if cut == escaped:
        return
    assert cut.endswith("…")
    kept = cut[:-1]
    assert unescaped_specials(kept) == []
    assert name.startswith(unescape_markdown(kept))


@given(
    long_text,
    long_text,
    st.lists(st.tuples(long_text, long_text), max_size=40),
    st.none() | long_text,
)
def test_any_embed_fits_discord_limits(
    title: str, description: str, fields: list[tuple[str, str]], footer: str | None
) -> None:
    embed = make_embed(title, description, fields, footer=footer)
    within_limits(embed)
    out = embed.get("fields", [])
    if out and out[-1]["value"].startswith("…and "):
        hidden = int(out[-1]["value"].split()[1])
        assert len(out) - 1 + hidden == len(fields)  # shown + "…and N more" == given
    else:
        assert len(out) == len(fields)


def test_twenty_five_fields_fit_and_the_rest_is_counted() -> None:
    assert len(make_embed("t", fields=[("n", "v")] * 25)["fields"]) == 25
    embed = make_embed("t", fields=[("n", "v")] * 60)
    assert len(embed["fields"]) == 25
    assert embed["fields"][-1]["value"] == "…and 36 more"


def _player(name: str, kills: int, dead: float | None = 1.4) -> ScoreLine:
    return ScoreLine(
        name=name,
        guid="ABCD1234",
        team="Axis",
        kills=kills,
        deaths=3,
        damage_given=1200,
        time_played_minutes=10.0,
        time_dead_minutes=dead,
        values_scope="round",
    )


ROUND = RoundLine(
    round_id=7,
    map_name="etl_sp_delivery",
    round_number=2,
    start_unix=1716157064,
    start_source="stats-file-name",
    winner="Allies",
    players=2,
    sources=("stats", "lua"),
    values_scope="round",
)


@given(st.lists(names, min_size=1, max_size=64))
def test_scoreboards_of_any_size_fit_and_show_names_as_written(players: list[str]) -> None:
    board = Scoreboard(
        round=ROUND, sort="kills", players=tuple(_player(n, k) for k, n in enumerate(players))
    )
    embed = embeds.scoreboard_embed(board)
    within_limits(embed)
    for field, name in zip(embed["fields"], players, strict=False):
        if field["name"].startswith("…") or field["name"].endswith("…"):
            break
        shown = re.fullmatch(r"\d+\. (.*) \(Axis\)", field["name"], flags=re.S)
        assert shown is not None
        assert unescape_markdown(shown.group(1)) == re.sub(r"[\x00-\x1f\x7f]", " ", name)
        assert unescaped_specials(shown.group(1)) == []


def test_scoreboard_states_minutes_and_seconds() -> None:
    embed = embeds.scoreboard_embed(
        Scoreboard(
            round=ROUND, sort="kills", players=(_player("a*b_", 9, 8.7), _player("x", 1, None))
        )
    )
    assert embed["title"] == "#7 etl\\_sp\\_delivery round 2"
    assert "2024-05-19 22:17:44 UTC" in embed["description"]
    assert "winner Allies" in embed["description"]
    first, second = embed["fields"]
    assert first["name"] == "1. a\\*b\\_ (Axis)"
    assert "dead 8.7 min (522 s)" in first["value"]
    assert "played 10.0 min (600 s)" in first["value"]
    assert "kills 9 · deaths 3 · damage 1200" in first["value"]
    assert "dead n/a" in second["value"]


def test_player_embeds() -> None:
    totals = PlayerTotals(
        guid="ABCD1234",
        names=("|>pro<|", "pro"),
        rounds=3,
        kills=30,
        deaths=12,
        damage_given=9000,
        time_played_minutes=30.5,
        time_dead_minutes=6.5,
        cumulative_rows=1,
        first_unix=0,
        last_unix=60,
    )
    embed = embeds.player_embed(PlayerLookup("pro", "name", totals=totals))
    assert embed["title"] == "\\|\\>pro<\\|"
    values = {f["name"]: f["value"] for f in embed["fields"]}
    assert values["Kills / deaths"] == "30 / 12 (K/D 2.50)"
    assert values["Time dead"] == "6.5 min (390 s)"
    assert values["Time played"] == "30.5 min (1830 s)"
    assert "1 line(s) hold R1+R2 totals" in values["Note"]
    cands = (PlayerCandidate("AAAA0000", ("pro",), 2), PlayerCandidate("BBBB1111", ("pro_2",), 1))
    many = PlayerLookup("pro", "name", candidates=cands)
    embed = embeds.player_embed(many)
    assert embed["title"] == "2 players match pro"
    assert [f["name"] for f in embed["fields"]] == ["AAAA0000", "BBBB1111"]
    assert embed["fields"][1]["value"] == "pro\\_2 · 1 round(s)"
    assert embeds.player_embed(PlayerLookup("zz", None))["title"] == "Player not found"


def test_reconcile_embed_is_coloured_by_verdict_and_lists_causes() -> None:
    causes = ("pause-overlap", "team-switch")
    issues = tuple(
        Issue(
            check="dead-time",
            verdict="conflict",
            player=f"p_{i}",
            difference=84.0,
            unit="s",
            causes=causes,
        )
        for i in range(40)
    )
    summary = ReconcileSummary(
        round=ROUND,
        artifacts=("a-round-2.txt",),
        verdict="conflict",
        counts={"agree": 3, "conflict": 40},
        issues=issues,
        stored_verdict="conflict",
    )
    embed = embeds.reconcile_embed(summary)
    within_limits(embed)
    assert embed["color"] == embeds.COLOURS["conflict"]
    assert "verdict **conflict** (agree 3, conflict 40)" in embed["description"]
    assert embed["fields"][0] == {
        "name": "conflict · dead-time · p\\_0",
        "inline": False,
        "value": "difference +84.0 s; causes: pause-overlap, team-switch",
    }
    assert embed["fields"][-1]["value"] == "…and 16 more"
