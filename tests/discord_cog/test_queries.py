"""The cog's read queries against real stores filled from the real corpus, checked against the
files parsed directly (not through the store)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from tests.discord_cog.support import ingest

from etstats.model.stats import StatsRound
from etstats.storage.base import Storage
from etstats_discord import queries
from etstats_discord.reconcile_summary import reconcile_summary

pytestmark = pytest.mark.corpus


def _stats_name(store: Storage) -> dict[int, str]:
    """round id -> its stats file name."""
    names = {a.sha256: a.name for a in store.artifacts()}
    return {r.id: names[r.stats_sha256] for r in store.rounds() if r.stats_sha256}


def _check_round1_scoreboards(store: Storage, parsed: dict[str, StatsRound]) -> int:
    """Every stored round 1's scoreboard equals its parsed file; returns the rounds checked."""
    checked = 0
    for round_id, name in _stats_name(store).items():
        model = parsed[name]
        if model.round_number != 1:
            continue
        board = queries.round_scoreboard(store, round_id)
        assert board.round.players == len(model.players)
        assert board.round.map_name == model.map_name.lower()
        shown = sorted(
            (
                x.guid,
                x.name,
                x.kills,
                x.deaths,
                x.damage_given,
                x.time_dead_minutes,
                x.time_dead_seconds,
                x.time_played_seconds,
            )
            for x in board.players
        )
        expected = sorted(
            (
                p.guid,
                p.name,
                sum(w.kills for w in p.weapons),
                sum(w.deaths for w in p.weapons),
                p.tab and p.tab.damage_given,
                p.tab and p.tab.time_dead_minutes,
                p.tab and round(p.tab.time_dead_minutes * 60),
                p.tab and round(p.tab.time_played_minutes * 60),
            )
            for p in model.players
        )
        assert shown == expected
        kills = [p.kills for p in board.players]
        assert kills == sorted(kills, reverse=True)
        checked += 1
    return checked


def test_round1_scoreboards_equal_the_parsed_files(
    real_store: Storage, parsed: dict[str, StatsRound]
) -> None:
    assert _check_round1_scoreboards(real_store, parsed) == sum(
        1 for m in parsed.values() if m.round_number == 1
    )


def test_paired_round2_scoreboard_holds_that_round_only(
    real_store: Storage, parsed: dict[str, StatsRound]
) -> None:
    """R1 line + R2 line (as the bot shows them) == the R2 file's cumulative line."""
    names = _stats_name(real_store)
    pairs = [r for r in real_store.rounds() if r.r1_round_id is not None]
    assert len(pairs) == 97  # docs/storage.md: 97 round 2s differenced against their round 1
    compared = 0
    for r2 in pairs:
        board2 = queries.round_scoreboard(real_store, r2.id)
        board1 = queries.round_scoreboard(real_store, r2.r1_round_id or 0)
        assert board2.round.values_scope == "round"
        r1_lines = {p.guid: p for p in board1.players}
        cumulative = {p.guid: p for p in parsed[names[r2.id]].players}
        if len(cumulative) != len(parsed[names[r2.id]].players) or len(r1_lines) != len(
            board1.players
        ):
            continue  # a GUID prefix used twice: not comparable line by line
        for line in board2.players:
            if line.values_scope != "round":
                continue
            before = r1_lines.get(line.guid)
            assert line.kills + (before.kills if before else 0) == cumulative[line.guid].kills
            assert line.deaths + (before.deaths if before else 0) == cumulative[line.guid].deaths
            compared += 1
    assert compared > 500


def test_damage_order(real_store: Storage) -> None:
    board = queries.round_scoreboard(real_store, 2, sort="damage")
    damage = [p.damage_given or 0 for p in board.players]
    assert damage == sorted(damage, reverse=True)
    with pytest.raises(queries.QueryError, match="sort by one of"):
        queries.round_scoreboard(real_store, 2, sort="xp")
    with pytest.raises(queries.QueryError, match="round 99999 is not in the store"):
        queries.round_scoreboard(real_store, 99999)


def test_latest_rounds_are_newest_first_with_their_player_counts(real_store: Storage) -> None:
    rounds = real_store.rounds()
    lines = queries.latest_rounds(real_store, 5)
    newest = sorted(rounds, key=lambda r: (r.round_start_unix, r.id), reverse=True)[:5]
    assert [x.round_id for x in lines] == [r.id for r in newest]
    per_round: defaultdict[int, int] = defaultdict(int)
    for row in real_store.table_rows("player_round_stats"):
        per_round[row[0]] += 1
    assert [x.players for x in lines] == [per_round[r.id] for r in newest]
    assert lines[0].sources == ("endstats",)  # the corpus's newest file is an endstats file
    assert all(x.winner in ("Axis", "Allies") for x in lines[1:])
    assert len(queries.latest_rounds(real_store, 1000)) == queries.MAX_LAST
    assert len(queries.latest_rounds(real_store, 0)) == 1


def _lines_by_guid(parsed: dict[str, StatsRound]) -> dict[str, list[tuple[str, object]]]:
    out: dict[str, list[tuple[str, object]]] = defaultdict(list)
    for name, model in parsed.items():
        if model.round_number == 1:
            for p in model.players:
                out[p.guid.upper()].append((name, p))
    return out


