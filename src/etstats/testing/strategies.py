"""Hypothesis strategies for the stats-file models (public: any test may use them).

Every strategy generates models that render to text the parser reads back *equal*:
``parse_stats_text(render_stats_round(r)) == r``. That means: clocks >= 0 or ``None``; floats
with one decimal; names and header texts without ``\\``, TAB, line breaks or control
characters; weapon tuples in ascending WS index, unique; a 9-field header's f9 may be
``None`` (rendered empty), an 8-field header has ``playtime_ms=None``.

* :func:`headers` - 8- and 9-field headers;
* :func:`raw_names` - names with colour codes, spaces, Latin-1 and other characters;
* :func:`weapon_stats`, :func:`tab_stats` (every layout), :func:`players` (humans, bots,
  empty GUIDs, lines without a TAB section);
* :func:`stats_rounds` - whole files (zero players allowed), one TAB layout per file.
"""

from __future__ import annotations

import functools

from hypothesis import strategies as st

from etstats.model.stats import (
    FLOAT_TAB_FIELDS,
    TAB_LAYOUTS,
    WEAPON_COUNT,
    PlayerStats,
    StatsHeader,
    StatsRound,
    TabStats,
    WeaponStats,
)

LAYOUTS: tuple[int, ...] = tuple(sorted(TAB_LAYOUTS))
"""The TAB layouts (field counts) the strategies cover."""

_EXCLUDED = "\\\t\n\r\ufeff"
_TEXT_CHARS = st.characters(
    blacklist_characters=_EXCLUDED, blacklist_categories=["Cs", "Cc"], max_codepoint=0x2FFF
)
_LATIN1_CHARS = st.characters(
    blacklist_characters=_EXCLUDED,
    blacklist_categories=["Cs", "Cc"],
    min_codepoint=0x20,
    max_codepoint=0xFF,
)
_COLOUR = st.builds(lambda c: "^" + c, st.sampled_from("0123456789abcdefghijklmnopqrstuvwxyz/.:?*"))


@functools.cache
def texts(max_size: int = 30) -> st.SearchStrategy[str]:
    """Header/name text: anything but the separators, line breaks and control characters."""
    return st.text(_TEXT_CHARS, max_size=max_size)


@functools.cache
def raw_names() -> st.SearchStrategy[str]:
    """Player names as the engine holds them: colour codes, spaces, Latin-1, anything else."""
    piece = st.one_of(_COLOUR, st.text(_LATIN1_CHARS, min_size=1, max_size=6), texts(4))
    return st.lists(piece, max_size=5).map("".join)


@functools.cache
def guids() -> st.SearchStrategy[str]:
    """8 uppercase hex digits mostly; Omni-bot prefixes and the empty GUID sometimes."""
    hex8 = st.integers(0, 0xFFFFFFFF).map("{:08X}".format)  # one draw, not eight
    return st.one_of(hex8, hex8, hex8, st.sampled_from(["OMNIBOT0", "OMNIBOT1", ""]))


@functools.cache
def clocks() -> st.SearchStrategy[int | None]:
    """A clock in seconds (``M:SS`` renders any non-negative value) or unknown."""
    return st.one_of(st.none(), st.integers(0, 100 * 60), st.integers(0, 10**6))


@functools.cache
def headers(field_count: int | None = None) -> st.SearchStrategy[StatsHeader]:
    """Headers of 8 or 9 fields (``field_count`` pins one)."""
    if field_count is not None:
        return _headers_of(field_count)
    return st.sampled_from([8, 9]).flatmap(_headers_of)


_MAP_NAMES = st.from_regex(r"[a-z0-9_]{1,20}", fullmatch=True)


@functools.cache  # strategies are built once, not once per example (that was most of the cost)
def _headers_of(count: int) -> st.SearchStrategy[StatsHeader]:
    playtime: st.SearchStrategy[int | None] = (
        st.one_of(st.none(), st.integers(-(10**7), 10**8)) if count == 9 else st.none()
    )
    return st.builds(
        StatsHeader,
        server_name=texts(),
        map_name=_MAP_NAMES,
        config=texts(12),
        round_number=st.sampled_from([1, 2, 1, 2, 0, 3]),
        defender_team=st.sampled_from([1, 2, 1, 2, 0]),
        winner_team=st.sampled_from([0, 1, 2]),
        time_limit_seconds=clocks(),
        clock_seconds=clocks(),
        playtime_ms=playtime,
        field_count=st.just(count),
    )


