"""The stats parser's fast line reader: whole canonical player lines in one generated call.

Private: used by :mod:`etstats.parsing.stats_file`. :func:`read_players` reads the player lines
of one file. A line written exactly as the script writes it (5 backslash parts, a known TAB
layout, every number canonical and inside the ``_INTS``/``_FLOATS`` tables, a canonical weapon
mask matching the tuple count) is read by one generated function for its weapon count and TAB
layout. That function converts every number with one dict lookup, builds the objects with
plain slot stores, and runs the validator's per-player pre-check (``_quiet``) on the values
while they are still local variables. Any other line - and any line on which a lookup misses -
goes to :meth:`Tokenizer.player`, the general path (which records the findings). The fast path
records no findings, so the result is the same either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, cast

import attrs

from etstats.model.stats import (
    SPLASH_WEAPONS,
    TAB_LAYOUTS,
    WEAPON_COUNT,
    PlayerStats,
    TabStats,
    WeaponStats,
    _store_class,
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
fires, else what :meth:`Tokenizer.player` gives (a :data:`PlayerHint` or ``None``)."""
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
_LineReader = Callable[
    [str, str, str, str, list[str], list[str], int, Callable[[PlayerStats], None]], _Hint
]
_FIELDS_PER_KEY = 1024
"""Reader key: ``len(weapon tokens) * _FIELDS_PER_KEY + len(TAB fields)``; every reader
unpacks both lists to their exact length, so a collision can only cause a fallback."""


def _reader_source(weapons: int, layout: int) -> str:
    """Python source of ``read(...)`` for ``weapons`` tuples and a ``layout``-field TAB section.

    The generated code is straight-line on purpose: each number is one ``_I``/``_F`` lookup
    of a local (a ``KeyError`` sends the line to the general path), each field one slot store
    on the store class. Each ``WeaponStats`` is built in place, not looked up in
    ``_WEAPON_CACHE``: in one pass over the real corpus only about half of the tuples repeat,
    and a hit (a key tuple, its hash, a compare) costs about what a build does; measured, the
    build is 13 % faster per cold pass and no slower warm. The tail is
    ``_quiet`` of :mod:`etstats.validate.stats` on the local values (rounds and every TAB
    value are known non-negative here, since the tables hold no negative number).

    The mask table fills itself on a miss (a ``dict`` subclass), and indexing a ``dict``
    subclass takes CPython's slow generic path (a method call); so the code calls its plain
    ``dict.get`` (``_Mg``) and indexes the subclass only on a miss.
    """
    w = [f"h{i}, s{i}, k{i}, d{i}, e{i}" for i in range(weapons)]
    names = TAB_LAYOUTS[layout]
    floats = _TAB_FLOAT_POS[layout]
    lines = [
        "def read(g, nm, r, tm, t, f, no, out):",
        f'    """{weapons} weapon tuple(s), {layout} TAB fields; -> validator hint."""',
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
    lines.append(f"    {''.join(f'v{j}, ' for j in range(layout))}= f")
    lines.append("    o = _new(_TabStore)")
    lines.append(f"    o.layout = {layout}")
    locals_ = {"time_played_percent": "tpp", "headshot_kills": "hk", "bullets_fired": "bf",
               "time_played_minutes": "tpm", "time_dead_ratio": "tdr",
               "time_dead_minutes": "tdm", "kd_ratio": "kd"}  # fmt: skip
    for j, (name, is_float) in enumerate(zip(names, floats, strict=True)):
        value = f"{'_F' if is_float else '_I'}[v{j}]"
        if name == "bullets_fired":  # the one field past 9,999 in real files (5 % of lines)
            lines += [f"    bf = _Ig(v{j})", "    if bf is None:",
                      f"        bf = _big(v{j})  # KeyError unless canonical"]  # fmt: skip
            value = "bf"
        elif name in locals_:
            value = f"{locals_[name]} = {value}"
        lines.append(f"    o.{name} = {value}")
    for a in attrs.fields(TabStats):
        if a.name != "layout" and a.name not in names:
            if a.default is not None:  # every field a layout can lack defaults to None
                raise AssertionError(f"TabStats.{a.name} does not default to None")
            lines.append(f"    o.{a.name} = None  # not in this layout")
    lines.append("    o.__class__ = _TabStats")
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
        bullets = "bf == s and " if layout == 38 else ""
        lines += [
            "    elif (len(g) == 8 and not g.strip(_HEX) and (tm == 1 or tm == 2 or tm == 3)",
            f"          and {bullets}tdm <= tpm and tdr <= 100.0 and tpp <= 100.0 and hk <= k",
            "          and abs(kd - (float(k + 1) if d <= 0 else ((20 * k + d) // (2 * d)) / 10))",
            "          <= _KD_LIMIT):",
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


class _LineReaders(dict[int, _LineReader | None]):
    """Generated line readers by key (see ``_FIELDS_PER_KEY``), made on first use.

    ``None`` (not stored) for a key no canonical line can have.
    """

    __slots__ = ()

    def __missing__(self, key: int) -> _LineReader | None:
        tokens, layout = divmod(key, _FIELDS_PER_KEY)
        weapons, rest = divmod(tokens - 2, 5)
        if rest or not 0 <= weapons <= WEAPON_COUNT or layout not in TAB_LAYOUTS:
            return None
        namespace: dict[str, object] = {
            "_I": _INTS, "_Ig": _INTS.get, "_big": _big_int, "_F": _FLOATS, "_M": _MASKS,
            "_Mg": _MASKS.get, "_SPLASH": SPLASH_WEAPONS,
            "_WeaponStore": _store_class(WeaponStats), "_WeaponStats": WeaponStats,
            "_new": object.__new__, "_TabStore": _store_class(TabStats), "_TabStats": TabStats,
            "_PlayerStore": _store_class(PlayerStats), "_PlayerStats": PlayerStats,
            "_HEX": "0123456789ABCDEF", "_KD_LIMIT": _KD_LIMIT,
        }  # fmt: skip
        code = compile(
            _reader_source(weapons, layout), f"<stats line {weapons}w {layout}t>", "exec"
        )
        exec(code, namespace)  # noqa: S102
        reader = cast("_LineReader", namespace["read"])
        self[key] = reader
        return reader


_READERS = _LineReaders()
"""The fast path's readers. Tests replace it with a mapping of ``None`` to switch it off."""


def read_players(
    tok: Tokenizer, lines: list[str], strip_cr: bool
) -> tuple[list[PlayerStats], list[_Hint]]:
    """The players of ``lines[1:]`` (line numbers from 2) and one validator hint per player.

    ``strip_cr``: the text has a ``\\r`` somewhere, so a ``\\r`` ending a line is removed.
    Findings (blank lines, and everything the general path reports) go to ``tok.findings``.
    """
    players: list[PlayerStats] = []
    hints: list[_Hint] = cast("list[_Hint]", tok.hints)
    out = players.append
    hint = hints.append
    readers = _READERS
    reader = readers.get  # dict.get: see _reader_source on indexing dict subclasses
    per_key = _FIELDS_PER_KEY
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
            key = len(toks) * per_key + len(fields)
            read = reader(key) or readers[key]
            if read is not None:
                try:
                    hint(read(guid, name, rounds, team, toks, fields, number, out))
                    continue
                except (KeyError, ValueError):  # not canonical: the general path decides
                    pass
        player = tok.player(line, number)
        if player is not None:
            out(player)
    return players, hints


__all__ = ["read_players"]
