"""etstats v1 gametimes files are ingested into lua_timing, pauses and spawn_stats."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.helpers import examples

from etstats.ingest.artifacts import Artifact, ArtifactKind
from etstats.ingest.pipeline import Pipeline
from etstats.serde import to_json
from etstats.storage.sqlite import SQLiteStorage
from etstats.testing.gametimes_strategies import gametimes


@settings(max_examples=examples(30))
@given(g=gametimes(), named=st.booleans())
def test_v1_gametimes_become_a_lua_round(g: object, named: bool) -> None:
    data = to_json(g).encode("utf-8")
    name = (
        f"etstats-x-R{g.round}-{g.round_start_unix}-{g.server.port}.json"  # type: ignore[attr-defined]
        if named
        else "upload.json"
    )
    artifact = Artifact.from_bytes(data, name)
    assert artifact.kind is ArtifactKind.GAMETIMES  # by name or by content
    store = SQLiteStorage(":memory:")
    result = Pipeline(store).ingest(artifact)
    assert result.status == "stored", result.error
    [r] = store.rounds()
    assert (r.start_source, r.round_start_unix) == ("lua", g.round_start_unix)  # type: ignore[attr-defined]
    assert r.round_end_unix == g.round_end_unix  # type: ignore[attr-defined]
    assert r.round_number == (g.round if g.round in (1, 2) else 2)  # type: ignore[attr-defined]
    [timing] = store.table_rows("lua_timing")
    assert timing[2] == "v1"
    assert timing[5] == g.play_ms / 1000  # type: ignore[attr-defined]  # seconds, from ms
    assert len(store.table_rows("pauses")) == len(g.pauses)  # type: ignore[attr-defined]
    assert len(store.table_rows("spawn_stats")) == len(g.players)  # type: ignore[attr-defined]
    store.close()
