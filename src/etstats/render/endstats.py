"""Render an :class:`etstats.model.endstats.EndstatsRound` back to endstats text.

Layout (spec 9.2): award lines first, then the versus section — rows whose block is unknown or
inferred as plain rows, then each ``VS_HEADER`` line followed by its block's rows. Every line,
the last included, ends with ``newline``. Parsing the result gives back an equal round.
"""

from __future__ import annotations

from etstats.model.endstats import VS_HEADER, EndstatsRound, SubjectSource


def render_endstats(rnd: EndstatsRound, *, newline: str = "\n") -> str:
    """Endstats text of ``rnd`` (``newline="\\r\\n"`` reproduces Windows copies)."""
    lines = [f"{a.name}\t{a.player_name}\t{a.value_text}" for a in rnd.awards]
    headed: dict[int, list[str]] = {}
    for row in rnd.versus:
        text = f"{row.opponent_name}\t{row.kills}\t{row.deaths}"
        if row.subject_source is SubjectSource.HEADER and row.block is not None:
            headed.setdefault(row.block, []).append(text)
        else:
            lines.append(text)
    for index, header in enumerate(rnd.vs_headers):
        lines.append(f"{VS_HEADER}\t{header.subject_name}\t{header.subject_guid}")
        lines.extend(headed.get(index, ()))
    return "".join(line + newline for line in lines)


def render_endstats_bytes(
    rnd: EndstatsRound, *, newline: str = "\n", encoding: str = "utf-8"
) -> bytes:
    """:func:`render_endstats` encoded (``"latin-1"`` reproduces the game's name bytes)."""
    return render_endstats(rnd, newline=newline).encode(encoding)
