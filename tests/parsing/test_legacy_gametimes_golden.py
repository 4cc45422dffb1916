"""Golden files: each constructed legacy gametimes file parses to its recorded JSON form.

``tests/data/gametimes_legacy/expected/<name>`` is ``etstats.serde.to_json`` of the parsed file
(provenance path reduced to the base name). Regenerate after an intended change with
``ETSTATS_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.helpers import DATA as TEST_DATA

from etstats.model.legacy_gametimes import LegacyGametimes
from etstats.parsing.legacy_gametimes import parse_legacy_gametimes_bytes
from etstats.render.legacy_gametimes import render_legacy_gametimes
from etstats.serde import from_json, to_json

DATA = TEST_DATA / "gametimes_legacy"
FILES = sorted(DATA.glob("gametime-*.json"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_golden(path: Path) -> None:
    g = parse_legacy_gametimes_bytes(path.read_bytes(), source=path.name, path=path.name)
    actual = json.loads(to_json(g))
    expected_path = DATA / "expected" / path.name
    if os.environ.get("ETSTATS_UPDATE_GOLDEN") == "1":
        expected_path.parent.mkdir(exist_ok=True)
        expected_path.write_text(
            json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))
    # The recorded JSON reads back, and the model renders to an equivalent file.
    assert from_json(expected_path.read_text(encoding="utf-8"), LegacyGametimes) == g
    assert parse_legacy_gametimes_bytes(render_legacy_gametimes(g).encode()) == g


def test_golden_set_covers_the_defects() -> None:
    codes = set()
    for path in FILES:
        g = parse_legacy_gametimes_bytes(path.read_bytes(), source=path.name, path=path.name)
        codes |= {f.code for f in g.findings}
    assert {
        "legacy-clock-mixing",
        "legacy-duration-over-timelimit",
        "legacy-warmup-meaningless",
    } <= codes


def test_old_payload_string_with_name_lists_prefers_the_json_rosters() -> None:
    path = DATA / "gametime-goldrush-R1-1769000640.json"
    g = parse_legacy_gametimes_bytes(path.read_bytes())
    assert g.payload is not None
    assert g.payload.version == (1, 5, 0)
    assert g.payload.warmup_end_unix == 1769000000
    assert g.payload.axis is not None
    assert [m.guid for m in g.payload.axis] == ["A" * 32, "B" * 32]
    assert g.meta.spawn_stats == ()
