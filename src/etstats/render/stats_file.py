"""Render a :class:`~etstats.model.stats.StatsRound` as the exact c0rnp0rn stats-file text.

The output is what the Lua script writes: a ``\\``-joined header (clocks as ``M:SS``, minutes
unpadded; f9 only for 9-field headers), then one line per player
``GUID\\name\\rounds\\team\\mask h s k d hs ... \\t<TAB fields>`` where the weapon block ends with
a single space before the first TAB and floats use one decimal (``%.1f``), and a final newline.
``parse_stats_text(render_stats_round(r)) == r`` for every valid model; for every real file
``render_stats_round(parse_stats_text(text)) == text`` (LF line endings).

Unknown values (``None`` clocks or f9) render as empty fields, which the parser reads back as
``None`` (with an ``invalid-clock``/``invalid-playtime`` finding).
"""

from __future__ import annotations

from etstats.model.stats import (
    FLOAT_TAB_FIELDS,
    TAB_LAYOUTS,
    PlayerStats,
    StatsHeader,
    StatsRound,
    TabStats,
)

_LAYOUT_FLOATS: dict[int, tuple[tuple[str, bool], ...]] = {
    n: tuple((name, name in FLOAT_TAB_FIELDS) for name in names) for n, names in TAB_LAYOUTS.items()
}


def render_clock(seconds: int | None) -> str:
    """``M:SS`` as the script writes it (``""`` for ``None``); ``seconds`` must be >= 0."""
    if seconds is None:
        return ""
    if seconds < 0:
        raise ValueError(f"a clock cannot be negative: {seconds}")
    return f"{seconds // 60}:{seconds % 60:02d}"


def render_header(header: StatsHeader) -> str:
    """Line 1 without its newline. ``field_count`` must be 8 or 9."""
    if header.field_count not in (8, 9):
        raise ValueError(f"header field_count must be 8 or 9, got {header.field_count}")
    fields = [
        header.server_name,
        header.map_name,
        header.config,
        str(header.round_number),
        str(header.defender_team),
        str(header.winner_team),
        render_clock(header.time_limit_seconds),
        render_clock(header.clock_seconds),
    ]
    if header.field_count == 9:
        fields.append("" if header.playtime_ms is None else str(header.playtime_ms))
    return "\\".join(fields)


def render_tab(tab: TabStats) -> str:
    """The TAB section (fields joined by TAB, floats ``%.1f``), without the leading TAB."""
    layout = _LAYOUT_FLOATS.get(tab.layout)
    if layout is None:
        raise ValueError(f"unknown TAB layout {tab.layout} (known: {sorted(TAB_LAYOUTS)})")
    out = []
    for name, is_float in layout:
        value = getattr(tab, name)
        if value is None:
            out.append("")
        elif is_float:
            out.append(f"{value:.1f}")
        else:
            out.append(str(value))
    return "\t".join(out)


def render_player(player: PlayerStats) -> str:
    """One player line without its newline."""
    block = [str(player.weapon_mask)]
    for w in sorted(player.weapons, key=lambda w: w.index):
        block.append(f"{w.hits} {w.shots} {w.kills} {w.deaths} {w.headshots}")
    text = f"{player.guid}\\{player.raw_name}\\{player.rounds}\\{player.team}\\{' '.join(block)} "
    if player.tab is not None:
        text += "\t" + render_tab(player.tab)
    return text


def render_stats_round(rnd: StatsRound) -> str:
    """The whole file text (LF line endings, final newline)."""
    lines = [render_header(rnd.header)]
    lines.extend(render_player(p) for p in rnd.players)
    return "\n".join(lines) + "\n"


def render_stats_bytes(rnd: StatsRound, *, encoding: str = "utf-8") -> bytes:
    """The file as bytes. ``encoding`` is ``"utf-8"`` or ``"latin-1"``.

    With ``"latin-1"`` (what the engine holds for most names) a line containing a character
    outside Latin-1 is written as UTF-8 instead, so nothing is lost.
    """
    text = render_stats_round(rnd)
    if encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        return text.encode("utf-8")
    if encoding.replace("_", "-").lower() not in ("latin-1", "latin1", "iso-8859-1"):
        raise ValueError(f"encoding must be 'utf-8' or 'latin-1', got {encoding!r}")
    out = []
    for line in text.split("\n"):
        try:
            out.append(line.encode("latin-1"))
        except UnicodeEncodeError:
            out.append(line.encode("utf-8"))
    return b"\n".join(out)


__all__ = [
    "render_clock",
    "render_header",
    "render_player",
    "render_stats_bytes",
    "render_stats_round",
    "render_tab",
]
