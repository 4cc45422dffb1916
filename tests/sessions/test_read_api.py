"""The typed read API on both stores: map results, sessions, careers, identity, ladders."""

from __future__ import annotations

import attrs
import pytest
from tests.sessions.builders import Line, Rnd, write_rounds

from etstats.queries import UnknownStatistic, Window
from etstats.storage.base import Storage

T0 = 1_760_000_000
A1, A2, B1, B2, B3 = "AAAA0001", "AAAA0002", "BBBB0001", "BBBB0002", "BBBB0003"


def lines(a_team: int, *, sub: bool = False, dmg: int = 1000) -> tuple[Line, ...]:
    b_team = 3 - a_team
    b2 = (B3, "echo") if sub else (B2, "delta")
    return (
        Line(
            A1,
            "alpha",
            a_team,
            kills=10,
            deaths=5,
            damage_given=dmg,
            gibs=2,
            weapons=((3, 10, 40, 5, 2, 3), (8, 5, 10, 5, 1, 0)),
        ),
        Line(A2, "bravo", a_team, kills=4, deaths=8, damage_given=600, time_played_minutes=5.0),
        Line(
            B1,
            "charlie",
            b_team,
            kills=7,
            deaths=6,
            damage_given=1500,
            revives_given=3,
            weapons=((3, 20, 50, 7, 4, 6),),
        ),
        Line(b2[0], b2[1], b_team, kills=2, deaths=4, damage_given=300),
    )


def evening() -> list[Rnd]:
    """Three maps, then a second session 61 minutes after the last round."""
    return [
        # supply: A attacks (team 2, defender 1) in 5:00, B beats it in 4:10
        Rnd("supply", 1, T0, lines(2), end_unix=T0 + 300, winner=2, clock_seconds=300),
        Rnd(
            "supply",
            2,
            T0 + 600,
            lines(1),
            end_unix=T0 + 850,
            winner=2,
            limit_seconds=300,
            clock_seconds=250,
            pair_with=0,
        ),
        # radar: B attacks first (A is on the defending team 1); full hold, then full hold
        Rnd("radar", 1, T0 + 1200, lines(1), end_unix=T0 + 1800, winner=1, clock_seconds=600),
        Rnd(
            "radar",
            2,
            T0 + 2000,
            lines(2),
            end_unix=T0 + 2600,
            winner=1,
            limit_seconds=600,
            clock_seconds=600,
            pair_with=2,
        ),
        # goldrush: A attacks in 6:00, B fails (echo subs for delta)
        Rnd("goldrush", 1, T0 + 3000, lines(2), end_unix=T0 + 3360, winner=2, clock_seconds=360),
        Rnd(
            "goldrush",
            2,
            T0 + 3600,
            lines(1, sub=True),
            end_unix=T0 + 3960,
            winner=1,
            limit_seconds=360,
            clock_seconds=360,
            pair_with=4,
        ),
        # next session: an orphan round 2 61 minutes later
        Rnd(
            "supply",
            2,
            T0 + 3960 + 3660,
            lines(1, dmg=5000),
            winner=2,
            limit_seconds=300,
            clock_seconds=200,
            scope="cumulative_r1_r2",
        ),
    ]


@pytest.fixture
def filled(store: Storage) -> Storage:
    write_rounds(store, evening())
    return store


def test_map_results_follow_the_stopwatch_rules(filled: Storage) -> None:
    session = filled.session(T0)
    assert session is not None
    got = [
        (m.map_name, m.outcome, m.winner, m.header_winner, m.r1_seconds, m.r2_seconds)
        for m in session.maps
    ]
    assert got == [
        ("supply", "beaten", "B", "B", 300, 250),
        ("radar", "double_full_hold", None, "A", 600, None),
        ("goldrush", "held", "A", "A", 360, None),
    ]
    supply = session.maps[0]
    assert [p.guid for p in supply.side_a.players] == [A1, A2]
    assert supply.first_attack_team == 2
    assert any("double full hold" in n for n in session.maps[1].notes)
    # radar's round-1 attackers are the evening's side B: the score follows players, not maps
    assert (session.score_a, session.score_b, session.draws) == (1, 1, 1)
    assert [p.guid for p in session.side_b.players] == [B1, B2]
    assert [p.guid for p in session.side_b.substitutes] == [B3]
    by_id = filled.map_result(session.round_ids[1])
    assert by_id == session.maps[0]


