"""The stats parser's player-line reader: a plain loop over canonical lines.

Private: used by :mod:`etstats.parsing.stats_file`. :func:`read_players` reads the player lines
of one file. A line written exactly as the script writes it (5 backslash parts, a known TAB
layout, every number canonical and inside the ``_INTS``/``_FLOATS`` tables, a canonical weapon
mask matching the tuple count, the block ending with one space) is read by
:func:`_read_canonical`: each number is one dict lookup, which both converts it and proves it
canonical, and the objects are built with the sealed builders of :mod:`etstats.model.stats`.
Any other line, and any line on which a lookup misses, goes to :meth:`Tokenizer.player`, the
general path (which records the findings). The canonical reader records no findings, so the
result is the same either way.

The canonical reader also hands the validator what it learnt while reading (a
:data:`etstats.validate.stats.PlayerHint`: the weapon sums when every tuple passes the
per-weapon checks), so :func:`etstats.validate.stats.validate_stats_round` need not walk the
weapons again.
"""

from __future__ import annotations

from operator import getitem

from etstats.model.stats import (
    SPLASH_WEAPONS,
    TAB_BUILDERS,
    TAB_LAYOUTS,
    WEAPON_COUNT,
    PlayerStats,
    TabStats,
    WeaponStats,
    build_player_stats,
    build_weapon_stats,
)
from etstats.parsing._stats_tokens import (
    _FLOATS,
    _INTS,
    _POS_INT,
    _TAB_FLOAT_POS,
    MAX_MASK,
    Tokenizer,
)
from etstats.validate.stats import PlayerHint

_MASKS_MAX = 4096


class _MaskIndexes(dict[str, tuple[int, ...]]):
    """Canonical weapon-mask text -> the WS indexes of its set bits, ascending.

    ``KeyError`` (nothing stored) unless the text is ``0`` or a positive integer without sign
    or leading zeros, at most ``MAX_MASK``. A season has a few hundred distinct masks; the
    table is emptied when it reaches ``_MASKS_MAX`` entries.
    """

    __slots__ = ()

    def __missing__(self, text: str) -> tuple[int, ...]:
        if text != "0" and not _POS_INT.fullmatch(text):
            raise KeyError(text)
        mask = int(text)
        if mask > MAX_MASK:
            raise KeyError(text)
        if len(self) >= _MASKS_MAX:
            self.clear()
        indexes = self[text] = tuple(j for j in range(WEAPON_COUNT) if mask >> j & 1)
        return indexes


class _BigInts(dict[str, int]):
    """``_INTS``, plus any canonical integer past 9,999 (no sign or leading zero, at most 18
    digits), read as the general path reads it without a finding; ``KeyError`` otherwise.
    ``bullets_fired`` is the one field past 9,999 in real files (5 % of lines)."""

    __slots__ = ()

    def __missing__(self, text: str) -> int:
        if _POS_INT.fullmatch(text) is None:
            raise KeyError(text)
        return int(text)


_MASKS = _MaskIndexes()
_BIG = _BigInts(_INTS)
_TAB_TABLES: dict[int, tuple[dict[str, int] | dict[str, float], ...]] = {
    n: tuple(
        _FLOATS if is_float else _BIG if name == "bullets_fired" else _INTS
        for name, is_float in zip(names, _TAB_FLOAT_POS[n], strict=True)
    )
    for n, names in TAB_LAYOUTS.items()
}
"""Per TAB layout, the lookup table of each field in file order."""


def _read_tab(fields: list[str]) -> TabStats:
    """A TAB section whose every value is canonical (``KeyError`` otherwise)."""
    # one C-level map over the section (the tables are chosen by its length, so they align)
    return TAB_BUILDERS[len(fields)](*map(getitem, _TAB_TABLES[len(fields)], fields))


def _read_canonical(parts: list[str], tab: str, line: int) -> tuple[PlayerStats, PlayerHint | None]:
    """A player line as the script writes it, and its validator hint.

    Raises ``KeyError``, ``ValueError`` or ``IndexError`` for anything else (the caller then
    takes the general path): a number outside the tables, a non-canonical mask, a tuple
    count differing from the mask, spacing other than one space after each token, an unknown
    TAB layout.
    """
    guid, name, rounds, team, block = parts  # ValueError unless 5 parts
    ints = _INTS
    tokens = block.split(" ")
    if tokens.pop():  # the block must end with exactly one space
        raise KeyError(block)
    mask = tokens[0]
    indexes = _MASKS.get(mask)
    if indexes is None:
        indexes = _MASKS[mask]
    if len(tokens) != 1 + 5 * len(indexes):
        raise ValueError(block)
    weapons: list[WeaponStats] = []
    kills = deaths = shots = 0
    clean = True  # every tuple passes the per-weapon checks
    k = 1
    for index in indexes:
        hits, w_shots = ints[tokens[k]], ints[tokens[k + 1]]
        w_kills, w_deaths, heads = ints[tokens[k + 2]], ints[tokens[k + 3]], ints[tokens[k + 4]]
        k += 5
        weapons.append(build_weapon_stats(index, hits, w_shots, w_kills, w_deaths, heads))
        kills += w_kills
        deaths += w_deaths
        shots += w_shots
        if heads > hits or (hits > w_shots and index not in SPLASH_WEAPONS):
            clean = False
    player = build_player_stats(
        guid, name, ints[rounds], ints[team], tuple(weapons), _read_tab(tab.split("\t")), line
    )
    # The tables hold no negative number, so no TAB value is negative (tab_clean).
    return player, ((kills, deaths, shots, True) if clean else None)


def read_players(
    tok: Tokenizer, lines: list[str], strip_cr: bool
) -> tuple[list[PlayerStats], list[PlayerHint | None]]:
    """The players of ``lines[1:]`` (line numbers from 2) and one validator hint per player.

    ``strip_cr``: the text has a ``\\r`` somewhere, so a ``\\r`` ending a line is removed.
    Findings (blank lines, and everything the general path reports) go to ``tok.findings``.
    """
    players: list[PlayerStats] = []
    hints: list[PlayerHint | None] = []
    for number in range(2, len(lines) + 1):
        line = lines[number - 1]
        if strip_cr and line.endswith("\r"):
            line = line[:-1]
        if not line:
            tok.blank_line(number)
            continue
        pre, sep, tab = line.partition("\t")
        parts = pre.split("\\")
        if sep and len(parts) == 5:  # else the general path reports the problem
            try:
                player, hint = _read_canonical(parts, tab, number)
            except (KeyError, ValueError, IndexError):  # not canonical: the general path
                pass
            else:
                players.append(player)
                hints.append(hint)
                continue
        general = tok.player(line, number)
        if general is not None:
            players.append(general)
            hints.append(None)
    return players, hints


__all__ = ["read_players"]
