"""The record candidates (migration 0019): per statistic, every player line whose value is at
least a floor, kept by the writer.

The best single round of a statistic (:func:`etstats.queries.records.best_rounds`) was read
from eight partial expression indexes on ``player_round_stats`` (migration 0008). Kept up
line by line, their keys (a damage total, a DPM or K/D ratio) put each new line on a
different leaf page of each index, so an import into a big store rewrote most of their pages:
300 files into a 30,000-round SQLite store wrote 369 MB, 287 MB of them for the eight indexes
(docs/performance.md, "Records without expression indexes (seventeenth session)").

Instead ``record_lines`` holds (statistic, value, line) for every line of values scope
``round`` whose value is at least ``record_floors.floor`` of that statistic (all of them while
the floor is NULL). The invariant, kept by every write of the lines through
:class:`etstats.storage.sql.SqlTx`:

    record_lines holds exactly the lines whose value >= the floor (and the floor only rises)

* A line written: added when its value reaches the floor (:func:`add_record_lines`, one
  statement per batch of rounds).
* A line deleted (its round rewritten or deleted): its entries go first
  (:func:`drop_record_lines`).
* When a statistic holds more than :data:`CAP` entries, its floor rises to the
  :data:`KEEP`-th best value and the entries below it go (:func:`prune_record_lines`): ties at
  the floor stay, so the invariant holds.

So the best admitted line of a statistic, when any admitted line reaches the floor, is among
the entries, and so is every line tied with it; otherwise (a narrow window, a high gate) it
lies below the floor and the query reads the lines themselves (by the window's rounds when
there is one). A store migrated with lines already (or bulk-filled by a benchmark) is filled
once by :func:`refill_record_lines`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

KEPT_STATS: tuple[str, ...] = (
    "kills",
    "damage_given",
    "gibs",
    "revives_given",
    "headshot_kills",
    "objectives",
    "dpm",
    "kd",
)
"""The statistics with record candidates: those of :data:`etstats.queries.ladders.RECORD_STATS`
whose value one line holds (accuracy needs the weapon lines)."""

KEEP = 1000
"""Entries a statistic keeps when its floor rises (more where values tie at the floor)."""
CAP = 2 * KEEP
"""Entries of a statistic past which its floor rises: a prune every ``CAP - KEEP`` new
entries at most, and far fewer once the floor is high."""

_IN_CHUNK = 500
"""Round ids per ``IN (...)`` list."""


def _dialect(tx: Any) -> str:
    return "postgres" if tx.placeholder == "%s" else "sqlite"


@cache
def _add_sql(dialect: str) -> str:
    """The entries of the lines of some rounds (``{marks}``: the round ids, given once per
    statistic) that reach their statistic's floor. One ``SELECT`` per statistic reading the
    lines by their key: on SQLite about 5 µs a line where a common table of the lines took 9
    (it copied every column, the JSON too)."""
    from etstats.queries.statdefs import value_sql

    values = " UNION ALL ".join(
        f"SELECT '{stat}' AS stat, {value_sql(stat, dialect, summed=False)} AS value, "  # noqa: S608 - fixed SQL
        "p.round_id, p.player_index FROM player_round_stats p "
        "WHERE p.round_id IN ({marks}) AND p.values_scope = 'round'"
        for stat in KEPT_STATS
    )
    return (
        "INSERT INTO record_lines (stat, value, round_id, player_index) "  # noqa: S608 - fixed SQL
        f"SELECT v.stat, v.value, v.round_id, v.player_index FROM ({values}) v "
        "JOIN record_floors f ON f.stat = v.stat "
        "WHERE v.value IS NOT NULL AND (f.floor IS NULL OR v.value >= f.floor) "
        # an entry left by lines deleted around the writer (a row id used again) is
        # overwritten, not a failed write; the query reads every value from its line
        "ON CONFLICT (round_id, player_index, stat) DO UPDATE SET value = excluded.value"
    )


def _chunks(round_ids: Sequence[int]) -> list[tuple[str, list[int]]]:
    ids = sorted(set(round_ids))
    out = []
    for i in range(0, len(ids), _IN_CHUNK):
        chunk = ids[i : i + _IN_CHUNK]
        out.append((", ".join("?" * len(chunk)), chunk))
    return out


def add_record_lines(tx: Any, round_ids: Sequence[int]) -> None:
    """Enter the lines of ``round_ids`` (just written) that reach their statistic's floor."""
    sql = _add_sql(_dialect(tx))
    for marks, chunk in _chunks(round_ids):
        tx.execute(sql.format(marks=marks), chunk * len(KEPT_STATS))


