"""Readers of the stored report (``reconciliations.report_json``) say the same of a round
whether its report is form B the ingest path now stores, the lean form or the full form older
versions stored: the Discord verdict line, the HTTP round view's checks and the spawn audit.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from etstats import serde
from etstats.ingest.extract import parse_artifact
from etstats.ingest.pipeline import Pipeline
from etstats.reconciliation import LoadedArtifact, reconcile
from etstats.reconciliation.model import lean_reconciliation
from etstats.storage.sqlite import SQLiteStorage
from etstats.testing.synthetic import round_artifacts
from etstats_discord.posts import round_header
from etstats_fastapi.audit_view import audit_page, audit_rows
from etstats_fastapi.reads import round_extras


def _views(store: SQLiteStorage) -> list[Any]:
    out: list[Any] = []
    for rnd in store.rounds():
        out.append(round_header(store, rnd))
        out.append(round_extras(store, rnd.id))
    out.append(audit_page(audit_rows(store), limit=500, offset=0))
    return out


def test_consumers_read_lean_and_full_reports_alike(tmp_path: Path) -> None:
    store = SQLiteStorage(str(tmp_path / "s.db"))
    pipeline = Pipeline(store)
    arts = []
    for k in range(4):
        arts += round_artifacts(
            map_name="supply",
            round_number=1,
            end_unix=1_767_225_600 + 3600 * k,
            rng=random.Random(k),
            players=6,
            pauses=k % 2,
        )
    for a in arts:
        pipeline.ingest(a)
    stored = store.table_rows("reconciliations")
    assert len(stored) == 4
    reports = [json.loads(row[4]) for row in stored]
    assert all(r["form"] == "b" and "check_counts" in r for r in reports)
    # form B holds every dead-time comparison, agreeing or not, with its sources' values
    dead = [c for r in reports for c in r["comparisons"] if c["check"] == "dead-time"]
    assert len(dead) == 24
    assert all(len(c["values"]) == 2 and "sources" not in c for c in dead)
    stored_views = _views(store)
    assert any(v["checks"] for v in stored_views if isinstance(v, dict) and "checks" in v)
    assert any(v["total"] == 24 for v in stored_views if isinstance(v, dict) and "total" in v)

    # the same rounds with the lean and the full report older versions stored
    names = {a.name: a for a in arts}
    fulls = {}
    for row in stored:
        report = json.loads(row[4])
        items = [
            LoadedArtifact(str(p.kind), n, p.model)
            for n in (report["stats"], report["lua"], report["endstats"])
            for p in [parse_artifact(names[n])]
        ]
        [full] = reconcile(items, utc_offset_seconds=0).rounds
        assert len(full.comparisons) > len(report["comparisons"])  # agreeing ones too
        fulls[int(row[0])] = full
    for form in ("lean", "full"):
        with store.transaction() as tx:
            for row in stored:
                round_id = int(row[0])
                full = fulls[round_id]
                text = serde.to_json(full if form == "full" else lean_reconciliation(full, {}))
                tx.replace_round_rows(
                    round_id, {"reconciliations": [(round_id, row[1], row[2], row[3], text)]}
                )
        old = [json.loads(r[4]) for r in store.table_rows("reconciliations")]
        assert all("form" not in r and ("check_counts" in r) == (form == "lean") for r in old)
        assert _views(store) == stored_views
    # a rebuild (``etstats rebuild`` after an upgrade) rewrites the old reports in form B
    Pipeline(store).rebuild()
    assert store.table_rows("reconciliations") == stored
    assert _views(store) == stored_views
    store.close()
