"""Rounds as typed summaries and details (SQL shared by both dialects)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from etstats.queries import identity
from etstats.queries.statdefs import ALIAS_JOIN, PLAYER_GUID
from etstats.queries.types import Award, PlayerLine, RoundDetail, RoundSummary, StoreCounts
from etstats.storage.base import ROUND_COLUMNS, ArtifactRecord, StoredRound
from etstats.storage.sql import ARTIFACT_COLUMNS

MAX_LIMIT = 1000
IN_CHUNK = 500
"""Most bound values in one ``IN (...)`` list."""

SUMMARY_SELECT = (
    "SELECT r.id, s.name, r.map_name, r.round_number, r.round_start_unix, r.start_source, "
    "r.round_end_unix, r.winner_team, r.defender_team, r.time_limit_seconds, r.clock_seconds, "
    "(SELECT COUNT(*) FROM player_round_stats pc WHERE pc.round_id = r.id), "
    "r.stats_sha256, r.lua_sha256, r.endstats_sha256, r.values_scope, r.r1_round_id, "
    "rc.verdict, rc.errors FROM rounds r JOIN servers s ON s.id = r.server_id "
    "LEFT JOIN reconciliations rc ON rc.round_id = r.id"
)
"""Columns :func:`summary_from_row` reads, in order."""

LINE_SELECT = (
    f"SELECT p.round_id, p.guid, {PLAYER_GUID}, p.name, p.raw_name, p.team, p.kills, p.deaths, "
    "p.damage_given, p.damage_received, p.team_damage_given, p.team_damage_received, p.gibs, "
    "p.self_kills, p.team_kills, p.xp, p.headshot_kills, p.revives_given, p.times_revived, "
    "p.time_played_minutes, p.time_dead_minutes, p.denied_playtime_seconds, p.values_scope, "
    f"p.tab_json FROM player_round_stats p {ALIAS_JOIN}"
)
"""Player lines with their canonical GUID; :func:`line_from_row` reads them (minus round id)."""


def dialect(tx: Any) -> str:
    """``postgres`` or ``sqlite`` for a :class:`etstats.storage.sql.SqlTx`."""
    return "postgres" if tx.placeholder == "%s" else "sqlite"


def summary_from_row(row: Sequence[Any]) -> RoundSummary:
    sources = tuple(
        k for k, sha in zip(("stats", "lua", "endstats"), row[12:15], strict=True) if sha
    )
    return RoundSummary(
        id=int(row[0]),
        server=str(row[1]),
        map_name=str(row[2]),
        round_number=int(row[3]),
        start_unix=int(row[4]),
        start_source=str(row[5]),
        end_unix=row[6],
        winner_team=row[7],
        defender_team=row[8],
        time_limit_seconds=row[9],
        clock_seconds=row[10],
        players=int(row[11]),
        sources=sources,
        values_scope=row[15],
        r1_round_id=row[16],
        verdict=row[17],
        reconcile_errors=row[18],
    )


def line_from_row(row: Sequence[Any]) -> PlayerLine:
    tab = json.loads(row[22]) if row[22] else {}
    return PlayerLine(
        guid=str(row[0]),
        player_guid=str(row[1]),
        name=str(row[2]),
        raw_name=str(row[3]),
        team=int(row[4]),
        kills=int(row[5]),
        deaths=int(row[6]),
        damage_given=row[7],
        damage_received=row[8],
        team_damage_given=row[9],
        team_damage_received=row[10],
        gibs=row[11],
        self_kills=row[12],
        team_kills=row[13],
        xp=row[14],
        headshot_kills=row[15],
        revives_given=row[16],
        times_revived=row[17],
        time_played_minutes=row[18],
        time_dead_minutes=row[19],
        denied_playtime_seconds=row[20],
        values_scope=str(row[21]),
        tab=tab,
    )


def chunks(ids: Sequence[int]) -> list[list[int]]:
    wanted = sorted({int(i) for i in ids})
    return [wanted[i : i + IN_CHUNK] for i in range(0, len(wanted), IN_CHUNK)]


def summaries(tx: Any, round_ids: Sequence[int]) -> list[RoundSummary]:
    out: list[RoundSummary] = []
    for chunk in chunks(round_ids):
        marks = ", ".join("?" * len(chunk))
        out += [
            summary_from_row(r)
            for r in tx.fetchall(f"{SUMMARY_SELECT} WHERE r.id IN ({marks})", chunk)
        ]
    return sorted(out, key=lambda r: (r.start_unix, r.id))


def lines_of(tx: Any, round_ids: Sequence[int]) -> dict[int, list[PlayerLine]]:
    """Player lines of these rounds by round id (file order)."""
    out: dict[int, list[PlayerLine]] = {}
    for chunk in chunks(round_ids):
        marks = ", ".join("?" * len(chunk))
        for row in tx.fetchall(
            f"{LINE_SELECT} WHERE p.round_id IN ({marks}) ORDER BY p.round_id, p.player_index",
            chunk,
        ):
            out.setdefault(int(row[0]), []).append(line_from_row(row[1:]))
    return out


def list_rounds(
    tx: Any,
    *,
    server: str | None,
    map_name: str | None,
    round_number: int | None,
    since_unix: int | None,
    until_unix: int | None,
    player_guid: str | None,
    limit: int,
    offset: int,
    newest_first: bool,
    verdict: str | None = None,
    values_scope: str | None = None,
) -> list[RoundSummary]:
    where: list[str] = []
    params: list[Any] = []
    for sql, value in (
        ("s.name = ?", server),
        ("r.map_name = ?", map_name),
        ("r.round_number = ?", round_number),
        ("r.round_start_unix >= ?", since_unix),
        ("r.round_start_unix < ?", until_unix),
        ("rc.verdict = ?", verdict),
        ("r.values_scope = ?", values_scope),
    ):
        if value is not None:
            where.append(sql)
            params.append(value)
    if player_guid is not None:
        guids = identity.guids_of(tx, player_guid)
        marks = ", ".join("?" * len(guids))
        where.append(
            f"r.id IN (SELECT p.round_id FROM player_round_stats p WHERE p.guid IN ({marks}))"
        )
        params += guids
    order = "DESC" if newest_first else "ASC"
    sql = (
        f"{SUMMARY_SELECT} {'WHERE ' + ' AND '.join(where) if where else ''} "
        f"ORDER BY r.round_start_unix {order}, r.id {order} LIMIT ? OFFSET ?"
    )
    limit = max(0, min(int(limit), MAX_LIMIT))
    return [summary_from_row(r) for r in tx.fetchall(sql, (*params, limit, max(0, int(offset))))]


def round_detail(tx: Any, round_id: int) -> RoundDetail | None:
    found = summaries(tx, [round_id])
    if not found:
        return None
    awards = tx.fetchall(
        "SELECT name, player_name, value_text, value FROM endstats_awards WHERE round_id = ? "
        "ORDER BY position",
        (round_id,),
    )
    tz = tx.fetchone(
        "SELECT s.timezone FROM rounds r JOIN servers s ON s.id = r.server_id WHERE r.id = ?",
        (round_id,),
    )
    return RoundDetail(
        round=found[0],
        players=tuple(lines_of(tx, [round_id]).get(round_id, [])),
        awards=tuple(Award(str(a[0]), str(a[1]), str(a[2]), a[3]) for a in awards),
        timezone=str(tz[0]) if tz else "UTC",
    )


def store_counts(tx: Any, *, brief: bool = False) -> StoreCounts:
    """The store's row counts. ``brief`` (the ingest and rebuild summary) leaves out the
    verdicts, the start sources and the unlinked artifacts (counting the verdicts reads every
    reconciliation's page, and the unlinked count probes the rounds three times per
    artifact: docs/performance.md, "The serial start and end of ``--jobs 1`` (twelfth
    session)"), and reads no whole table: the artifacts and rounds come from the counts the
    triggers keep (``artifact_arrivals``, ``round_sources``) and from indexes
    (:func:`_brief_counts`; at 100,000 rounds 4.4 ms against 100 ms)."""

    def count(sql: str) -> int:
        row = tx.fetchone(sql)
        return int(row[0] or 0) if row else 0

    if brief:
        arts, values, by_combo = _brief_counts(tx)
    else:
        arts = tx.fetchall("SELECT status, COUNT(*) FROM artifacts GROUP BY status ORDER BY status")
        values, by_combo = _round_counts(tx)
    verdicts = (
        []
        if brief
        else tx.fetchall(
            "SELECT verdict, COUNT(*) FROM reconciliations GROUP BY verdict ORDER BY verdict"
        )
    )
    sources = (
        []
        if brief
        else tx.fetchall(
            "SELECT start_source, COUNT(*) FROM rounds GROUP BY start_source ORDER BY start_source"
        )
    )
    unlinked = 0 if brief else count(f"SELECT COUNT(*) {UNLINKED_SQL}")
    return StoreCounts(
        rounds=values,
        player_lines=count("SELECT COUNT(*) FROM player_round_stats"),
        artifacts={str(s): int(n) for s, n in arts},
        verdicts={str(v): int(n) for v, n in verdicts},
        rounds_by_source={k: v for k, v in by_combo.items() if not k.startswith("r2_")},
        by_start_source={str(s): int(n) for s, n in sources},
        round2={
            "total": by_combo["r2_total"],
            "differenced": by_combo["r2_differenced"],
            "orphans": by_combo["r2_orphans"],
        },
        unlinked=unlinked,
    )


_COMBOS: dict[str, tuple[str, Any]] = {
    # name: (SQL over rounds, test on a round_sources row (round number, stats, lua, endstats))
    "with_stats": ("stats_sha256 IS NOT NULL", lambda n, s, lu, e: s),
    "with_lua": ("lua_sha256 IS NOT NULL", lambda n, s, lu, e: lu),
    "with_endstats": ("endstats_sha256 IS NOT NULL", lambda n, s, lu, e: e),
    "stats_and_lua": (
        "stats_sha256 IS NOT NULL AND lua_sha256 IS NOT NULL",
        lambda n, s, lu, e: s and lu,
    ),
    "stats_without_lua": (
        "stats_sha256 IS NOT NULL AND lua_sha256 IS NULL",
        lambda n, s, lu, e: s and not lu,
    ),
    "lua_without_stats": (
        "lua_sha256 IS NOT NULL AND stats_sha256 IS NULL",
        lambda n, s, lu, e: lu and not s,
    ),
    "r2_total": ("round_number = 2 AND stats_sha256 IS NOT NULL", lambda n, s, lu, e: n == 2 and s),
}
"""The rounds per linked-source combination, as a condition on ``rounds`` and as a test on
a row of ``round_sources`` (migration 0018): one definition for both counts."""
_R2_DIFFERENCED = "r1_round_id IS NOT NULL"
_R2_ORPHANS = "values_scope = 'cumulative_r1_r2'"


def _round_counts(tx: Any) -> tuple[int, dict[str, int]]:
    """Rounds and rounds per combination, by reading every round."""
    combos = {k: sql for k, (sql, _) in _COMBOS.items()}
    combos.update(r2_differenced=_R2_DIFFERENCED, r2_orphans=_R2_ORPHANS)
    row = tx.fetchone(
        "SELECT COUNT(*), "
        + ", ".join(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)" for cond in combos.values())
        + " FROM rounds"
    )
    values = [int(v or 0) for v in (row or [0] * (len(combos) + 1))]
    return values[0], dict(zip(combos, values[1:], strict=True))


def _brief_counts(tx: Any) -> tuple[list[tuple[str, int]], int, dict[str, int]]:
    """Artifacts per status, rounds and rounds per combination, without reading a whole
    table: totals and rejections from ``artifact_arrivals`` (migration 0015), the pending
    through the ``artifacts_server_received`` index (none after a finished ingest), the
    rounds from ``round_sources`` (0018), the differenced round 2s through ``rounds_r1`` and
    the orphans through ``rounds_cumulative`` (0020)."""
    total, rejected = tx.fetchone(
        "SELECT COALESCE(SUM(artifacts), 0), COALESCE(SUM(rejected), 0) FROM artifact_arrivals"
    ) or (0, 0)
    pending = tx.fetchone(
        "SELECT COUNT(*) FROM artifacts "
        "WHERE server_id IN (SELECT id FROM servers) AND status = 'pending'"
    )
    waiting = int(pending[0]) if pending else 0
    by_status = {
        "accepted": int(total) - int(rejected) - waiting,
        "pending": waiting,
        "rejected": int(rejected),
    }
    arts = [(status, n) for status, n in by_status.items() if n]
    sources = [
        (int(n), bool(s), bool(lu), bool(e), int(r))
        for n, s, lu, e, r in tx.fetchall(
            "SELECT round_number, stats, lua, endstats, rounds FROM round_sources"
        )
    ]
    by_combo = {
        name: sum(r for n, s, lu, e, r in sources if test(n, s, lu, e))
        for name, (_, test) in _COMBOS.items()
    }
    for name, cond in (("r2_differenced", _R2_DIFFERENCED), ("r2_orphans", _R2_ORPHANS)):
        row = tx.fetchone(f"SELECT COUNT(*) FROM rounds WHERE {cond}")
        by_combo[name] = int(row[0]) if row else 0
    return arts, sum(r for *_, r in sources), by_combo


UNLINKED_SQL = (
    "FROM artifacts a WHERE a.status = 'accepted' "
    "AND NOT EXISTS (SELECT 1 FROM rounds r WHERE r.stats_sha256 = a.sha256) "
    "AND NOT EXISTS (SELECT 1 FROM rounds r WHERE r.lua_sha256 = a.sha256) "
    "AND NOT EXISTS (SELECT 1 FROM rounds r WHERE r.endstats_sha256 = a.sha256)"
)
"""Accepted artifacts no round references (each test an index lookup)."""


def unlinked_artifacts(tx: Any) -> list[ArtifactRecord]:
    rows = tx.fetchall(
        f"SELECT {', '.join('a.' + c for c in ARTIFACT_COLUMNS)} {UNLINKED_SQL} "
        "ORDER BY a.received_unix, a.sha256"
    )
    return [ArtifactRecord(*r) for r in rows]


def stored_round(tx: Any, round_id: int) -> StoredRound | None:
    row = tx.fetchone(
        f"SELECT id, {', '.join(ROUND_COLUMNS)} FROM rounds WHERE id = ?", (round_id,)
    )
    return None if row is None else StoredRound(*row)
