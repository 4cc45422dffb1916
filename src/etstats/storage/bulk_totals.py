"""Running totals kept per batch on SQLite (migration 0009), and a first load's computed once
at its end (migration 0021).

The row triggers of migration 0006 update ``player_totals`` and ``player_name_lines`` once per
player line and once per weapon line: about a quarter of the CPU of a bulk write. A bulk write
instead sets the insert and delete triggers aside inside its own transaction
(:func:`triggers_aside`), subtracts the aggregates of the lines of the rounds it replaces,
rewrites them, and adds the aggregates of the new lines: two statements per table per 500
rounds. The totals are additive over rounds, so the result is the one the triggers give
(tests/sessions and tests/storage compare them with the plain aggregates).

A first load (``bulk_load`` into a store without lines) does less: it marks the totals owed
(:func:`owe_totals`, migration 0021's ``totals_refill``), its batches only set the triggers
aside, and when it ends :func:`refill_totals` computes both tables from every line, in order:
the per-batch upserts landed all over two trees of one row per player and grew with the store
(docs/performance.md, "A first load's running totals at its end (seventeenth session)"). A
load killed in between leaves the mark; the next open computes them then. Meanwhile the
leaderboards and the name search read what the totals held when the load began (nothing, for
a first load).

PostgreSQL needs none of this: its triggers are per statement already (transition tables).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from typing import Any

IN_CHUNK = 500
"""Round ids per ``IN (...)`` list (SQLite's parameter limit is far above)."""


@cache
def _totals_sql(sign: str) -> str:
    """Upsert of ``sign`` (``+``/``-``) times the totals of the lines of some rounds (the
    ``IN`` list is appended by the caller). The same parts as migration 0006's backfill."""
    from etstats.queries.statdefs import (
        LINE_COLUMNS,
        MINUTE_PARTS,
        NOT_BOT,
        TAB_FIELDS,
        WEAPON_PARTS,
        part_sql,
    )

    parts = (*LINE_COLUMNS, *WEAPON_PARTS, *TAB_FIELDS)
    columns = ["lines", "rounds"] + [
        p.replace("_minutes", "_tenths") if p in MINUTE_PARTS else p for p in parts
    ]
    # The weapon parts come from one grouped pass over the rounds' weapon lines (joined by
    # the line's key) rather than part_sql's three correlated lookups per line.
    sums = ["COUNT(*)", "COUNT(DISTINCT p.round_id)"] + [
        f"SUM(COALESCE(w.{p}, 0))" if p in WEAPON_PARTS else f"SUM({part_sql(p, 'sqlite')})"
        for p in parts
    ]
    values = ", ".join(f"{sign}{s}" for s in sums)
    update = ", ".join(f"{c} = {c} + excluded.{c}" for c in columns)
    weapons = ", ".join(f"SUM({p}) AS {p}" for p in WEAPON_PARTS)
    return (
        f"INSERT INTO player_totals (guid, {', '.join(columns)}) "  # noqa: S608
        f"SELECT p.guid, {values} FROM player_round_stats p LEFT JOIN "
        f"(SELECT round_id, player_index, {weapons} FROM weapon_stats "
        "WHERE round_id IN ({marks}) GROUP BY round_id, player_index) w "
        "ON w.round_id = p.round_id AND w.player_index = p.player_index "
        f"WHERE {NOT_BOT} AND p.round_id IN ({{marks}}) GROUP BY p.guid "
        f"ON CONFLICT (guid) DO UPDATE SET {update}"
    )


def _names_sql(sign: str) -> str:
    return (
        "INSERT INTO player_name_lines (guid, name, lines) "  # noqa: S608
        f"SELECT p.guid, p.name, {sign}COUNT(*) FROM player_round_stats p "
        "WHERE p.round_id IN ({marks}) GROUP BY p.guid, p.name "
        "ON CONFLICT (guid, name) DO UPDATE SET lines = lines + excluded.lines"
    )


# After the subtraction a GUID (or GUID and name) without lines outside these rounds is at
# zero: it leaves, as the row triggers make it leave; the addition brings it back if the
# rewritten rounds still hold it.
_DROP_EMPTY = (
    "DELETE FROM player_totals WHERE lines = 0 AND guid IN "
    "(SELECT p.guid FROM player_round_stats p WHERE p.round_id IN ({marks}))",
    "DELETE FROM player_name_lines WHERE lines = 0 AND (guid, name) IN "
    "(SELECT p.guid, p.name FROM player_round_stats p WHERE p.round_id IN ({marks}))",
)


def in_chunks(ids: Sequence[int]) -> Iterator[tuple[str, list[int]]]:
    """``ids`` in lists of at most :data:`IN_CHUNK`, each with its ``?, ?, ...`` marks."""
    for i in range(0, len(ids), IN_CHUNK):
        chunk = list(ids[i : i + IN_CHUNK])
        yield ", ".join("?" * len(chunk)), chunk


STANDING_ASIDE = (
    "player_totals_insert",
    "player_totals_delete",
    "player_totals_weapon_insert",
    "player_totals_weapon_delete",
    "player_name_lines_insert",
    "player_name_lines_delete",
)
"""The insert and delete row triggers a bulk write sets aside (the update triggers stay)."""


ROUND_COUNTS_ASIDE = ("round_sources_delete",)
"""The trigger the rebuild's clear sets aside: migration 0018's counts per deleted round."""


@contextmanager
def triggers_aside(conn: Any, names: Sequence[str] = STANDING_ASIDE) -> Iterator[None]:
    """Inside a transaction: drop the triggers ``names`` (by default the insert and delete row
    triggers of the lines) and create them again, from their own text in ``sqlite_master``,
    before the transaction ends.

    Merely guarded (migration 0009's ``totals_deferred`` flag, dropped by 0012 unused), the
    triggers still cost about as much per line as the lines themselves: with the record
    indexes present, 12,000 player lines take 0.50 s of CPU with them and 0.26 s without
    (docs/performance.md, "Bulk writes on SQLite"). Dropped inside the writer's own
    transaction they are never missing for anyone else: a reader's snapshot and a crash's
    rollback both keep them, and ``BEGIN IMMEDIATE`` keeps other writers out until they are
    back.
    """
    marks = ", ".join("?" * len(names))
    texts = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})",  # noqa: S608
        tuple(names),
    ).fetchall()
    for name, _ in texts:
        conn.execute(f"DROP TRIGGER {name}")
    try:
        yield
    except BaseException:
        # The caller's rollback brings them back; should it carry on and commit instead,
        # they are back already. (After SQLite's own rollback they exist: nothing to do.)
        with suppress(Exception):
            for _, text in texts:
                conn.execute(text)
        raise
    for _, text in texts:
        conn.execute(text)


