"""Round-2 differential on in-memory rounds: pairing, subtraction, ratios, resets, findings."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

from etstats.differential import (
    differential_all,
    kd_ratio,
    pair_rounds,
    round2_differential,
    tank_meatshield,
)
from etstats.model.common import Provenance
from etstats.model.stats import PlayerStats, StatsHeader, StatsRound, TabStats, WeaponStats


def header(map_name: str = "supply", round_number: int = 1) -> StatsHeader:
    return StatsHeader(
        server_name="^1test",
        map_name=map_name,
        config="",
        round_number=round_number,
        defender_team=1,
        winner_team=2,
        time_limit_seconds=600,
        clock_seconds=400,
    )


def stamped(rnd: StatsRound, when: datetime, name: str | None = None) -> StatsRound:
    prov = Provenance(
        sha256="0" * 64,
        size_bytes=0,
        path=name or f"{when:%Y-%m-%d-%H%M%S}-{rnd.map_name}-round-{rnd.header.round_number}.txt",
        file_timestamp=when,
        file_map=rnd.map_name,
        file_round=rnd.header.round_number,
    )
    return attrs.evolve(rnd, provenance=prov)


def rnd(map_name: str, round_number: int, players: tuple[PlayerStats, ...] = ()) -> StatsRound:
    return StatsRound(header=header(map_name, round_number), players=players)


def tab(**values: Any) -> TabStats:
    return TabStats(
        layout=38,
        denied_playtime=0,
        useless_kills=0,
        full_selfkills=0,
        repairs_constructions=0,
        revives_given=0,
        **values,
    )


T0 = datetime(2025, 10, 14, 21, 22, 14)


# ---------------------------------------------------------------- pairing


def test_r2_pairs_with_latest_r1_in_window() -> None:
    old_r1 = stamped(rnd("supply", 1), T0)
    replay_r1 = stamped(rnd("supply", 1), T0 + timedelta(minutes=10))
    r2 = stamped(rnd("supply", 2), T0 + timedelta(minutes=16))
    pairing = pair_rounds([old_r1, replay_r1, r2])
    assert len(pairing.pairs) == 1
    assert pairing.pairs[0].r1.provenance is replay_r1.provenance
    assert pairing.pairs[0].gap_seconds == 360
    assert pairing.unpaired_r1 == (old_r1,)
    assert pairing.orphans_r2 == ()


def test_r1_must_be_strictly_earlier_and_same_map() -> None:
    same_time = stamped(rnd("supply", 1), T0)
    later = stamped(rnd("supply", 1), T0 + timedelta(minutes=5))
    other_map = stamped(rnd("goldrush", 1), T0 - timedelta(minutes=5))
    r2 = stamped(rnd("supply", 2), T0)
    pairing = pair_rounds([same_time, later, other_map, r2])
    assert pairing.pairs == ()
    assert pairing.orphans_r2 == (r2,)
    assert [f.code for f in pairing.findings] == ["orphan-round-2"]
    assert pairing.findings_for(3)[0].code == "orphan-round-2"


def test_window_is_configurable_and_inclusive() -> None:
    r1 = stamped(rnd("supply", 1), T0)
    r2 = stamped(rnd("supply", 2), T0 + timedelta(minutes=45))
    assert len(pair_rounds([r1, r2]).pairs) == 1
    assert pair_rounds([r1, r2], window_minutes=44.9).orphans_r2 == (r2,)
    r2_late = stamped(rnd("supply", 2), T0 + timedelta(minutes=45, seconds=1))
    assert pair_rounds([r1, r2_late]).orphans_r2 == (r2_late,)
    assert len(pair_rounds([r1, r2_late], window_minutes=60).pairs) == 1


def test_midnight_crossing_pairs() -> None:
    r1 = stamped(rnd("supply", 1), datetime(2025, 10, 14, 23, 55, 0))
    r2 = stamped(rnd("supply", 2), datetime(2025, 10, 15, 0, 3, 30))
    pairing = pair_rounds([r2, r1])  # input order does not matter when times are known
    assert len(pairing.pairs) == 1
    assert pairing.pairs[0].gap_seconds == 8 * 60 + 30


def test_explicit_timestamps_for_in_memory_rounds() -> None:
    r1, r2 = rnd("supply", 1), rnd("supply", 2)
    pairing = pair_rounds([r2, r1], timestamps={0: T0 + timedelta(minutes=7), 1: T0})
    assert len(pairing.pairs) == 1
    assert pairing.pairs[0].gap_seconds == 420
    pairing = pair_rounds([r1, r2], timestamps=[T0, T0 - timedelta(minutes=1)])
    assert pairing.orphans_r2 == (r2,)


def test_rounds_without_time_pair_by_input_order() -> None:
    r1a, r1b, r2 = rnd("supply", 1), rnd("supply", 1), rnd("supply", 2)
    pairing = pair_rounds([r1a, r1b, r2])
    assert len(pairing.pairs) == 1
    assert pairing.pairs[0].r1_index == 1
    assert pairing.pairs[0].gap_seconds is None
    assert [f.code for f in pairing.findings] == ["paired-by-order"]
    # An R2 before any R1 in the input is an orphan.
    assert pair_rounds([r2, r1a]).orphans_r2 == (r2,)


def test_duplicated_r2_reuses_r1_with_finding() -> None:
    r1 = stamped(rnd("supply", 1), T0)
    r2a = stamped(rnd("supply", 2), T0 + timedelta(minutes=6))
    r2b = stamped(rnd("supply", 2), T0 + timedelta(minutes=7))
    pairing = pair_rounds([r1, r2a, r2b])
    assert len(pairing.pairs) == 2
    assert [f.code for f in pairing.findings_for(0)] == ["round-1-reused"]


def test_negative_window_is_misuse() -> None:
    with pytest.raises(ValueError, match="window_minutes"):
        pair_rounds([], window_minutes=-1)


# ---------------------------------------------------------------- engine rules


@pytest.mark.parametrize(
    ("kills", "deaths", "expected"),
    [
        (8, 1, 8.0),
        (13, 8, 1.6),
        (0, 3, 0.0),
        (5, 0, 6.0),
        (0, 0, 1.0),
        (1, 3, 0.3),
        (5, 4, 1.3),
        (1, 4, 0.3),
        (7, 20, 0.4),
    ],
)
def test_kd_ratio_engine_rule(kills: int, deaths: int, expected: float) -> None:
    assert kd_ratio(kills, deaths) == expected


@pytest.mark.parametrize(
    ("received", "deaths", "expected"),
    [
        (2000, 4, 3.8),
        (2000, 6, 0.0),
        (2000, 5, 3.1),
        (1000, 0, 0.0),
        (2600, 5, 4.0),
        (1001, 0, 7.7),
        (5000, 10, 3.8),
    ],
)
def test_tank_meatshield_engine_rule(received: int, deaths: int, expected: float) -> None:
    assert tank_meatshield(received, deaths) == expected


# ---------------------------------------------------------------- subtraction


def human(
    guid: str,
    name: str,
    weapons: tuple[WeaponStats, ...],
    t: TabStats,
    team: int = 1,
    rounds: int = 0,
) -> PlayerStats:
    return PlayerStats(guid=guid, raw_name=name, rounds=rounds, team=team, weapons=weapons, tab=t)


R1_PLAYER = human(
    "7B84BE88",
    "^1end^7ekk",
    (WeaponStats(4, 6, 12, 2, 1, 2), WeaponStats(11, 3, 2, 1, 0, 0)),
    tab(
        damage_given=759,
        damage_received=423,
        gibs=3,
        self_kills=1,
        time_played_percent=90.0,
        xp=62,
        killing_spree=4,
        bullets_fired=14,
        time_played_minutes=4.0,
        time_dead_ratio=10.0,
        time_dead_minutes=0.4,
        kd_ratio=4.0,
        useful_kills=2,
        multikill_2x=1,
    ),
)
R2_PLAYER = human(
    "7B84BE88",
    "endekk_renamed",
    (
        WeaponStats(4, 16, 40, 5, 3, 4),
        WeaponStats(11, 3, 2, 1, 0, 0),
        WeaponStats(27, 2, 2, 0, 0, 0),
    ),
    tab(
        damage_given=1759,
        damage_received=1623,
        gibs=5,
        self_kills=4,
        time_played_percent=80.0,
        xp=30,
        killing_spree=0,
        bullets_fired=44,
        time_played_minutes=10.0,
        time_dead_ratio=12.0,
        time_dead_minutes=1.5,
        kd_ratio=1.0,
        useful_kills=1,
        multikill_2x=0,
    ),
    team=2,
    rounds=1,
)

assert R2_PLAYER.tab is not None
R2_TAB: TabStats = R2_PLAYER.tab


def test_renamed_player_is_differenced() -> None:
    r1 = rnd("supply", 1, (R1_PLAYER,))
    r2 = rnd("supply", 2, (R2_PLAYER,))
    out = round2_differential(r1, r2)
    (p,) = out.players
    assert p.raw_name == "endekk_renamed"
    assert p.team == 2
    assert p.rounds == 1
    # weapon tuples: R2 − R1; the unchanged grenade tuple disappears, the new syringe stays.
    assert p.weapons == (WeaponStats(4, 10, 28, 3, 2, 2), WeaponStats(27, 2, 2, 0, 0, 0))
    assert p.tab is not None
    # cumulative TAB fields subtracted
    assert (p.tab.damage_given, p.tab.damage_received, p.tab.gibs, p.tab.self_kills) == (
        1000,
        1200,
        2,
        3,
    )
    assert p.tab.bullets_fired == 30
    assert p.tab.time_played_minutes == 6.0
    # per-round fields kept from R2
    assert (p.tab.xp, p.tab.killing_spree, p.tab.useful_kills, p.tab.time_dead_minutes) == (
        30,
        0,
        1,
        1.5,
    )
    # ratios recomputed: alive 8.0 − 3.6 = 4.4 min of 6.0 -> 73.3 %
    assert p.tab.time_played_percent == 73.3
    assert p.tab.time_dead_ratio == 25.0  # 1.5 / 6.0
    assert p.tab.dpm == 166.7  # 1000 / 6.0
    assert p.tab.kd_ratio == 1.5  # 3 kills / 2 deaths (MP40 tuple diff)
    assert p.tab.tank_meatshield == 4.6  # 1200 received / 2 deaths / 130
    codes = [f.code for f in out.findings]
    assert codes == ["r2-differenced"]
    assert out.header == r2.header


def test_result_keeps_provenance_and_findings() -> None:
    r1 = stamped(rnd("supply", 1, (R1_PLAYER,)), T0)
    r2 = stamped(rnd("supply", 2, (R2_PLAYER,)), T0 + timedelta(minutes=8))
    out = round2_differential(r1, r2)
    assert out.provenance == r2.provenance
    assert out.findings[0].code == "r2-differenced"
    assert r1.provenance is not None
    assert r1.provenance.name in out.findings[0].message


def test_differential_all_keeps_r1_differences_r2_flags_orphans() -> None:
    r1 = stamped(rnd("supply", 1, (R1_PLAYER,)), T0)
    r2 = stamped(rnd("supply", 2, (R2_PLAYER,)), T0 + timedelta(minutes=8))
    orphan = stamped(rnd("goldrush", 2, (R2_PLAYER,)), T0 + timedelta(minutes=9))
    out = differential_all([r1, r2, orphan])
    assert out[0] is r1
    assert out[1].players[0].tab is not None
    assert out[1].players[0].tab.damage_given == 1000
    assert out[2].players == orphan.players
    assert [f.code for f in out[2].findings] == ["orphan-round-2"]


def _codes(rnd: StatsRound) -> list[str]:
    return [f.code for f in rnd.findings]


def test_counter_reset_keeps_r2_raw_and_names_player() -> None:
    reconnected = attrs.evolve(
        R2_PLAYER,
        weapons=(WeaponStats(4, 3, 9, 1, 0, 1),),
        tab=attrs.evolve(R2_TAB, damage_given=300, time_played_minutes=3.0),
    )
    out = round2_differential(rnd("supply", 1, (R1_PLAYER,)), rnd("supply", 2, (reconnected,)))
    assert out.players == (reconnected,)
    (reset,) = [f for f in out.findings if f.code == "counter-reset"]
    assert reset.player_guid == "7B84BE88"
    assert "endekk_renamed" in reset.message
    assert "WS_MP40.hits" in reset.message


def test_single_lowered_tab_counter_is_a_reset() -> None:
    assert R2_PLAYER.tab is not None
    lowered = attrs.evolve(R2_PLAYER, tab=attrs.evolve(R2_PLAYER.tab, gibs=1))
    out = round2_differential(rnd("supply", 1, (R1_PLAYER,)), rnd("supply", 2, (lowered,)))
    assert out.players == (lowered,)
    assert "counter-reset" in _codes(out)


def test_r1_only_players_dropped_r2_only_players_kept_raw() -> None:
    newcomer = human("AAAAAAAA", "late", (WeaponStats(5, 1, 2, 0, 0, 0),), tab(damage_given=20))
    leaver = human("BBBBBBBB", "left", (WeaponStats(5, 1, 2, 0, 0, 0),), tab(damage_given=20))
    out = round2_differential(
        rnd("supply", 1, (R1_PLAYER, leaver)), rnd("supply", 2, (newcomer, R2_PLAYER))
    )
    assert [p.guid for p in out.players] == ["AAAAAAAA", "7B84BE88"]
    assert out.players[0] == newcomer
    (left,) = [f for f in out.findings if f.code == "round-1-only-player"]
    assert left.player_guid == "BBBBBBBB"


def test_duplicate_guid_is_reported_not_guessed() -> None:
    twin = attrs.evolve(R2_PLAYER, raw_name="twin")
    out = round2_differential(rnd("supply", 1, (R1_PLAYER,)), rnd("supply", 2, (R2_PLAYER, twin)))
    assert out.players == (R2_PLAYER, twin)
    assert _codes(out).count("duplicate-player") == 2
    # A duplicate in R1 also stops the differencing of that GUID.
    twin1 = attrs.evolve(R1_PLAYER, raw_name="twin")
    out = round2_differential(rnd("supply", 1, (R1_PLAYER, twin1)), rnd("supply", 2, (R2_PLAYER,)))
    assert out.players == (R2_PLAYER,)
    assert "duplicate-player" in _codes(out)


def test_bots_match_by_guid_and_name() -> None:
    def bot(name: str, kills: int, dmg: int) -> PlayerStats:
        return human(
            "OMNIBOT0",
            name,
            (WeaponStats(4, 10, 20, kills, 0, 0),),
            tab(damage_given=dmg, time_played_minutes=2.0),
        )

    r1 = rnd("supply", 1, (bot("[BOT]Alpha", 2, 100), bot("[BOT]Bravo", 5, 400)))
    r2 = rnd("supply", 2, (bot("[BOT]Bravo", 6, 500), bot("[BOT]Alpha", 3, 150)))
    out = round2_differential(r1, r2)
    assert [(p.name, p.kills) for p in out.players] == [("[BOT]Bravo", 1), ("[BOT]Alpha", 1)]
    assert [p.tab.damage_given for p in out.players if p.tab] == [100, 50]
    assert "counter-reset" not in _codes(out)


def test_tab_layout_mismatch_keeps_raw() -> None:
    no_tab = attrs.evolve(R2_PLAYER, tab=None)
    out = round2_differential(rnd("supply", 1, (R1_PLAYER,)), rnd("supply", 2, (no_tab,)))
    assert out.players == (no_tab,)
    assert "tab-layout-mismatch" in _codes(out)


def test_zero_r2_minutes_give_zero_ratios() -> None:
    assert R1_PLAYER.tab is not None
    same_time = attrs.evolve(R2_PLAYER, tab=attrs.evolve(R2_TAB, time_played_minutes=4.0))
    (p,) = round2_differential(
        rnd("supply", 1, (R1_PLAYER,)), rnd("supply", 2, (same_time,))
    ).players
    assert p.tab is not None
    assert (p.tab.time_played_minutes, p.tab.time_played_percent, p.tab.dpm) == (0.0, 0.0, 0.0)
    assert p.tab.time_dead_ratio == 0.0


def test_mismatched_pair_is_flagged() -> None:
    out = round2_differential(rnd("goldrush", 1, (R1_PLAYER,)), rnd("supply", 2, (R2_PLAYER,)))
    assert "pair-mismatch" in _codes(out)


def test_33_field_layout_keeps_missing_fields_none() -> None:
    def old(values: dict[str, float]) -> TabStats:
        return TabStats(layout=33, **values)  # type: ignore[arg-type]

    p1 = human(
        "CCCCCCCC",
        "old",
        (WeaponStats(4, 1, 5, 1, 0, 0),),
        old({"damage_given": 50, "time_played_minutes": 3.0}),
    )
    p2 = human(
        "CCCCCCCC",
        "old",
        (WeaponStats(4, 3, 9, 2, 1, 0),),
        old({"damage_given": 90, "time_played_minutes": 7.0}),
    )
    (p,) = round2_differential(rnd("supply", 1, (p1,)), rnd("supply", 2, (p2,))).players
    assert p.tab is not None
    assert p.tab.denied_playtime is None
    assert p.tab.useless_kills is None
    assert p.tab.damage_given == 40
    assert p.tab.dpm == 10.0


def test_knife_shots_going_down_is_not_a_reset() -> None:
    # Real data: WS_KNIFE shots drop from R1 to R2 for ~15 % of players, nothing else does.
    w1 = (WeaponStats(0, 0, 6, 0, 0, 0), WeaponStats(4, 5, 9, 1, 0, 0))
    w2 = (WeaponStats(0, 0, 4, 0, 1, 0), WeaponStats(4, 8, 20, 2, 0, 0))
    k1 = human("DDDDDDDD", "stabber", w1, tab(damage_given=100, time_played_minutes=4.0))
    k2 = human("DDDDDDDD", "stabber", w2, tab(damage_given=180, time_played_minutes=9.0))
    out = round2_differential(rnd("supply", 1, (k1,)), rnd("supply", 2, (k2,)))
    (p,) = out.players
    assert p.weapons == (WeaponStats(0, 0, 0, 0, 1, 0), WeaponStats(4, 3, 11, 1, 0, 0))
    assert "counter-reset" not in _codes(out)
    (note,) = [f for f in out.findings if f.code == "knife-shots-decreased"]
    assert "WS_KNIFE.shots 6->4" in note.message