def drop_record_lines(tx: Any, round_ids: Sequence[int]) -> None:
    """Remove the entries of the lines of ``round_ids`` (before those lines are deleted)."""
    for marks, chunk in _chunks(round_ids):
        tx.execute(f"DELETE FROM record_lines WHERE round_id IN ({marks})", chunk)  # noqa: S608


def prune_record_lines(tx: Any) -> None:
    """Raise the floor of each statistic holding more than :data:`CAP` entries to its
    :data:`KEEP`-th best value and drop the entries below it."""
    keep, cap = KEEP, CAP  # read at each call: tests lower them to reach the floors
    over = tx.fetchall("SELECT stat FROM record_lines GROUP BY stat HAVING COUNT(*) > ?", (cap,))
    for (stat,) in over:
        row = tx.fetchone(
            "SELECT value FROM record_lines WHERE stat = ? ORDER BY value DESC LIMIT 1 OFFSET ?",
            (stat, keep - 1),
        )
        if row is None:  # pragma: no cover - more than cap >= keep entries are there
            continue
        tx.execute("UPDATE record_floors SET floor = ? WHERE stat = ?", (row[0], stat))
        tx.execute("DELETE FROM record_lines WHERE stat = ? AND value < ?", (stat, row[0]))


def clear_record_lines(tx: Any) -> None:
    """Every line deleted (``rebuild``'s clear): no entries, every floor back to NULL."""
    tx.execute("DELETE FROM record_lines")
    tx.execute("UPDATE record_floors SET floor = NULL")


def refill_record_lines(tx: Any) -> None:
    """Fill the entries from the lines already stored (a store migrated with lines, or lines
    written around :class:`etstats.storage.sql.SqlTx`): per statistic, the floor is the
    :data:`KEEP`-th best value of the lines of scope ``round`` (NULL with fewer) and every
    line reaching it is entered. One ordered pass over the lines per statistic."""
    keep = KEEP
    from etstats.queries.statdefs import value_sql

    d = _dialect(tx)
    clear_record_lines(tx)
    for stat in KEPT_STATS:
        value = value_sql(stat, d, summed=False)
        row = tx.fetchone(
            f"SELECT {value} FROM player_round_stats p WHERE p.values_scope = 'round' "  # noqa: S608
            f"AND {value} IS NOT NULL ORDER BY 1 DESC LIMIT 1 OFFSET ?",
            (keep - 1,),
        )
        floor = None if row is None else row[0]
        tx.execute("UPDATE record_floors SET floor = ? WHERE stat = ?", (floor, stat))
    ids = [int(r[0]) for r in tx.fetchall("SELECT DISTINCT round_id FROM player_round_stats")]
    add_record_lines(tx, ids)
    tx.execute("DELETE FROM record_lines_refill")


def refill_if_pending(tx: Any) -> bool:
    """:func:`refill_record_lines` when migration 0019 left its mark (a store that held lines
    before it); returns whether it ran."""
    if tx.fetchone("SELECT 1 FROM record_lines_refill") is None:
        return False
    refill_record_lines(tx)
    return True


__all__ = [
    "CAP",
    "KEEP",
    "KEPT_STATS",
    "add_record_lines",
    "clear_record_lines",
    "drop_record_lines",
    "prune_record_lines",
    "refill_if_pending",
    "refill_record_lines",
]