def test_player_totals_equal_the_sum_over_his_stats_lines(
    round1_store: Storage, parsed: dict[str, StatsRound]
) -> None:
    lines = _lines_by_guid(parsed)
    assert lines
    for guid, items in lines.items():
        found = queries.player_totals(round1_store, guid)
        assert found.matched_by == "guid"
        t = found.totals
        assert t is not None
        assert t.guid == guid
        players = [p for _, p in items]
        assert t.kills == sum(p.kills for p in players)  # type: ignore[attr-defined]
        assert t.deaths == sum(p.deaths for p in players)  # type: ignore[attr-defined]
        tabs = [p.tab for p in players if p.tab is not None]  # type: ignore[attr-defined]
        assert t.damage_given == sum(x.damage_given for x in tabs)
        dead = sum(x.time_dead_minutes for x in tabs)
        assert t.time_dead_minutes == pytest.approx(dead, abs=0.051)
        assert t.time_dead_seconds == round(t.time_dead_minutes * 60)
        assert t.rounds == len({n for n, _ in items})
        assert t.cumulative_rows == 0


def test_a_full_guid_finds_its_stats_prefix(round1_store: Storage) -> None:
    found = queries.player_totals(round1_store, "8c49608c" + "0" * 24)
    assert found.matched_by == "guid"
    assert found.totals is not None
    assert found.totals.guid == "8C49608C"


def test_names_are_evidence_only(round1_store: Storage, parsed: dict[str, StatsRound]) -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for guid, items in _lines_by_guid(parsed).items():
        for _, p in items:
            by_name[p.name.casefold()].add(guid)  # type: ignore[attr-defined]
    unique = next(
        n
        for n, g in sorted(by_name.items())
        if len(g) == 1 and len(n) > 6 and not any(n in other for other in by_name if other != n)
    )
    found = queries.player_totals(round1_store, unique.upper())
    assert found.matched_by == "name"
    assert found.totals is not None
    assert found.totals.guid in by_name[unique]
    # a substring shared by several GUIDs is reported with every candidate, never guessed
    needle = "slomix"
    expected = {g for n, gs in by_name.items() if needle in n for g in gs}
    assert len(expected) > 1
    found = queries.player_totals(round1_store, needle)
    assert found.totals is None
    assert {c.guid for c in found.candidates} == expected
    assert queries.player_totals(round1_store, "no such player zz").matched_by is None


def test_guid_and_name_prefixes_force_one_reading(round1_store: Storage) -> None:
    assert queries.player_totals(round1_store, "guid: 8c49").matched_by == "guid"
    assert queries.player_totals(round1_store, "guid:blauss").matched_by is None
    by_name = queries.player_totals(round1_store, "NAME:blAuss")
    assert by_name.matched_by == "name"
    assert by_name.totals is not None
    assert by_name.totals.guid == "8C49608C"
    assert queries.player_totals(round1_store, "name:8C49608C").matched_by is None
    with pytest.raises(queries.QueryError):
        queries.player_totals(round1_store, "^7 ")


def test_reconcile_summary_reproduces_every_stored_verdict(real_store: Storage) -> None:
    stored = {r[0]: (r[1], json.loads(r[4])) for r in real_store.table_rows("reconciliations")}
    assert len(stored) == 215
    for round_id, (verdict, report) in stored.items():
        s = reconcile_summary(real_store, round_id)
        assert (s.verdict, s.stored_verdict) == (verdict, verdict)
        # a lean stored report counts its agreeing comparisons (docs/storage.md)
        per_check = report["check_counts"].values()
        assert sum(s.counts.values()) == sum(n for row in per_check for n in row.values())
        assert len(s.issues) == sum(1 for c in report["comparisons"] if c["verdict"] != "agree")
        assert [i.verdict for i in s.issues] == sorted(
            (i.verdict for i in s.issues), key=["conflict", "explained", "tolerated"].index
        )
    paired = next(r for r in real_store.rounds() if r.r1_round_id is not None)
    s = reconcile_summary(real_store, paired.id)
    assert len(s.artifacts) == 2
    assert s.artifacts[0].endswith("-round-2.txt")
    assert s.artifacts[1].endswith("-round-1.txt")


def test_reconcile_summary_refuses_what_it_cannot_compare(real_store: Storage) -> None:
    endstats_only = next(r for r in real_store.rounds() if r.stats_sha256 is None)
    with pytest.raises(queries.QueryError, match="no stats or Lua file"):
        reconcile_summary(real_store, endstats_only.id)


def test_status_counts(real_store: Storage) -> None:
    st = queries.store_status(real_store)
    assert (st.rounds, st.player_lines) == (216, 1478)
    assert st.artifacts == {"accepted": 216}
    assert sum(st.verdicts.values()) == 215
    assert st.schema_version == real_store.schema_version() >= 1


def test_urls_are_shown_without_passwords() -> None:
    assert (
        queries.redact_url("postgresql://bot:s3cret@db:5432/et")
        == "postgresql://bot:***@db:5432/et"
    )
    assert queries.redact_url("postgresql://bot@db/et") == "postgresql://bot@db/et"
    assert queries.redact_url("etstats.db") == "etstats.db"


def test_both_backends_answer_alike(
    store: Storage, real_stats_files: list[Path], parsed: dict[str, StatsRound]
) -> None:
    """A slice of the corpus (two maps, R1 and R2) on SQLite and on real PostgreSQL."""
    files = [p for p in real_stats_files if "-etl_adlernest-" in p.name or "-supply-" in p.name]
    ingest(store, files)
    assert _check_round1_scoreboards(store, parsed) > 0
    guid = store.table_rows("player_round_stats")[0][2]
    found = queries.player_totals(store, guid)
    rows = [r for r in store.table_rows("player_round_stats") if r[2] == guid]
    assert found.totals is not None
    assert found.totals.kills == sum(r[7] for r in rows)
    for rnd in store.rounds():
        s = reconcile_summary(store, rnd.id)
        assert s.verdict == s.stored_verdict
    st = queries.store_status(store)
    assert st.rounds == len(store.rounds())
    assert st.url == queries.redact_url(store.url)
