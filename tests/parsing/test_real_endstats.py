"""The one real endstats file (te_escape2 R2, 2026-01-12, CRLF, no VS_HEADER)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etstats.model.endstats import AwardUnit, SubjectSource
from etstats.parsing.endstats import parse_endstats_file
from etstats.render.endstats import render_endstats_bytes

pytestmark = pytest.mark.corpus

NAME = "iamez_2026-01-12-224606-te_escape2-round-2-endstats.txt"


@pytest.fixture(scope="module")
def real_endstats(real_stats_dir: Path) -> Path:
    path = real_stats_dir / "endstats" / NAME
    assert path.is_file(), f"missing {path}"
    return path


def test_counts_and_name(real_endstats: Path) -> None:
    rnd = parse_endstats_file(real_endstats)
    assert len(rnd.awards) == 23
    assert len(rnd.versus) == 18
    assert rnd.map_name == "te_escape2"
    assert rnd.round_number == 2
    assert rnd.vs_headers == ()


def test_duplicated_killing_spree_is_reported(real_endstats: Path) -> None:
    rnd = parse_endstats_file(real_endstats)
    dup = [f for f in rnd.findings if f.code == "duplicate-award"]
    assert len(dup) == 1
    assert dup[0].line == 18
    assert "Longest killing spree" in dup[0].message
    assert [f.code for f in rnd.findings] == ["duplicate-award"]  # nothing else is odd


def test_values_with_units(real_endstats: Path) -> None:
    rnd = parse_endstats_file(real_endstats)
    denied = rnd.award("Most playtime denied")
    accuracy = rnd.award("Highest light weapons accuracy")
    damage = rnd.award("Most damage given")
    assert denied is not None
    assert accuracy is not None
    assert damage is not None
    assert (denied.player_name, denied.value_in(AwardUnit.SECONDS)) == ("v_kt_r", 113)
    assert (accuracy.player_name, accuracy.value_in(AwardUnit.PERCENT)) == ("SuperBoyy", 50.47)
    assert (damage.player_name, damage.value) == ("vid", 3214)
    assert all(a.known for a in rnd.awards)


def test_headerless_blocks_are_inferred(real_endstats: Path) -> None:
    rnd = parse_endstats_file(real_endstats)
    assert {r.subject_source for r in rnd.versus} == {SubjectSource.INFERRED}
    subjects = [rnd.versus[i].subject_name for i in range(0, 18, 3)]
    assert subjects == ["bronze.", "SuperBoyy", "vid", ".olz", "carniee", "v_kt_r"]
    # Symmetry: every row has its mirror in the opponent's block.
    rows = {(str(r.subject_name), r.opponent_name): (r.kills, r.deaths) for r in rnd.versus}
    for (subject, opponent), (kills, deaths) in rows.items():
        assert rows[(opponent, subject)] == (deaths, kills)


def test_renders_byte_exact_with_crlf(real_endstats: Path) -> None:
    rnd = parse_endstats_file(real_endstats)
    assert render_endstats_bytes(rnd, newline="\r\n") == real_endstats.read_bytes()


def test_no_stats_file_of_that_round_in_the_corpus(
    real_endstats: Path, real_stats_files: list[Path]
) -> None:
    # The stats corpus ends in November 2025; the endstats file is from January 2026.
    from etstats.parsing.endstats import link_endstats
    from etstats.parsing.stats_file import parse_stats_file

    rounds = [parse_stats_file(p) for p in real_stats_files if "te_escape2-round-2" in p.name]
    assert rounds
    linking = link_endstats([parse_endstats_file(real_endstats)], rounds)
    assert linking.links == ()
    assert [f.code for f in linking.findings] == ["endstats-unlinked"]
