"""``etstats reconcile --plot``: Lua vs stats-file dead time per player (matplotlib, lazy).

Each point is one player-round: x = stats file TAB[25] (seconds), y = Lua dead time. The
diagonal is agreement, the grey band the TAB[25] rounding (+-3 s); colours give the verdict,
conflicts are drawn large and red. Without Lua data the engine estimate (from TAB[8] and
TAB[22]) takes the y axis, so the c0rnp0rn 3/7 overcount shows as points below the diagonal.
"""

from __future__ import annotations

import os

from etstats.reconciliation.model import ReconcileReport, Verdict
from etstats.reconciliation.tolerance import MINUTES_1DP_S

_COLOURS = {
    Verdict.AGREE: "#2a9d8f",
    Verdict.TOLERATED: "#8ab17d",
    Verdict.EXPLAINED: "#f4a261",
    Verdict.CONFLICT: "#d62828",
}


def plot_dead_time(report: ReconcileReport, path: str | os.PathLike[str]) -> int:
    """Write the PNG; returns the number of points drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    comps = report.comparisons("dead-time")
    ylabel = "Lua dead time (s)"
    if not comps:
        comps = report.comparisons("dead-time-engine")
        ylabel = "engine estimate (1 - TAB[8]/100) * TAB[22] (s)"
    fig, ax = plt.subplots(figsize=(7, 6.5), dpi=110)
    top = 60.0
    for verdict in (Verdict.AGREE, Verdict.TOLERATED, Verdict.EXPLAINED, Verdict.CONFLICT):
        pts = [
            (c.sources[0].value or 0.0, c.sources[1].value or 0.0)
            for c in comps
            if c.verdict is verdict
        ]
        if not pts:
            continue
        xs, ys = zip(*pts, strict=True)
        top = max(top, *xs, *ys)
        ax.scatter(
            xs,
            ys,
            s=60 if verdict is Verdict.CONFLICT else 16,
            c=_COLOURS[verdict],
            label=f"{verdict.value} ({len(pts)})",
            edgecolors="black" if verdict is Verdict.CONFLICT else "none",
            zorder=3 if verdict is Verdict.CONFLICT else 2,
            alpha=0.85,
        )
    top *= 1.05
    ax.plot([0, top], [0, top], color="black", linewidth=1, label="agreement")
    grid = [top * i / 400 for i in range(401)]
    ax.fill_between(
        grid,
        [max(0.0, x - MINUTES_1DP_S) for x in grid],
        [x + MINUTES_1DP_S for x in grid],
        color="grey",
        alpha=0.35,
        label="TAB[25] rounding ±3 s",
    )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    if top > 600:  # overcounts reach tens of minutes: keep the small values readable
        ax.set_xscale("symlog", linthresh=60)
        ax.set_yscale("symlog", linthresh=60)
    ax.set_xlabel("stats file TAB[25] time_dead_minutes × 60 (s)")
    ax.set_ylabel(ylabel)
    ax.set_title(f"Dead time per player: {len(comps)} player-rounds")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.fspath(path))
    plt.close(fig)
    return len(comps)


__all__ = ["plot_dead_time"]
