"""The record candidates (SQLite migration 0019): per statistic, every player line whose
value is at least a floor, kept by the writer.

The best single round of a statistic (:func:`etstats.queries.records.best_rounds`) was read
from eight partial expression indexes on ``player_round_stats`` (migration 0008). Kept up
line by line, their keys (a damage total, a DPM or K/D ratio) put each new line on a
different leaf page of each index, so an import into a big SQLite store rewrote most of their
pages: 300 files into a 30,000-round store wrote 369 MB, 247 MB of them for the eight indexes
(docs/performance.md, "Records without expression indexes (seventeenth session)").
PostgreSQL keeps those indexes (:attr:`etstats.storage.sql.SqlTx.keeps_record_candidates` is
false there and every function here does nothing): the candidates measured slower for its
first loads and no faster for its imports into a big store.

Instead ``record_lines`` holds (statistic, value, line, whether the line has at least
:data:`GATED_MINUTES` played) for lines of values scope ``round``, with two floors per
statistic in ``record_floors``: ``floor`` over every line and ``gated_floor`` over the lines
played that long (the records' default gate: the best DPM of all is usually a line of a
minute). The invariant, kept by every write of the lines through
:class:`etstats.storage.sql.SqlTx`:

    record_lines holds every line whose value >= floor, and every line played at least
    GATED_MINUTES whose value >= gated_floor (a NULL floor: every such line); floors only rise

* A line written: added when its value reaches a floor it is under (:func:`add_record_lines`,
  one statement per batch of rounds).
* A line deleted (its round rewritten or deleted): its entries go first
  (:func:`drop_record_lines`).
* When a statistic holds more than :data:`CAP` entries, each floor whose lines number more
  than :data:`KEEP` rises to the :data:`KEEP`-th best of them, and the entries under both go
  (:func:`prune_record_lines`): ties at a floor stay, so the invariant holds.

So the best admitted line of a statistic (gate at least :data:`GATED_MINUTES`: against the
gated floor; else against the other), when any admitted line reaches that floor, is among the
entries, and so is every line tied with it; otherwise (a narrow window, a high gate) it lies
below the floor and the query reads the lines themselves (by the window's rounds when there
is one). A store migrated with lines already (or bulk-filled by a benchmark) is filled once by
:func:`refill_record_lines`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from etstats.storage.bulk_totals import in_chunks


@cache
def kept_stats() -> tuple[str, ...]:
    """The statistics with record candidates: those of
    :data:`etstats.queries.ladders.RECORD_STATS` whose value one line holds (accuracy needs
    the weapon lines). Read when first needed: the queries import this module."""
    from etstats.queries.ladders import RECORD_STATS
    from etstats.queries.statdefs import line_holds

    return tuple(stat for stat in RECORD_STATS if line_holds(stat))


GATED_MINUTES = 5.0
"""Minutes played of the lines the second floor is over: the records' default gate
(:data:`etstats.queries.ladders.DEFAULT_RECORD_MINUTES`)."""
KEEP = 250
"""Lines a floor keeps above it when it rises (more where values tie at the floor)."""
CAP = 3 * KEEP
"""Entries of a statistic past which its floors rise: then at most ``2 * KEEP`` stay (and the
ties), so a prune comes at most every ``KEEP`` new entries, and far more rarely once the
floors are high."""

_GATED = "(CASE WHEN COALESCE(p.time_played_minutes, 0) >= {m} THEN 1 ELSE 0 END)"
"""1 when a line counts for the gated floor: the admission test of the records query."""
_UNDER_A_FLOOR = (
    "(f.floor IS NULL OR {v} >= f.floor OR ({g} = 1 AND (f.gated_floor IS NULL OR "
    "{v} >= f.gated_floor)))"
)
"""Whether ``{v}`` (gated: ``{g}``) belongs in the entries of its statistic (floors ``f``)."""


@cache
def _add_sql() -> str:
    """The entries of the lines of some rounds (``{marks}``: the round ids, given once per
    statistic) that reach a floor of their statistic, in SQLite's SQL (only SQLite keeps
    them). One ``SELECT`` per statistic reading the lines by their key: about 5 µs a line
    where a common table of the lines took 9 (it copied every column, the JSON too)."""
    from etstats.queries.statdefs import value_sql

    gated = _GATED.format(m=GATED_MINUTES)
    values = " UNION ALL ".join(
        f"SELECT '{stat}' AS stat, {value_sql(stat, 'sqlite', summed=False)} AS value, "  # noqa: S608 - fixed SQL
        f"p.round_id, p.player_index, {gated} AS gated FROM player_round_stats p "
        "WHERE p.round_id IN ({marks}) AND p.values_scope = 'round'"
        for stat in kept_stats()
    )
    under = _UNDER_A_FLOOR.format(v="v.value", g="v.gated")
    return (
        "INSERT INTO record_lines (stat, value, round_id, player_index, gated) "  # noqa: S608 - fixed SQL
        f"SELECT v.stat, v.value, v.round_id, v.player_index, v.gated FROM ({values}) v "
        f"JOIN record_floors f ON f.stat = v.stat WHERE v.value IS NOT NULL AND {under} "
        # an entry left by lines deleted around the writer (a row id used again) is
        # overwritten, not a failed write; the query reads every value from its line
        "ON CONFLICT (round_id, player_index, stat) "
        "DO UPDATE SET value = excluded.value, gated = excluded.gated"
    )


def add_record_lines(tx: Any, round_ids: Sequence[int]) -> None:
    """Enter the lines of ``round_ids`` (just written) that reach their statistic's floor."""
    if not tx.keeps_record_candidates:
        return
    sql = _add_sql()
    for marks, chunk in in_chunks(sorted(set(round_ids))):
        tx.execute(sql.format(marks=marks), chunk * len(kept_stats()))


