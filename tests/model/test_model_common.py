"""Shared model helpers: colour stripping, provenance names, stats-model derived values."""

from __future__ import annotations

import pytest

from etstats.model import PlayerStats, Provenance, WeaponStats, strip_colours


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("^1Red^7White", "RedWhite"),
        ("^a#^7p^au^7rans^a.^7only", "#purans.only"),
        ("^/slash", "slash"),  # any character after ^ is a colour code in ET:Legacy
        ("a^^b", "a^"),  # the first ^ of ^^ is text; the second starts the code ^b
        ("a^^", "a^^"),
        ("trailing^", "trailing^"),
        ("plain name", "plain name"),
    ],
)
def test_strip_colours(raw: str, clean: str) -> None:
    assert strip_colours(raw) == clean


def test_provenance_name_handles_both_separators_and_memory_input() -> None:
    assert Provenance(sha256="0" * 64, size_bytes=1, path="a/b\\c.txt").name == "c.txt"
    assert Provenance(sha256="0" * 64, size_bytes=1).name == "<bytes>"


def test_player_totals_and_mask_derive_from_weapon_tuples() -> None:
    player = PlayerStats(
        guid="7B84BE88",
        raw_name="^1end^7ekk",
        rounds=0,
        team=2,
        weapons=(WeaponStats(4, 6, 12, 2, 1, 2), WeaponStats(27, 1, 1, 0, 0, 0)),
    )
    assert player.weapon_mask == (1 << 4) | (1 << 27)
    assert (player.kills, player.deaths, player.headshots, player.shots) == (2, 1, 2, 13)
    assert player.name == "endekk"
    assert not player.is_bot


def test_weapon_index_is_validated() -> None:
    with pytest.raises(ValueError, match="index"):
        WeaponStats(28)


def test_bots_are_recognised_by_guid_or_name() -> None:
    assert PlayerStats(guid="OMNIBOT0", raw_name="x", rounds=0, team=1).is_bot
    assert PlayerStats(guid="", raw_name=" ^1[bot]^7Bob", rounds=0, team=1).is_bot