def test_sessions_split_at_the_gap(filled: Storage) -> None:
    listed = filled.sessions()
    assert [(s.id, len(s.round_ids)) for s in listed] == [(T0 + 3960 + 3660, 1), (T0, 6)]
    assert listed[1].maps == ("supply", "radar", "goldrush")
    assert [p.name for p in listed[1].players] == ["alpha", "bravo", "charlie", "delta", "echo"]
    assert [len(s.round_ids) for s in filled.sessions(gap_minutes=62)] == [7]
    latest = filled.latest_session()
    assert latest is not None
    assert latest.id == T0 + 3960 + 3660
    assert latest.maps[0].r1_round_id is None
    assert latest.maps[0].winner == "B"
    assert filled.session(T0 + 600) is None  # not a session start
    one = filled.session_of_round(latest.round_ids[0], gap_minutes=62)
    assert one is not None
    assert one.id == T0


def test_session_totals_and_mvp(filled: Storage) -> None:
    s = filled.session(T0)
    assert s is not None
    alpha = next(p for p in s.players if p.player.guid == A1)
    assert (alpha.totals.rounds, alpha.totals.kills, alpha.totals.damage_given) == (6, 60, 6000)
    assert alpha.totals.dpm == pytest.approx(6000 / 60.0)
    # charlie: DPM 150 over 60 minutes; bravo played 30 minutes (half of 60) at DPM 120
    assert s.mvp is not None
    assert s.mvp.guid == B1


def test_round_listing_and_detail(filled: Storage) -> None:
    rounds = filled.list_rounds(limit=3)
    assert [r.map_name for r in rounds] == ["supply", "goldrush", "goldrush"]
    assert rounds[0].players == 4
    assert rounds[0].sources == ()
    mine = filled.list_rounds(player_guid=B3, newest_first=False)
    assert [r.round_number for r in mine] == [2]
    assert filled.list_rounds(map_name="radar", round_number=2)[0].clock_seconds == 600
    assert (
        filled.list_rounds(
            since_unix=T0 + 1200, until_unix=T0 + 2001, limit=10, newest_first=False
        )[1].round_number
        == 2
    )
    detail = filled.round_detail(rounds[0].id)
    assert detail is not None
    assert [p.name for p in detail.players] == ["alpha", "bravo", "charlie", "delta"]
    assert detail.players[0].tab["dynamites_planted"] == 0
    assert filled.round_detail(999_999) is None
    counts = filled.store_counts()
    assert (counts.rounds, counts.player_lines) == (7, 28)
    # the ingest summary's brief counts are the full ones, less what it does not print
    brief = filled.store_counts(brief=True)
    assert brief == attrs.evolve(counts, verdicts={}, by_start_source={}, unlinked=0)


def test_career_sums_parts_and_rates(filled: Storage) -> None:
    c = filled.career(A1)
    assert c is not None
    t = c.totals
    assert (t.rounds, t.kills, t.deaths, t.hits, t.shots, t.headshots) == (7, 70, 35, 105, 350, 21)
    assert t.damage_given == 6 * 1000 + 5000
    assert t.kd == 2.0
    assert t.accuracy == pytest.approx(105 / 350)
    assert t.dpm == pytest.approx(11000 / 70.0)
    assert [m.map_name for m in c.by_map] == ["supply", "goldrush", "radar"]
    assert [(w.weapon, w.kills) for w in c.by_weapon] == [("WS_COLT", 35), ("WS_PANZERFAUST", 35)]
    windowed = filled.career(A1, window=Window(since_unix=T0 + 1200, until_unix=T0 + 3000))
    assert windowed is not None
    assert windowed.totals.rounds == 2
    in_session = filled.career(A1, window=Window(session_id=T0))
    assert in_session is not None
    assert in_session.totals.rounds == 6
    assert filled.career("FFFF0000") is None