@contextmanager
def deferred_totals(
    conn: Any, round_ids: Sequence[int], stored_before: Sequence[int] | None = None
) -> Iterator[None]:
    """Around the rewrite of the lines of ``round_ids`` (deletes, then inserts) on a SQLite
    connection inside a transaction: the totals leave with the old lines and come back with
    the new ones, one statement per table and chunk, the row triggers set aside.

    :param stored_before: those of ``round_ids`` that may have lines already (default: all);
        the others (rounds new in this transaction) have none to subtract.
    """
    ids = sorted(set(round_ids))
    if not ids:
        yield
        return
    if totals_owed(conn):  # a first load: computed from every line at its end
        with triggers_aside(conn):
            yield
        return
    old = ids if stored_before is None else sorted(set(stored_before))
    with triggers_aside(conn):
        for marks, chunk in in_chunks(old):
            conn.execute(_totals_sql("-").format(marks=marks), chunk + chunk)
            conn.execute(_names_sql("-").format(marks=marks), chunk)
            for sql in _DROP_EMPTY:
                conn.execute(sql.format(marks=marks), chunk)
        yield
        for marks, chunk in in_chunks(ids):
            conn.execute(_totals_sql("").format(marks=marks), chunk + chunk)
            conn.execute(_names_sql("").format(marks=marks), chunk)


def totals_owed(conn: Any) -> bool:
    """Whether the totals are owed (migration 0021's mark: a first load under way, or
    killed): the writes of lines leave them as they are meanwhile."""
    return conn.execute("SELECT 1 FROM totals_refill").fetchone() is not None


def owe_totals(conn: Any) -> None:
    """Inside a transaction: mark the totals owed (a first load starts)."""
    conn.execute("INSERT OR IGNORE INTO totals_refill (flag) VALUES (1)")


def refill_totals(conn: Any) -> None:
    """Inside a transaction: compute ``player_totals`` and ``player_name_lines`` from every
    line (one ordered pass each, into empty tables) and clear the mark. The same statements
    as a batch's, over every round."""
    every = "SELECT id FROM rounds"
    conn.execute("DELETE FROM player_totals")
    conn.execute("DELETE FROM player_name_lines")
    conn.execute(_totals_sql("").format(marks=every))
    conn.execute(_names_sql("").format(marks=every))
    conn.execute("DELETE FROM totals_refill")


@contextmanager
def cleared_totals(conn: Any) -> Iterator[None]:
    """Around deleting every player and weapon line (``rebuild``'s clear): the totals go
    with one ``DELETE`` each instead of one trigger run per line."""
    with triggers_aside(conn):
        yield
        conn.execute("DELETE FROM player_totals")
        conn.execute("DELETE FROM player_name_lines")


@contextmanager
def cleared_round_counts(conn: Any) -> Iterator[None]:
    """Around deleting every round (``rebuild``'s clear): migration 0018's counts of rounds
    per linked source and of Lua lags go with one ``DELETE`` each instead of one trigger run
    per round (a delete trigger on ``rounds`` would also cost the clear SQLite's truncate of
    the table)."""
    with triggers_aside(conn, ROUND_COUNTS_ASIDE):
        yield
        conn.execute("DELETE FROM round_sources")
        conn.execute("DELETE FROM lua_lags")
