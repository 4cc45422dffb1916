"""The optional picture of a session summary: damage per minute of every player, as a PNG
(the ``plot`` extra: matplotlib with the Agg backend, imported only here and only when used).
"""

from __future__ import annotations

import io

from etstats.queries.types import Session
from etstats_discord.limits import clean

FILENAME = "session.png"


def session_png(session: Session, *, most: int = 16) -> bytes | None:
    """A horizontal bar chart of DPM (damage given per minute played) of the session's
    players (at most ``most``, best first); ``None`` without matplotlib or players."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt
    except ImportError:
        return None
    ranked = sorted(
        (p for p in session.players if p.totals.dpm is not None),
        key=lambda p: -(p.totals.dpm or 0.0),
    )[:most]
    if not ranked:
        return None
    names = [clean(p.player.name)[:20] or "?" for p in ranked][::-1]
    values = [p.totals.dpm or 0.0 for p in ranked][::-1]
    fig, ax = plt.subplots(figsize=(6.4, 0.32 * len(ranked) + 1.0), dpi=100)
    try:
        fig.patch.set_facecolor("#2b2d31")
        ax.set_facecolor("#2b2d31")
        ax.barh(names, values, color="#9b59b6")
        ax.set_xlabel("damage per minute played", color="#dbdee1")
        ax.tick_params(colors="#dbdee1")
        for spine in ax.spines.values():
            spine.set_visible(False)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", facecolor=fig.get_facecolor(), metadata={"Software": None})
        return out.getvalue()
    finally:
        plt.close(fig)