def test_merged_guids_count_as_one_player(filled: Storage) -> None:
    before = [filled.career(g) for g in (B2, B3)]
    link = filled.merge_guid(B3.lower(), B2)
    assert (link.kind, link.value, link.player_guid) == ("guid", B3, B2)
    merged = filled.career(B3)  # an alt resolves to its player
    assert merged is not None
    assert merged.player.guid == B2
    assert merged.guids == (B2, B3)
    assert merged.totals.rounds == sum(c.totals.rounds for c in before if c)
    assert merged.totals.kills == sum(c.totals.kills for c in before if c)
    s = filled.session(T0)
    assert s is not None
    assert [p.guid for p in s.side_b.players] == [B1, B2]
    assert not s.side_b.substitutes
    board = filled.leaderboard("kills", min_rounds=0)
    assert B3 not in [e.guid for e in board.entries]
    filled.set_display_name(B2, "Delta Force")
    assert filled.find_players("echo").players[0].name == "Delta Force"
    assert filled.unlink("guid", B3) is True
    assert filled.unlink("guid", B3) is False
    career = filled.career(B3)
    assert career is not None
    assert career.guids == (B3,)


def test_external_accounts_link_to_players(filled: Storage) -> None:
    filled.link_account("discord", "1234567890", A1)
    ref = filled.player_for_account("discord", "1234567890")
    assert ref is not None
    assert ref.guid == A1
    assert ref.name == "alpha"
    assert filled.find_players("discord:1234567890").matched_by == "link"
    filled.merge_guid(A1, A2)  # the account follows its player into the merge
    assert [(x.kind, x.value, x.player_guid) for x in filled.identity_links()] == [
        ("discord", "1234567890", A2),
        ("guid", A1, A2),
    ]
    assert filled.unlink("discord", "1234567890")
    assert filled.player_for_account("discord", "1234567890") is None
    with pytest.raises(Exception, match="already player"):
        filled.merge_guid(A2, A1)


def test_find_players_by_guid_prefix_and_name(filled: Storage) -> None:
    assert [p.guid for p in filled.find_players("aaaa").players] == [A1, A2]
    assert filled.find_players("aaaa").matched_by == "guid"
    assert filled.find_players("CHAR").players[0].guid == B1
    assert filled.find_players("name:bbbb").players == ()
    assert filled.find_players("zzz").matched_by is None


def test_leaderboard_gate_ties_and_pages(filled: Storage) -> None:
    gated = filled.leaderboard("dpm")
    assert gated.entries == ()
    assert gated.min_rounds == 10
    board = filled.leaderboard("kills", min_rounds=0)
    assert [(e.rank, e.guid, e.value) for e in board.entries] == [
        (1, A1, 70.0),
        (2, B1, 49.0),
        (3, A2, 28.0),
        (4, B2, 12.0),
        (5, B3, 2.0),
    ]
    page2 = filled.leaderboard("kills", min_rounds=0, limit=2, offset=2)
    assert [e.rank for e in page2.entries] == [3, 4]
    dpm = filled.leaderboard("dpm", min_rounds=7, min_minutes=0)
    assert [e.guid for e in dpm.entries] == [A1, B1, A2]  # delta: 6 rounds, below the gate
    assert dpm.entries[0].value == pytest.approx(11000 / 70.0)
    ties = filled.leaderboard("dynamites_planted", min_rounds=0)
    assert [e.guid for e in ties.entries] == [A1, A2, B1, B2, B3]  # rounds, then GUID
    with pytest.raises(UnknownStatistic):
        filled.leaderboard("nonsense")


def test_records_best_round_and_map(filled: Storage) -> None:
    recs = {(r.stat, r.scope): r for r in filled.records(["damage_given", "kd"])}
    best_round = recs[("damage_given", "round")]
    assert (best_round.guid, best_round.value, best_round.map_name) == (B1, 1500.0, "supply")
    best_map = recs[("damage_given", "map")]
    # the orphan round 2 holds both rounds: 5000 beats any R1+R2 pair
    assert (best_map.guid, best_map.value, len(best_map.round_ids)) == (A1, 5000.0, 1)
    assert recs[("kd", "round")].value == 2.0
    assert filled.records(["kills"], min_minutes=100) == []
