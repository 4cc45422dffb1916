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
    blacklist_characters=_EXCLUDED, blacklist_categories=["Cs", "Cc"],
    min_codepoint=0x20, max_codepoint=0xFF,
)  # fmt: skip
_COLOUR = st.builds(lambda c: "^" + c, st.sampled_from("0123456789abcdefghijklmnopqrstuvwxyz/.:?*"))


def texts(max_size: int = 30) -> st.SearchStrategy[str]:
    """Header/name text: anything but the separators, line breaks and control characters."""
    return st.text(_TEXT_CHARS, max_size=max_size)


def raw_names() -> st.SearchStrategy[str]:
    """Player names as the engine holds them: colour codes, spaces, Latin-1, anything else."""
    piece = st.one_of(_COLOUR, st.text(_LATIN1_CHARS, min_size=1, max_size=6), texts(4))
    return st.lists(piece, max_size=5).map("".join)


def guids() -> st.SearchStrategy[str]:
    """8 uppercase hex digits mostly; Omni-bot prefixes and the empty GUID sometimes."""
    hex8 = st.text("0123456789ABCDEF", min_size=8, max_size=8)
    return st.one_of(hex8, hex8, hex8, st.sampled_from(["OMNIBOT0", "OMNIBOT1", ""]))


def clocks() -> st.SearchStrategy[int | None]:
    """A clock in seconds (``M:SS`` renders any non-negative value) or unknown."""
    return st.one_of(st.none(), st.integers(0, 100 * 60), st.integers(0, 10**6))


def headers(field_count: int | None = None) -> st.SearchStrategy[StatsHeader]:
    """Headers of 8 or 9 fields (``field_count`` pins one)."""
    counts = st.just(field_count) if field_count is not None else st.sampled_from([8, 9])

    def build(count: int) -> st.SearchStrategy[StatsHeader]:
        playtime: st.SearchStrategy[int | None] = (
            st.one_of(st.none(), st.integers(-10**7, 10**8)) if count == 9 else st.none()
        )  # fmt: skip
        return st.builds(
            StatsHeader,
            server_name=texts(),
            map_name=st.from_regex(r"[a-z0-9_]{1,20}", fullmatch=True),
            config=texts(12),
            round_number=st.sampled_from([1, 2, 1, 2, 0, 3]),
            defender_team=st.sampled_from([1, 2, 1, 2, 0]),
            winner_team=st.sampled_from([0, 1, 2]),
            time_limit_seconds=clocks(),
            clock_seconds=clocks(),
            playtime_ms=playtime,
            field_count=st.just(count),
        )

    return counts.flatmap(build)


_COUNT = st.integers(0, 2000)


def weapon_stats(index: int) -> st.SearchStrategy[WeaponStats]:
    """One weapon tuple for WS ``index`` (non-negative counts)."""
    return st.builds(
        WeaponStats, index=st.just(index), hits=_COUNT, shots=_COUNT, kills=st.integers(0, 50),
        deaths=st.integers(0, 50), headshots=st.integers(0, 100),
    )  # fmt: skip


def weapon_lists() -> st.SearchStrategy[tuple[WeaponStats, ...]]:
    """Weapon tuples for a random set of WS indexes, ascending (possibly none)."""
    indexes = st.lists(st.integers(0, WEAPON_COUNT - 1), unique=True, max_size=8).map(sorted)
    return indexes.flatmap(lambda ix: st.tuples(*(weapon_stats(j) for j in ix)))


def _one_decimal(max_tenths: int = 100_000) -> st.SearchStrategy[float]:
    return st.integers(0, max_tenths).map(lambda t: t / 10)


def tab_stats(layout: int | None = None) -> st.SearchStrategy[TabStats]:
    """A TAB section of ``layout`` fields (any known layout when ``None``)."""
    layouts = st.just(layout) if layout is not None else st.sampled_from(LAYOUTS)

    def build(n: int) -> st.SearchStrategy[TabStats]:
        fields: dict[str, st.SearchStrategy[object]] = {
            name: _one_decimal() if name in FLOAT_TAB_FIELDS else st.integers(0, 100_000)
            for name in TAB_LAYOUTS[n]
        }
        return st.fixed_dictionaries(fields).map(lambda d: TabStats(n, **d))  # type: ignore[arg-type]

    return layouts.flatmap(build)


def players(
    layout: int | None = None, *, allow_no_tab: bool = True
) -> st.SearchStrategy[PlayerStats]:
    """A player line; its TAB section has ``layout`` fields (random when ``None``)."""
    tab: st.SearchStrategy[TabStats | None] = tab_stats(layout)
    if allow_no_tab:
        tab = st.one_of(tab, tab, tab, st.none())
    name = st.one_of(raw_names(), raw_names().map(lambda n: "[BOT]" + n))
    return st.builds(
        PlayerStats, guid=guids(), raw_name=name, rounds=st.integers(0, 3),
        team=st.sampled_from([1, 2, 1, 2, 3]), weapons=weapon_lists(), tab=tab,
    )  # fmt: skip


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
