"""An inline SVG scatter of Lua dead time (y) against the stats file's dead time (x), per player.

Standard library only, deterministic text (no script, so the page works under CSP
``default-src 'self'``). It draws the y = x line, a tolerance band of ± ``tolerance_s`` around
it, one ``<circle class="mark">`` per point coloured by verdict with a ``<title>`` for hover
text, axes with ticks in seconds, and ``role="img"`` with an ``aria-label``. Points missing
either value cannot be placed and are left to the table next to the plot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 440
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 48
VERDICT_COLOURS = {
    "agree": "#2e7d32",
    "tolerated": "#1565c0",
    "explained": "#ef6c00",
    "conflict": "#c62828",
}


@dataclass(frozen=True)
class Point:
    """One player's dead times in seconds."""

    x_stats_s: float
    y_lua_s: float
    verdict: str
    label: str


def nice_max(value: float) -> float:
    """The smallest 1/2/5 × 10^n at or above ``value`` (at least 10 s)."""
    value = max(value, 10.0)
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * exp >= value:
            return float(step * exp)
    return float(10 * exp)


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def scatter(points: Sequence[Point], *, tolerance_s: float, title: str) -> str:
    """The SVG element (a string) for ``points``."""
    top = nice_max(max([max(p.x_stats_s, p.y_lua_s) for p in points] + [tolerance_s, 0.0]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(v: float) -> float:
        return LEFT + max(0.0, min(v, top)) / top * plot_w

    def sy(v: float) -> float:
        return TOP + plot_h - max(0.0, min(v, top)) / top * plot_h

    out = [
        f'<svg class="scatter" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fafafa" '
        'stroke="#bbb"/>',
    ]
    band = [
        (0.0, tolerance_s),
        (top - tolerance_s, top),
        (top, top),
        (top, top - tolerance_s),
        (tolerance_s, 0.0),
        (0.0, 0.0),
    ]
    poly = " ".join(f"{_fmt(sx(x))},{_fmt(sy(y))}" for x, y in band)
    out.append(
        f'<polygon class="band" points="{poly}" fill="#90caf9" fill-opacity="0.35">'
        f"<title>tolerance ±{_fmt(tolerance_s)} s</title></polygon>"
    )
    out.append(
        f'<line class="diagonal" x1="{_fmt(sx(0))}" y1="{_fmt(sy(0))}" '
        f'x2="{_fmt(sx(top))}" y2="{_fmt(sy(top))}" stroke="#555" '
        'stroke-dasharray="4 3"/>'
    )
    for i in range(6):
        v = top * i / 5
        out.append(
            f'<text x="{_fmt(sx(v))}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
            f'font-size="12">{_fmt(v)}</text>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{_fmt(sy(v) + 4)}" text-anchor="end" '
            f'font-size="12">{_fmt(v)}</text>'
        )
    out.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 8}" text-anchor="middle" '
        'font-size="13">stats file dead time (s)</text>'
    )
    out.append(
        f'<text x="14" y="{TOP + plot_h / 2}" text-anchor="middle" font-size="13" '
        f'transform="rotate(-90 14 {TOP + plot_h / 2})">Lua dead time (s)</text>'
    )
    for p in points:
        colour = VERDICT_COLOURS.get(p.verdict, "#616161")
        hover = f"{p.label}: stats {_fmt(p.x_stats_s)} s, Lua {_fmt(p.y_lua_s)} s, {p.verdict}"
        out.append(
            f'<circle class="mark verdict-{escape(p.verdict)}" cx="{_fmt(sx(p.x_stats_s))}" '
            f'cy="{_fmt(sy(p.y_lua_s))}" r="5" fill="{colour}" fill-opacity="0.85">'
            f"<title>{escape(hover)}</title></circle>"
        )
    out.append("</svg>")
    return "\n".join(out)
