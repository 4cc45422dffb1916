"""Records: the best single round and the best map of each statistic.

Before migration 0008 each statistic took two rankings of every line; now the best round is
read from the record candidates (SQLite) or an expression index (PostgreSQL) where a
statistic has them, and one grouping of the lines serves every statistic's best map.

* **Best round**: per statistic, the best value over the admitted lines, then the lines
  holding it ranked by the tie-break (earliest, then the smallest GUID, map, round number,
  server). On SQLite, for the statistics of :func:`etstats.storage.record_lines.kept_stats`
  both come from the record candidates (migration 0019: every line whose value reaches its
  statistic's floor, or its floor over the lines played at least the default gate, against
  which a gate of that or more is checked): when an admitted line reaches the floor, the
  best is among them, and so is every line tied with it. Otherwise (a window or gate that
  admits no candidate) and for the other statistics (the weapon parts and rates of them,
  e.g. accuracy, and sums) the lines are read: those of the window's rounds, or every line.
  On PostgreSQL migration 0008's expression indexes answer the same query from their top.
* **Best map**: one grouping of the lines by (player, map) computes every statistic at once;
  each statistic's best group is picked from that one result.

The values, the gate and the tie-breaks are those of the per-statistic queries this replaced
(docs/sessions.md, "Records"); tests/sessions/test_records_properties.py checks them against
a brute-force computation in Python over random stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from etstats.queries.careers import window_sql
from etstats.queries.rounds import dialect
from etstats.queries.statdefs import ALIAS_JOIN, PLAYER_GUID, tenths_sql, value_sql
from etstats.queries.types import RecordEntry, Window
from etstats.storage.record_lines import GATED_MINUTES, kept_stats


def best_rounds(
    tx: Any, stats: Sequence[str], window: Window, gate: float
) -> dict[str, RecordEntry]:
    """Best single line per statistic; only lines holding one round's values (not an orphan
    round 2) with at least ``gate`` minutes played."""
    cond, params = window_sql(tx, window)
    d = dialect(tx)
    admitted = f"p.values_scope = 'round' AND COALESCE(p.time_played_minutes, 0) >= ?{cond}"
    out: dict[str, RecordEntry] = {}
    for stat in stats:
        value = value_sql(stat, d, summed=False)
        lines = "player_round_stats p"
        where = f"{admitted} AND {value} IS NOT NULL"
        args: tuple[Any, ...] = (gate, *params)
        best = None
        if stat in kept_stats() and tx.keeps_record_candidates:
            # the record candidates (migration 0019): every line at or above the floor, and
            # every line played GATED_MINUTES at or above the gated floor (a gate of that or
            # more admits no other line); a candidate's value is read from its line, so an
            # entry left behind cannot mislead
            candidates = (
                "record_lines c JOIN record_floors f ON f.stat = c.stat "
                "JOIN player_round_stats p "
                "ON p.round_id = c.round_id AND p.player_index = c.player_index"
            )
            floor = (
                f"c.gated = 1 AND (f.gated_floor IS NULL OR {value} >= f.gated_floor)"
                if gate >= GATED_MINUTES
                else f"(f.floor IS NULL OR {value} >= f.floor)"
            )
            kept = f"c.stat = ? AND {floor} AND {where}"
            best = tx.fetchone(
                f"SELECT {value} FROM {candidates} WHERE {kept} ORDER BY {value} DESC LIMIT 1",
                (stat, *args),
            )
            if best is not None:
                lines, where, args = candidates, kept, (stat, *args)
        if best is None:  # no admitted candidate: the lines themselves
            best = tx.fetchone(
                f"SELECT {value} FROM {lines} WHERE {where} ORDER BY {value} DESC LIMIT 1", args
            )
        if best is None:
            continue
        # the lines holding it, ranked by the tie-break
        row = tx.fetchone(
            f"SELECT {PLAYER_GUID}, {value} AS value, r.map_name, r.id, r.round_start_unix "
            f"FROM {lines} JOIN rounds r ON r.id = p.round_id {ALIAS_JOIN} "
            "JOIN servers sv ON sv.id = r.server_id "
            f"WHERE {where} AND {value} = ? "
            "ORDER BY r.round_start_unix, 1, r.map_name, r.round_number, sv.name LIMIT 1",
            (*args, best[0]),
        )
        if row is None:  # pragma: no cover - the line found above is still there
            continue
        out[stat] = RecordEntry(
            stat=stat,
            scope="round",
            guid=str(row[0]),
            name="",
            value=float(row[1]),
            map_name=str(row[2]),
            round_ids=(int(row[3]),),
            when_unix=int(row[4]),
        )
    return out


def best_maps(tx: Any, stats: Sequence[str], window: Window, gate: float) -> dict[str, RecordEntry]:
    """Best map per statistic: a round 1 plus the round 2 paired to it (or an orphan round 2
    whose values already hold both rounds), with at least ``gate`` minutes played in all."""
    if not stats:
        return {}
    cond, params = window_sql(tx, window)
    d = dialect(tx)
    sums = ", ".join(f"{value_sql(s, d, summed=True)} AS v{i}" for i, s in enumerate(stats))
    map_key = "COALESCE(r.r1_round_id, r.id)"
    # one grouping for every statistic (a CTE used several times is computed once)
    groups = (
        f"SELECT {PLAYER_GUID} AS pg, MIN(r.map_name) AS mn, MIN(r.id) AS lo, "
        f"MAX(r.id) AS hi, MIN(r.round_start_unix) AS st, MIN(sv.name) AS svn, "
        f"SUM({tenths_sql('time_played_minutes')}) AS tenths, {sums} "
        f"FROM player_round_stats p JOIN rounds r ON r.id = p.round_id {ALIAS_JOIN} "
        f"JOIN servers sv ON sv.id = r.server_id "
        f"WHERE p.values_scope <> 'r2_as_written'{cond} "
        f"GROUP BY {PLAYER_GUID}, {map_key}"
    )
    picks = " UNION ALL ".join(
        f"SELECT * FROM (SELECT {i} AS k, pg, v{i} AS value, mn, lo, hi, st FROM g "
        f"WHERE tenths >= ? AND v{i} IS NOT NULL "
        f"ORDER BY v{i} DESC, st, pg, mn, svn LIMIT 1) AS s{i}"
        for i in range(len(stats))
    )
    rows = tx.fetchall(
        f"WITH g AS MATERIALIZED ({groups}) {picks}",
        (*params, *([gate * 10] * len(stats))),
    )
    out: dict[str, RecordEntry] = {}
    for k, guid, value, map_name, lo, hi, start in rows:
        stat = stats[int(k)]
        out[stat] = RecordEntry(
            stat=stat,
            scope="map",
            guid=str(guid),
            name="",
            value=float(value),
            map_name=str(map_name),
            round_ids=tuple(sorted({int(lo), int(hi)})),
            when_unix=int(start),
        )
    return out
