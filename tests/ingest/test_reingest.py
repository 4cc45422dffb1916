"""Re-ingesting known files (``etstats ingest`` of the same folder again) reads and hashes
them but does not parse them again; a copy under a preferred name still goes through."""

from __future__ import annotations

from typing import Any

import pytest

from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.storage.base import Storage
from etstats.storage.testing import snapshot
from etstats.testing.synthetic import season


def _counting(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    real = pipeline._parse

    def parse(artifact: Artifact, timezone: str) -> Any:
        parsed.append(artifact.name)
        return real(artifact, timezone)

    monkeypatch.setattr(pipeline, "_parse", parse)
    return parsed


def test_reingest_parses_nothing(store: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    arts = season(6, seed=5)
    Pipeline(store, batch_size=5).ingest_many(arts)
    before = snapshot(store)
    again = Pipeline(store, batch_size=5)
    parsed = _counting(again, monkeypatch)
    summary = again.ingest_many(arts)
    assert summary.count("duplicate") == len(arts)
    assert parsed == []
    assert snapshot(store) == before


def test_a_preferred_name_is_still_parsed(store: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    arts = season(2, seed=6)
    Pipeline(store).ingest_many(arts)
    a = arts[0]
    renamed = Artifact.from_bytes(a.data, "0_" + a.name, server=a.server, received_at=a.received_at)
    again = Pipeline(store)
    parsed = _counting(again, monkeypatch)
    result = again.ingest_many([renamed]).results[0]
    assert result.status == "stored"
    assert parsed  # the rename path parses the bytes under their new name
    assert {r.name for r in store.artifacts()} >= {renamed.name}
