"""The linking rules as pure functions (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etstats.ingest.linker import ENDSTATS_WINDOW, Member, plan_rounds
from etstats.linking import LUA_WINDOW

T = 1_767_225_600


def stats(sha: str, t: int) -> Member:
    return Member(sha * 64, "stats", t)


def lua(sha: str, end: int, start: int | None = None) -> Member:
    return Member(sha * 64, "lua", end, end - 600 if start is None else start)


def end(sha: str, t: int, awards: int = 1, size: int = 10) -> Member:
    return Member(sha * 64, "endstats", t, None, (awards, 0, size))


@pytest.mark.parametrize("gap", [LUA_WINDOW[0], 0, 3, LUA_WINDOW[1]])
def test_lua_links_inside_the_window(gap: int) -> None:
    [r] = plan_rounds([stats("a", T + gap), lua("b", T)]).rounds
    assert (r.stats, r.lua, r.round_start_unix, r.start_source) == (
        "a" * 64,
        "b" * 64,
        T - 600,
        "lua",
    )
    assert (r.round_end_unix, r.stats_file_unix) == (T, T + gap)


@pytest.mark.parametrize("gap", [LUA_WINDOW[0] - 1, LUA_WINDOW[1] + 1, 45 * 60])
def test_lua_outside_the_window_is_never_linked(gap: int) -> None:
    plan = plan_rounds([stats("a", T + gap), lua("b", T)])
    assert len(plan.rounds) == 2
    assert {r.start_source for r in plan.rounds} == {"stats-file-name", "lua"}


def test_a_lua_file_between_two_stats_files_links_neither() -> None:
    plan = plan_rounds([stats("a", T + 2), stats("c", T + 20), lua("b", T)])
    assert all(r.lua is None or r.stats is None for r in plan.rounds)
    assert {sha[0] for sha, _ in plan.left_out} == {"a", "b", "c"}


def test_crlf_copy_collapses_to_the_smallest_hash() -> None:
    plan = plan_rounds([stats("b", T + 3), stats("a", T + 3), lua("c", T)])
    [r] = plan.rounds
    assert r.stats == "a" * 64
    assert plan.left_out[0][0] == "b" * 64


def test_richest_endstats_wins_split_writes() -> None:
    plan = plan_rounds([stats("s", T + 3), end("a", T + 1, awards=2), end("b", T + 2, awards=9)])
    [r] = plan.rounds
    assert r.endstats == "b" * 64
    assert [sha[0] for sha, _ in plan.left_out] == ["a"]


@pytest.mark.parametrize("gap", [ENDSTATS_WINDOW[0], 2, ENDSTATS_WINDOW[1]])
def test_endstats_joins_a_lua_only_round(gap: int) -> None:
    [r] = plan_rounds([lua("l", T), end("e", T + gap)]).rounds
    assert (r.lua, r.endstats) == ("l" * 64, "e" * 64)


def test_endstats_alone_is_a_round_keyed_by_its_name_time() -> None:
    [r] = plan_rounds([end("e", T)]).rounds
    assert (r.round_start_unix, r.start_source) == (T, "endstats-file-name")


members = st.lists(
    st.builds(
        Member,
        sha256=st.text("0123456789abcdef", min_size=64, max_size=64),
        role=st.sampled_from(["stats", "lua", "endstats"]),
        anchor_unix=st.integers(T, T + 200),
        start_unix=st.none() | st.integers(T - 900, T),
        rank=st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 99)),
    ),
    max_size=12,
    unique_by=lambda m: m.sha256,
)


@given(members, st.randoms())
def test_plan_depends_only_on_the_set(ms: list[Member], rnd: object) -> None:
    shuffled = list(ms)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert plan_rounds(shuffled) == plan_rounds(ms)


@given(members)
def test_every_artifact_is_in_at_most_one_round_and_keys_are_unique(ms: list[Member]) -> None:
    plan = plan_rounds(ms)
    used = [sha for r in plan.rounds for sha in r.members]
    assert len(used) == len(set(used))
    keys = [r.round_start_unix for r in plan.rounds]
    assert len(keys) == len(set(keys))
    left = {sha for sha, _ in plan.left_out}
    assert {m.sha256 for m in ms} <= set(used) | left
