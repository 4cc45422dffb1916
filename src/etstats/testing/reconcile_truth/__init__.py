"""Rounds with known ground truth, rendered into the artifacts each source would write.

:func:`simulate` plays a stopwatch round-1 in game-clock time (deaths, revives, respawn waves,
pauses, late joins, disconnects and spectators while dead, surrenders), and the ``render_*``
functions write what each producer would have written, with its documented resolution and
defects:

* c0rnp0rn 3/7 stats file (8-field header): TAB[25]/TAB[24] with the 5-s snapshot overcount,
  pauses not subtracted; c0rnp0rn 8 (9 fields): no overcount, enemy-kill pauses subtracted;
  rendered with :func:`etstats.render.stats_file.render_stats_round`;
* slomix legacy gametimes (v1.7.2, or v1.6.1 with the clock-mixing defect): whole seconds,
  500 ms spawn polling, pauses inside dead time, open deaths tailed to round end, 90 % end
  reason heuristic; rendered with :func:`etstats.render.legacy_gametimes.render_legacy_gametimes`;
* etstats gametimes v1: exact milliseconds, serialised with :func:`etstats.serde.to_json`.

Times: ``*_s`` are seconds. ``g`` values are game-clock seconds since the round start (frozen
during pauses), ``w`` values wall-clock seconds since the round start.
"""

from etstats.testing.reconcile_truth.play import (
    Death,
    TruthPlayer,
    TruthRound,
    local_name_time,
    simulate,
)
from etstats.testing.reconcile_truth.render import (
    build_v1,
    render_legacy,
    render_stats,
    render_v1,
)

__all__ = [
    "Death",
    "TruthPlayer",
    "TruthRound",
    "build_v1",
    "local_name_time",
    "render_legacy",
    "render_stats",
    "render_v1",
    "simulate",
]
