"""Linking endstats rounds to stats rounds: window, split writes, ambiguity (never guess)."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from etstats.model.common import Provenance
from etstats.model.endstats import EndstatsAward, EndstatsRound, VersusRow
from etstats.model.stats import StatsHeader, StatsRound
from etstats.parsing.endstats import link_endstats

T = datetime(2026, 1, 12, 21, 51, 13)


def stats(map_name: str, rn: int, when: datetime) -> StatsRound:
    header = StatsHeader("srv", map_name, "", rn, 1, 2, 600, 300)
    prov = Provenance(
        "0" * 64, 100, f"{when:%Y-%m-%d-%H%M%S}-{map_name}-round-{rn}.txt", when, map_name, rn
    )
    return StatsRound(header=header, provenance=prov)


def endstats(
    map_name: str, rn: int, when: datetime, awards: int = 3, rows: int = 2, size: int = 500
) -> EndstatsRound:
    prov = Provenance(
        "1" * 64,
        size,
        f"{when:%Y-%m-%d-%H%M%S}-{map_name}-round-{rn}-endstats.txt",
        when,
        map_name,
        rn,
    )
    return EndstatsRound(
        awards=tuple(EndstatsAward("Most deaths", f"p{i}", "3") for i in range(awards)),
        versus=tuple(VersusRow("x", 1, 0) for _ in range(rows)),
        provenance=prov,
    )


def test_links_endstats_written_seconds_before_stats() -> None:
    r1 = stats("supply", 1, T)
    r2 = stats("supply", 2, T + timedelta(minutes=8))
    es = endstats("supply", 2, T + timedelta(minutes=8) - timedelta(seconds=2))
    result = link_endstats([es], [r1, r2])
    assert len(result.links) == 1
    assert result.links[0].stats is r2
    assert result.links[0].gap_seconds == 2
    assert result.unlinked == ()
    assert result.findings == ()


def test_window_map_and_round_must_match() -> None:
    r1 = stats("supply", 1, T)
    late = endstats("supply", 1, T - timedelta(seconds=31))
    other_map = endstats("goldrush", 1, T - timedelta(seconds=2))
    other_round = endstats("supply", 2, T - timedelta(seconds=2))
    result = link_endstats([late, other_map, other_round], [r1])
    assert result.links == ()
    assert len(result.unlinked) == 3
    assert {f.code for f in result.findings} == {"endstats-unlinked"}
    assert len(link_endstats([late], [r1], window_seconds=31).links) == 1


def test_split_writes_pick_most_awards_then_rows_then_size() -> None:
    r1 = stats("supply", 1, T)
    small = endstats("supply", 1, T - timedelta(seconds=3), awards=2, rows=9)
    full = endstats("supply", 1, T - timedelta(seconds=2), awards=20, rows=0)
    result = link_endstats([small, full], [r1])
    assert [link.endstats for link in result.links] == [full]
    assert result.superseded == (small,)
    assert [f.code for f in result.findings] == ["endstats-split-write"]
    # Same awards -> most versus rows; then size.
    a = endstats("supply", 1, T - timedelta(seconds=1), awards=5, rows=1)
    b = endstats("supply", 1, T - timedelta(seconds=2), awards=5, rows=4)
    assert link_endstats([a, b], [r1]).links[0].endstats is b
    c = endstats("supply", 1, T - timedelta(seconds=1), awards=5, rows=4, size=900)
    assert link_endstats([b, c], [r1]).links[0].endstats is c


def test_full_tie_is_ambiguous_and_not_linked() -> None:
    r1 = stats("supply", 1, T)
    a = endstats("supply", 1, T - timedelta(seconds=1))
    b = endstats("supply", 1, T - timedelta(seconds=2))
    result = link_endstats([a, b], [r1])
    assert result.links == ()
    assert len(result.unlinked) == 2
    assert {f.code for f in result.findings} == {"endstats-ambiguous"}


def test_two_stats_rounds_in_window_is_ambiguous() -> None:
    a = stats("supply", 1, T)
    b = stats("supply", 1, T + timedelta(seconds=10))
    es = endstats("supply", 1, T - timedelta(seconds=2))
    result = link_endstats([es], [a, b])
    assert result.links == ()
    assert [f.code for f in result.findings] == ["endstats-ambiguous"]


def test_in_memory_rounds_with_explicit_times() -> None:
    r1 = attrs.evolve(stats("supply", 1, T), provenance=None)
    es = endstats("supply", 1, T)
    result = link_endstats([es], [r1], stats_timestamps=[T + timedelta(seconds=3)])
    assert result.links[0].gap_seconds == 3
    no_name = attrs.evolve(es, provenance=None)
    result = link_endstats([no_name], [r1], stats_timestamps=[T])
    assert [f.code for f in result.findings] == ["endstats-unlinked"]
