"""Regression: a scenario where a second vote arrives while the surrender vote runs.

Found by the Hypothesis scenario property: slot 1's vote ended the round, slot 5 typed another
``callvote surrender`` 1 ms later, and the script named slot 5 as the caller. The engine refuses
a vote while one is in progress, so the simulator now treats such a scenario as unplayable and
``make_playable`` drops the event; the script also ignores votes seen after an Exit line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etstats.testing.simulator.conformance import check_scenario, render_report
from etstats.testing.simulator.scenario import (
    CallVote,
    Ending,
    EndKind,
    PlayerSpec,
    RoundSpec,
    Scenario,
)
from etstats.testing.simulator.strategies import make_playable

pytestmark = pytest.mark.lua


def _scenario() -> Scenario:
    players = tuple(
        PlayerSpec(slot=i, guid=None, name=f"p{i}", team=1 + i % 2, present_at_start=True)
        for i in range(6)
    )
    return Scenario(
        name="vote-during-vote",
        description="a second surrender vote while the first one runs",
        players=players,
        rounds=(
            RoundSpec(
                events=(CallVote(at_ms=1001, slot=5, vote="surrender"),),
                ending=Ending(kind=EndKind.SURRENDER, at_ms=1000, winner=1, caller=1),
            ),
        ),
        timelimit_min=1.0,
    )


def test_a_vote_during_the_surrender_vote_is_dropped_as_unplayable() -> None:
    playable = make_playable(_scenario())
    assert playable.rounds[0].events == ()
    assert playable.rounds[0].ending.kind is EndKind.SURRENDER


def test_the_caller_of_the_passing_vote_is_reported(etstats_lua: Path) -> None:
    report = check_scenario(make_playable(_scenario()), etstats_lua)
    assert report.lua_errors == ()
    assert report.passed, render_report([report])