def drop_record_lines(tx: Any, round_ids: Sequence[int]) -> None:
    """Remove the entries of the lines of ``round_ids`` (before those lines are deleted)."""
    if not tx.keeps_record_candidates:
        return
    for marks, chunk in in_chunks(sorted(set(round_ids))):
        tx.execute(f"DELETE FROM record_lines WHERE round_id IN ({marks})", chunk)  # noqa: S608


def prune_record_lines(tx: Any) -> None:
    """For each statistic holding more than :data:`CAP` entries: raise each floor whose lines
    number more than :data:`KEEP` to the :data:`KEEP`-th best of them, then drop the entries
    under both floors."""
    if not tx.keeps_record_candidates:
        return
    keep, cap = KEEP, CAP  # read at each call: tests lower them to reach the floors
    over = tx.fetchall("SELECT stat FROM record_lines GROUP BY stat HAVING COUNT(*) > ?", (cap,))
    for (stat,) in over:
        row = tx.fetchone("SELECT floor, gated_floor FROM record_floors WHERE stat = ?", (stat,))
        floors = (
            {"floor": None, "gated_floor": None}
            if row is None
            else dict(zip(("floor", "gated_floor"), row, strict=True))
        )
        for column, only_gated in (("floor", ""), ("gated_floor", " AND gated = 1")):
            current = floors[column]
            above = "" if current is None else " AND value >= ?"
            risen = tx.fetchone(
                f"SELECT value FROM record_lines WHERE stat = ?{only_gated}{above} "  # noqa: S608
                "ORDER BY value DESC LIMIT 1 OFFSET ?",
                (stat, *(() if current is None else (current,)), keep - 1),
            )
            if risen is not None:  # more than KEEP lines at or above it: it rises
                floors[column] = risen[0]
                tx.execute(
                    f"UPDATE record_floors SET {column} = ? WHERE stat = ?",  # noqa: S608
                    (risen[0], stat),
                )
        _drop_under_both(tx, stat, floors["floor"], floors["gated_floor"])


def _drop_under_both(tx: Any, stat: str, floor: Any, gated_floor: Any) -> None:
    """Delete the entries of ``stat`` under both of its floors (a NULL floor is under none)."""
    if floor is None:
        return
    if gated_floor is None:
        tx.execute(
            "DELETE FROM record_lines WHERE stat = ? AND value < ? AND gated = 0", (stat, floor)
        )
        return
    tx.execute(
        "DELETE FROM record_lines WHERE stat = ? AND value < ? AND (gated = 0 OR value < ?)",
        (stat, floor, gated_floor),
    )


def clear_record_lines(tx: Any) -> None:
    """Every line deleted (``rebuild``'s clear): no entries, every floor back to NULL."""
    if not tx.keeps_record_candidates:
        return
    tx.execute("DELETE FROM record_lines")
    tx.execute("UPDATE record_floors SET floor = NULL, gated_floor = NULL")


def refill_record_lines(tx: Any) -> None:
    """Fill the entries from the lines already stored (a store migrated with lines, or lines
    written around :class:`etstats.storage.sql.SqlTx`): per statistic, each floor is the
    :data:`KEEP`-th best value of its lines of scope ``round`` (NULL with fewer) and every
    line reaching a floor is entered. Two ordered passes over the lines per statistic. Does
    nothing where the store keeps no candidates (PostgreSQL)."""
    from etstats.queries.statdefs import value_sql

    if not tx.keeps_record_candidates:
        return
    keep = KEEP
    clear_record_lines(tx)
    gated = f" AND COALESCE(p.time_played_minutes, 0) >= {GATED_MINUTES}"
    for stat in kept_stats():
        value = value_sql(stat, "sqlite", summed=False)
        for column, only_gated in (("floor", ""), ("gated_floor", gated)):
            row = tx.fetchone(
                f"SELECT {value} FROM player_round_stats p WHERE p.values_scope = 'round' "  # noqa: S608
                f"AND {value} IS NOT NULL{only_gated} ORDER BY 1 DESC LIMIT 1 OFFSET ?",
                (keep - 1,),
            )
            tx.execute(
                f"UPDATE record_floors SET {column} = ? WHERE stat = ?",  # noqa: S608
                (None if row is None else row[0], stat),
            )
    ids = [int(r[0]) for r in tx.fetchall("SELECT DISTINCT round_id FROM player_round_stats")]
    add_record_lines(tx, ids)
    tx.execute("DELETE FROM record_lines_refill")


def refill_if_pending(tx: Any) -> bool:
    """:func:`refill_record_lines` when migration 0019 left its mark (a store that held lines
    before it); returns whether it ran."""
    if not tx.keeps_record_candidates:
        return False
    if tx.fetchone("SELECT 1 FROM record_lines_refill") is None:
        return False
    refill_record_lines(tx)
    return True


__all__ = [
    "CAP",
    "GATED_MINUTES",
    "KEEP",
    "add_record_lines",
    "clear_record_lines",
    "drop_record_lines",
    "kept_stats",
    "prune_record_lines",
    "refill_if_pending",
    "refill_record_lines",
]
