"""The stats parser's fast line reader: whole canonical player lines in two generated calls.

Private: used by :mod:`etstats.parsing.stats_file`. :func:`read_players` reads the player lines
of one file. A line written exactly as the script writes it (5 backslash parts, a known TAB
layout, every number canonical and inside the ``_INTS``/``_FLOATS`` tables, a canonical weapon
mask matching the tuple count) is read by two generated functions: one per TAB layout builds
the ``TabStats``, one per weapon count reads the rest and builds the ``WeaponStats`` and the
``PlayerStats``. They convert every number with one dict lookup, build the objects with plain
slot stores, and run the validator's per-player pre-check (``_quiet``) on the values read.
Any other line - and any line on which a lookup misses - goes to :meth:`Tokenizer.player`,
the general path (which records the findings). The fast path records no findings, so the
result is the same either way. Generating per layout and per weapon count, not per pair,
keeps the one-time compile cost low (17 small functions for the real corpus, not 36 large).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, cast

import attrs

from etstats._sealing import open_twin
from etstats.model.stats import (
    SPLASH_WEAPONS,
    TAB_LAYOUTS,
    WEAPON_COUNT,
    PlayerStats,
    TabStats,
    WeaponStats,
)
from etstats.parsing._stats_tokens import (
    _FLOATS,
    _INTS,
    _POS_INT,
    _TAB_FLOAT_POS,
    MAX_MASK,
    Tokenizer,
)
from etstats.validate.stats import _KD_LIMIT, PlayerHint

_Hint = PlayerHint | Literal[True] | None
"""Per player, for the validator: ``True`` when the pre-check proved that no per-player rule
fires, the weapon sums (a :data:`PlayerHint`) when it did not, ``None`` for a line read by
:meth:`Tokenizer.player` (the validator then runs every per-player rule)."""
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


_MASKS = _MaskIndexes()
_TabReader = Callable[[list[str]], TabStats]
_LineReader = Callable[
    [str, str, str, str, list[str], TabStats, int, Callable[[PlayerStats], None]], _Hint
]


def _tab_source(layout: int) -> str:
    """Python source of ``tab(fields) -> TabStats`` for a ``layout``-field TAB section.

    Straight-line on purpose: each field one ``_I``/``_F`` lookup of a local (a ``KeyError``
    sends the line to the general path) and one slot store on the store class.
    ``bullets_fired`` is the one field past 9,999 in real files (5 % of lines): a canonical
    bigger integer is read by ``_big`` instead of sending the line to the general path.
    """
    names = TAB_LAYOUTS[layout]
    lines = [
        "def tab(f):",
        f'    """A {layout}-field TAB section."""',
        f"    {''.join(f'v{j}, ' for j in range(layout))}= f  # ValueError unless {layout}",
        "    o = _new(_TabStore)",
        f"    o.layout = {layout}",
    ]
    for j, (name, is_float) in enumerate(zip(names, _TAB_FLOAT_POS[layout], strict=True)):
        if name == "bullets_fired":
            lines += [f"    bf = _Ig(v{j})", "    if bf is None:",
                      f"        bf = _big(v{j})  # KeyError unless canonical",
                      "    o.bullets_fired = bf"]  # fmt: skip
        else:
            lines.append(f"    o.{name} = {'_F' if is_float else '_I'}[v{j}]")
    for a in attrs.fields(TabStats):
        if a.name != "layout" and a.name not in names:
            if a.default is not None:  # every field a layout can lack defaults to None
                raise AssertionError(f"TabStats.{a.name} does not default to None")
            lines.append(f"    o.{a.name} = None  # not in this layout")
    lines += ["    o.__class__ = _TabStats", "    return o", ""]
    return "\n".join(lines)


def _reader_source(weapons: int) -> str:
    """Python source of ``read(...)`` for a player line with ``weapons`` weapon tuples.

    ``read(guid, name, rounds, team, tokens, tab, line, out)``: ``tokens`` is the weapon
    block split on spaces, ``tab`` the line's ``TabStats`` (from the layout's TAB reader).
    Straight-line on purpose: each number is one ``_I`` lookup of a local (a ``KeyError``
    sends the line to the general path). Each ``WeaponStats`` is built in place, not looked
    up in a cache of tuples (as the parser once did): in one pass over the real corpus only
    about half of the tuples repeat, and a hit (a key tuple, its hash, a compare) costs about
    what a build does; measured, the build is 13 % faster per cold pass and no slower warm.
    The tail is ``_quiet`` of :mod:`etstats.validate.stats` (rounds and every TAB value are
    known non-negative here, since the tables hold no negative number).

    The mask table fills itself on a miss (a ``dict`` subclass), and indexing a ``dict``
    subclass takes CPython's slow generic path (a method call); so the code calls its plain
    ``dict.get`` (``_Mg``) and indexes the subclass only on a miss.
    """
    w = [f"h{i}, s{i}, k{i}, d{i}, e{i}" for i in range(weapons)]
    lines = [
        "def read(g, nm, r, tm, t, o, no, out):",
        f'    """A player line with {weapons} weapon tuple(s); -> the validator hint."""',
        f"    m, {''.join(x + ', ' for x in w)}end = t  # ValueError unless {2 + 5 * weapons}",
        "    if end:  # the block must end with exactly one space",
        "        raise KeyError(end)",
        "    ix = _Mg(m)",
        "    if ix is None:",
        "        ix = _M[m]  # a new mask, checked and stored (KeyError unless canonical)",
        f"    {''.join(f'i{i}, ' for i in range(weapons))}= ix  # ValueError unless {weapons} bits"
        if weapons else "    if ix:  # the mask must be 0\n        raise KeyError(m)",
        "    r = _I[r]",
        "    tm = _I[tm]",
    ]  # fmt: skip
    for i in range(weapons):
        lines.append(f"    h{i} = _I[h{i}]; s{i} = _I[s{i}]; k{i} = _I[k{i}]; "
                     f"d{i} = _I[d{i}]; e{i} = _I[e{i}]")  # fmt: skip
    lines.append("    u = False  # some tuple fails a per-weapon check")
    for i in range(weapons):
        lines += [
            f"    w{i} = _new(_WeaponStore); w{i}.index = i{i}; w{i}.hits = h{i}; "
            f"w{i}.shots = s{i}; w{i}.kills = k{i}",
            f"    w{i}.deaths = d{i}; w{i}.headshots = e{i}; w{i}.__class__ = _WeaponStats",
            f"    if e{i} > h{i} or h{i} > s{i} and i{i} not in _SPLASH:",
            "        u = True",
        ]
    lines.append(f"    w = ({''.join(f'w{i}, ' for i in range(weapons))})")
    for c in "ksd":
        lines.append(f"    {c} = {' + '.join(f'{c}{i}' for i in range(weapons)) or '0'}")
    lines += [
        "    p = _new(_PlayerStore)",
        "    p.guid = g; p.raw_name = nm; p.rounds = r; p.team = tm",
        "    p.weapons = w; p.tab = o; p.line = no",
        "    p.__class__ = _PlayerStats",
        "    if u:",
        "        hint = None",
    ]
    if weapons == 0:  # "no-weapons" fires: the validator runs the per-player rules
        lines += ["    else:", "        hint = (k, d, s, True)"]
    else:
        lines += [
            "    elif (len(g) == 8 and not g.strip(_HEX) and (tm == 1 or tm == 2 or tm == 3)",
            "          and (o.layout != 38 or o.bullets_fired == s)",
            "          and o.time_dead_minutes <= o.time_played_minutes",
            "          and o.time_dead_ratio <= 100.0 and o.time_played_percent <= 100.0",
            "          and o.headshot_kills <= k",
            "          and abs(o.kd_ratio - (float(k + 1) if d <= 0",
            "                                else ((20 * k + d) // (2 * d)) / 10)) <= _KD_LIMIT):",
            "        hint = True  # the pre-check proved no per-player rule fires",
            "    else:",
            "        hint = (k, d, s, True)",
        ]
    lines += ["    out(p)", "    return hint", ""]
    return "\n".join(lines)


def _big_int(text: str) -> int:
    """A canonical integer outside ``_INTS`` (no sign or leading zero, at most 18 digits), read
    as the general path reads it without a finding; ``KeyError`` for any other text."""
    if _POS_INT.fullmatch(text) is None:
        raise KeyError(text)
    return int(text)


def _compile(source: str, name: str, namespace: dict[str, object]) -> object:
    """The function defined by ``source`` (its name follows ``def``), run in ``namespace``."""
    exec(compile(source, name, "exec"), namespace)  # noqa: S102
    return namespace[source[4 : source.index("(")]]


class _TabReaders(dict[int, _TabReader | None]):
    """Generated TAB readers by field count, made on first use (``None``, not stored, for an
    unknown layout)."""

    __slots__ = ()

    def __missing__(self, layout: int) -> _TabReader | None:
        if layout not in TAB_LAYOUTS:
            return None
        namespace: dict[str, object] = {
            "_I": _INTS, "_Ig": _INTS.get, "_big": _big_int, "_F": _FLOATS,
            "_new": object.__new__, "_TabStore": open_twin(TabStats), "_TabStats": TabStats,
        }  # fmt: skip
        tab = cast("_TabReader", _compile(_tab_source(layout), f"<TAB {layout}>", namespace))
        self[layout] = tab
        return tab


class _LineReaders(dict[int, _LineReader | None]):
    """Generated line readers by weapon-block token count (``2 + 5 * tuples``), made on first
    use (``None``, not stored, for a count no canonical block has)."""

    __slots__ = ()

    def __missing__(self, tokens: int) -> _LineReader | None:
        weapons, rest = divmod(tokens - 2, 5)
        if rest or not 0 <= weapons <= WEAPON_COUNT:
            return None
        namespace: dict[str, object] = {
            "_I": _INTS, "_M": _MASKS, "_Mg": _MASKS.get, "_SPLASH": SPLASH_WEAPONS,
            "_new": object.__new__, "_WeaponStore": open_twin(WeaponStats),
            "_WeaponStats": WeaponStats, "_PlayerStore": open_twin(PlayerStats),
            "_PlayerStats": PlayerStats, "_HEX": "0123456789ABCDEF", "_KD_LIMIT": _KD_LIMIT,
        }  # fmt: skip
        source = _reader_source(weapons)
        reader = cast("_LineReader", _compile(source, f"<stats line {weapons}w>", namespace))
        self[tokens] = reader
        return reader


_TAB_READERS = _TabReaders()
_READERS = _LineReaders()
"""The fast path's line readers. Tests replace it with a mapping of ``None`` to switch the
whole-line reader off."""


def read_players(
    tok: Tokenizer, lines: list[str], strip_cr: bool
) -> tuple[list[PlayerStats], list[_Hint]]:
    """The players of ``lines[1:]`` (line numbers from 2) and one validator hint per player.

    ``strip_cr``: the text has a ``\\r`` somewhere, so a ``\\r`` ending a line is removed.
    Findings (blank lines, and everything the general path reports) go to ``tok.findings``.
    """
    players: list[PlayerStats] = []
    hints: list[_Hint] = []
    out = players.append
    hint = hints.append
    readers, tab_readers = _READERS, _TAB_READERS
    reader = readers.get  # dict.get: see _reader_source on indexing dict subclasses
    tab_reader = tab_readers.get
    for number in range(2, len(lines) + 1):
        line = lines[number - 1]
        if strip_cr and line.endswith("\r"):
            line = line[:-1]
        if not line:
            tok.blank_line(number)
            continue
        pre, sep, tab = line.partition("\t")
        parts = pre.split("\\")
        if sep and len(parts) == 5:
            guid, name, rounds, team, block = parts
            toks = block.split(" ")
            fields = tab.split("\t")
            read = reader(len(toks)) or readers[len(toks)]
            read_tab = tab_reader(len(fields)) or tab_readers[len(fields)]
            if read is not None and read_tab is not None:
                try:
                    hint(read(guid, name, rounds, team, toks, read_tab(fields), number, out))
                    continue
                except (KeyError, ValueError):  # not canonical: the general path decides
                    pass
        player = tok.player(line, number)
        if player is not None:
            out(player)
            hint(None)
    return players, hints


__all__ = ["read_players"]
