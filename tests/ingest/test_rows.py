"""Row building: each player and weapon row holds its line's values, the round id and the
player's scope; the TAB JSON text is what ``json.dumps(..., sort_keys=True)`` writes, for any
TAB values; Lua rows have their tables' columns."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.helpers import examples

from etstats.ingest.rows import (
    _tab_json,
    stats_rows,
)
from etstats.model.stats import StatsRound
from etstats.storage.base import ROUND_TABLES
from etstats.testing.gametimes_strategies import gametimes
from etstats.testing.legacy_strategies import legacy_gametimes
from etstats.testing.strategies import stats_rounds

SCOPES = ("round", "cumulative_r1_r2", "r2_as_written")


def _tab_dict(tab: Any) -> dict[str, Any]:
    return {name: getattr(tab, name) for name in tab.field_names}


@pytest.mark.property
@settings(max_examples=examples(60))
@given(model=stats_rounds(), data=st.data())
def test_stats_rows_hold_each_players_values_and_scope(model: StatsRound, data: Any) -> None:
    scopes = data.draw(
        st.lists(st.sampled_from(SCOPES), min_size=len(model.players), max_size=len(model.players))
    )
    rows = stats_rows(model, 41, scopes)
    players, weapons = rows["player_round_stats"], rows["weapon_stats"]
    line = ROUND_TABLES["player_round_stats"]
    assert [len(r) for r in players] == [len(line)] * len(model.players)
    expected_weapons = []
    for i, (p, scope, row) in enumerate(zip(model.players, scopes, players, strict=True)):
        values = dict(zip(line, row, strict=True))
        assert (values["round_id"], values["player_index"], values["values_scope"]) == (
            41,
            i,
            scope,
        )
        assert (values["guid"], values["name"], values["raw_name"]) == (p.guid, p.name, p.raw_name)
        assert (values["kills"], values["deaths"]) == (p.kills, p.deaths)
        if p.tab is None:
            assert values["tab_json"] is None
        else:
            assert values["tab_json"] == json.dumps(_tab_dict(p.tab), sort_keys=True)
            assert values["xp"] == p.tab.xp
        expected_weapons += [
            (41, i, w.index, w.hits, w.shots, w.kills, w.deaths, w.headshots, scope)
            for w in p.weapons
        ]
    assert weapons == expected_weapons
    # one scope for every player (the fast path) gives the rows of the general one
    uniform = stats_rows(model, 41, ["round"] * len(model.players))
    assert uniform == stats_rows(model, 41)


@pytest.mark.property
@settings(max_examples=examples(60))
@given(
    values=st.lists(
        st.one_of(
            st.none(),
            st.integers(-(10**12), 10**12),
            st.floats(allow_nan=True, allow_infinity=True),
        ),
        min_size=38,
        max_size=38,
    )
)
def test_tab_json_is_json_dumps_with_sorted_keys(values: list[Any]) -> None:
    model_tab = _any_tab(values)
    expected = json.dumps(_tab_dict(model_tab), sort_keys=True)
    assert _tab_json(model_tab) == expected
    if all(v is not None and math.isfinite(v) for v in values):  # the template path
        assert "NaN" not in expected


def _any_tab(values: list[Any]) -> Any:
    from etstats.model.stats import TAB_FIELDS_38, TabStats

    return TabStats(38, **dict(zip(TAB_FIELDS_38, values, strict=True)))


@pytest.mark.property
@settings(max_examples=examples(40))
@given(model=st.one_of(gametimes(), legacy_gametimes(with_extras=True)))
def test_lua_rows_have_the_columns_of_their_tables(model: Any) -> None:
    from etstats.ingest.rows import legacy_lua_rows, v1_lua_rows

    legacy = type(model).__name__ == "LegacyGametimes"
    rows = (legacy_lua_rows if legacy else v1_lua_rows)(model, "cd" * 32, 3)
    for table, table_rows in rows.items():
        assert all(len(r) == len(ROUND_TABLES[table]) and r[0] == 3 for r in table_rows)
    assert rows["lua_timing"][0][1:3] == ("cd" * 32, "legacy" if legacy else "v1")
    assert len({r[1] for r in rows["pauses"]}) == len(rows["pauses"])  # one per number
