"""Session summaries go into the outbox when a session closes (no round for ``gap`` minutes).

Ingest cannot know that an evening is over, so the drain worker looks at the latest sessions
on each pass. A session is enqueued for a target once it is closed, if it ended within the
last day or one of its rounds was enqueued for that target (so configuring a target does not
post years of history); a late round that joins a closed session touches the row, and the
summary is edited.
"""

from __future__ import annotations

from collections.abc import Mapping

from etstats.outbox.sinks import Sink
from etstats.storage.base import Storage, StoredRound

LOOKBACK = 3
"""How many of the newest sessions each pass examines."""
MAX_AGE_SECONDS = 24 * 3600
"""A session that ended longer ago than this is only summarised when one of its rounds was
enqueued for the target (an old backfill does not post its history)."""


def session_ref(server: str, session_id: int, rounds: int) -> str:
    """``session:<server>:<id>:<rounds>``: the round count makes a grown session re-render."""
    return f"session:{server}:{session_id}:{rounds}"


def enqueue_closed_sessions(
    storage: Storage, sinks: Mapping[str, Sink], now: float, *, gap_minutes: float = 60.0
) -> int:
    """Enqueue (or touch) summaries of closed sessions for targets showing ``session``;
    returns the rows written. ``now``: Unix seconds."""
    wanted = {n: s for n, s in sinks.items() if "session" in getattr(s, "kinds", ())}
    if not wanted:
        return 0
    written = 0
    for summary in storage.sessions(limit=LOOKBACK, gap_minutes=gap_minutes):
        if summary.end_unix + gap_minutes * 60 > now:
            continue  # still open: another round may come
        rounds = [StoredRound(*r) for r in storage.table_rows("rounds", summary.round_ids)]
        shas = [sha for r in rounds for sha in r.linked.values()]
        # a session that grows (a late round, or rounds arriving newest first) keeps its row:
        # any of its rounds' artifacts names it, like a round's row
        keys = [f"session:{summary.server}:{summary.id}", *(f"sess:{sha}" for sha in shas)]
        ref = session_ref(summary.server, summary.id, len(summary.round_ids))
        for name, sink in wanted.items():
            version = int(getattr(sink, "renderer_version", 1))
            with storage.transaction() as tx:
                found = tx.outbox_lookup(name, "session", version, keys)
                if found is not None and found.ref == ref:
                    continue
                if (
                    found is None
                    and summary.end_unix < now - MAX_AGE_SECONDS
                    and tx.outbox_lookup(name, "round", version, [f"sha:{sha}" for sha in shas])
                    is None
                ):
                    continue  # old history none of whose rounds was enqueued here
                tx.outbox_enqueue(name, "session", version, keys, ref, int(now))
                written += 1
    return written