def _weapon_from_bytes(index: int, data: bytes) -> WeaponStats:
    hits, shots = (int.from_bytes(data[i : i + 2]) % 2001 for i in (0, 2))
    return WeaponStats(index, hits, shots, data[4] % 51, data[5] % 51, data[6] % 101)


@functools.cache
def weapon_stats(index: int) -> st.SearchStrategy[WeaponStats]:
    """One weapon tuple for WS ``index``: hits and shots 0..2000, kills and deaths 0..50,
    headshots 0..100. One draw of 7 bytes (the size budget; all-zero bytes give zeros)."""
    return st.binary(min_size=7, max_size=7).map(functools.partial(_weapon_from_bytes, index))


@functools.cache
def weapon_lists() -> st.SearchStrategy[tuple[WeaponStats, ...]]:
    """Weapon tuples for a random set of WS indexes, ascending (possibly none)."""
    indexes = st.lists(st.integers(0, WEAPON_COUNT - 1), unique=True, max_size=8).map(sorted)
    return indexes.flatmap(lambda ix: st.tuples(*map(weapon_stats, ix)))


_TAB_MAX = 100_000
"""Largest TAB value drawn: integers 0..100,000, floats 0.0..10,000.0 (one decimal)."""


def _tab_value(b0: int, b1: int, b2: int) -> int:
    """One TAB number from three bytes: 0 a quarter of the time, else a small (< 256), a
    medium (< 65,536) or a large (up to :data:`_TAB_MAX`) value; all-zero bytes give 0, so
    Hypothesis shrinks a failing TAB towards zeros."""
    if b0 < 64:
        return 0
    if b0 < 128:
        return b1
    if b0 < 192:
        return b1 << 8 | b2
    return (b1 << 8 | b2) * _TAB_MAX // 0xFFFF


def _tab_from_bytes(layout: int, data: bytes) -> TabStats:
    names = TAB_LAYOUTS[layout]
    values = {
        name: (v / 10 if name in FLOAT_TAB_FIELDS else v)
        for name, v in zip(names, map(_tab_value, data[0::3], data[1::3], data[2::3]), strict=True)
    }
    return TabStats(layout, **values)  # type: ignore[arg-type]


@functools.cache
def _tab_of_layout(layout: int) -> st.SearchStrategy[TabStats]:
    # The size budget: a whole TAB section is ONE draw of 3 bytes per field, not one draw per
    # field; per-field draws made generation ~90 % of a stats property test's time.
    size = 3 * len(TAB_LAYOUTS[layout])
    return st.binary(min_size=size, max_size=size).map(functools.partial(_tab_from_bytes, layout))


def tab_stats(layout: int | None = None) -> st.SearchStrategy[TabStats]:
    """A TAB section of ``layout`` fields (any known layout when ``None``): each value is 0,
    small, medium or large (up to 100,000; floats a tenth of that, one decimal)."""
    if layout is not None:
        return _tab_of_layout(layout)
    return st.sampled_from(LAYOUTS).flatmap(_tab_of_layout)


@functools.cache  # built once per layout: stats_rounds draws a layout per example
def players(
    layout: int | None = None, *, allow_no_tab: bool = True
) -> st.SearchStrategy[PlayerStats]:
    """A player line; its TAB section has ``layout`` fields (random when ``None``)."""
    tab: st.SearchStrategy[TabStats | None] = tab_stats(layout)
    if allow_no_tab:
        tab = st.one_of(tab, tab, tab, st.none())
    name = st.one_of(raw_names(), raw_names().map(lambda n: "[BOT]" + n))
    return st.builds(
        PlayerStats,
        guid=guids(),
        raw_name=name,
        rounds=st.integers(0, 3),
        team=st.sampled_from([1, 2, 1, 2, 3]),
        weapons=weapon_lists(),
        tab=tab,
    )


def stats_rounds(
    *, layout: int | None = None, field_count: int | None = None, max_players: int = 12
) -> st.SearchStrategy[StatsRound]:
    """Whole stats files: one TAB layout per file, 0..``max_players`` players."""
    layouts = st.just(layout) if layout is not None else st.sampled_from(LAYOUTS)
    return layouts.flatmap(
        lambda n: st.builds(
            StatsRound,
            header=headers(field_count),
            players=st.lists(players(n), max_size=max_players).map(tuple),
        )
    )


__all__ = [
    "LAYOUTS",
    "clocks",
    "guids",
    "headers",
    "players",
    "raw_names",
    "stats_rounds",
    "tab_stats",
    "texts",
    "weapon_lists",
    "weapon_stats",
]
