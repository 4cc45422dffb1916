"""A career (its lines joined to their rounds and weapon lines per line: docs/sessions.md,
"Player career") sums the TAB parts (``kill_assists``, ``objectives``) as the plain per-GUID
sums of :func:`etstats.queries.statdefs.part_sql` do, on both stores."""

from __future__ import annotations

from etstats.ingest.pipeline import Pipeline
from etstats.queries.rounds import dialect
from etstats.queries.statdefs import NOT_BOT, part_sql
from etstats.queries.types import Window
from etstats.storage.base import Storage
from etstats.testing.synthetic import season


def test_tab_parts_equal_the_per_field_sums(store: Storage) -> None:
    Pipeline(store).ingest_many(season(8))
    with store._reader() as tx:  # type: ignore[attr-defined]
        d = dialect(tx)
        rows = tx.fetchall(
            f"SELECT p.guid, SUM({part_sql('kill_assists', d)}), SUM({part_sql('objectives', d)}) "  # noqa: S608
            f"FROM player_round_stats p WHERE {NOT_BOT} GROUP BY p.guid ORDER BY p.guid"
        )
    assert rows
    assert any(ka for _, ka, _ in rows)
    assert any(obj for _, _, obj in rows)
    for guid, kill_assists, objectives in rows:
        found = store.career(str(guid), window=Window())
        assert found is not None
        assert found.totals.kill_assists == int(kill_assists)
        assert found.totals.objectives == int(objectives)
        assert sum(m.totals.kill_assists for m in found.by_map) == int(kill_assists)
