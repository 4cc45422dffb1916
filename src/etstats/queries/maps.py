"""Stopwatch map results from a round 1, its round 2 and their player lines (pure functions).

Rules and sources are in docs/sessions.md ("Map result"). Sides are groups of players: side A
is the group that attacked in round 1 (the team that was not ``defender_team``); in round 2
the teams swap, and each round-2 team is matched to a side by GUID overlap (substitutes allowed).
"""

from __future__ import annotations

from collections.abc import Sequence

from etstats.queries.types import MapResult, PlayerLine, PlayerRef, RoundSummary, SideRoster

Refs = dict[str, PlayerRef]


def _roster(lines: Sequence[PlayerLine], team: int | None) -> set[str]:
    return {ln.player_guid for ln in lines if ln.team == team}


def _other(team: int | None) -> int | None:
    return 3 - team if team in (1, 2) else None


def _completed(r: RoundSummary, attackers: int | None) -> tuple[bool | None, int | None, str]:
    """Did the attack succeed (header winner), the attack time in seconds, and a note when the
    clock (f8) and the winner field disagree or the clock is unusable."""
    if attackers is None or r.winner_team not in (1, 2):
        return None, None, f"round {r.id}: no usable winner/defender in the header"
    done = r.winner_team == attackers
    limit, clock = r.time_limit_seconds, r.clock_seconds
    if limit is None or clock is None or clock <= 0 or clock > limit:
        return (
            done,
            (None if done else limit),
            (
                f"round {r.id}: clock {clock} s unusable against limit {limit} s (header f8 "
                "reset or repaired by the script); outcome from the winner field"
            ),
        )
    if done and clock >= limit:
        return (
            done,
            clock,
            (
                f"round {r.id}: header says the attack succeeded but the clock "
                "equals the limit (defenders surrendered at the last second?)"
            ),
        )
    if not done and clock < limit:
        return (
            done,
            clock,
            (
                f"round {r.id}: header says the attack failed but the clock "
                f"stopped at {clock} s < {limit} s: the attackers surrendered"
            ),
        )
    return done, clock, ""


def map_result(
    r1: RoundSummary | None,
    r2: RoundSummary | None,
    lines: dict[int, list[PlayerLine]],
    refs: Refs,
) -> MapResult:
    """The result of one map; ``r1`` is ``None`` for an orphan round 2 (its values hold both
    rounds; the side that attacked in round 1 is then unknown, the header winner decides)."""
    first = r1 or r2
    if first is None:
        raise ValueError("map_result needs a round 1 or a round 2")
    notes: list[str] = []
    side_a: set[str] | None = None
    side_b: set[str] = set()
    a1: int | None = None
    r1_done: bool | None = None
    r1_seconds: int | None = None
    if r1 is not None:
        d1 = r1.defender_team
        a1 = _other(d1)
        side_a, side_b = _roster(lines.get(r1.id, []), a1), _roster(lines.get(r1.id, []), d1)
        r1_done, r1_seconds, note = _completed(r1, a1)
        notes += [note] if note else []
    r2_done = r2_seconds = None
    header_winner: str | None = None
    b_team_r2: int | None = None
    if r2 is not None:
        d2 = r2.defender_team
        a2 = _other(d2)
        r2_lines = lines.get(r2.id, [])
        if side_a is None:
            # orphan round 2: its attackers are side B by definition
            side_b, side_a = _roster(r2_lines, a2), _roster(r2_lines, d2)
        side_a = side_a if side_a is not None else set()
        on_a2, on_d2 = _roster(r2_lines, a2), _roster(r2_lines, d2)
        swapped = len(side_a & on_d2) + len(side_b & on_a2)
        kept = len(side_a & on_a2) + len(side_b & on_d2)
        b_team_r2 = a2 if swapped >= kept else d2
        if b_team_r2 != a2:
            notes.append(
                f"round {r2.id}: the side that attacked in round 1 attacked again "
                "(rosters did not swap)"
            )
        r2_done, r2_seconds, note = _completed(r2, a2)
        notes += [note] if note else []
        notes += _time_checks(r1, r1_done, r1_seconds, r2, r2_done, r2_seconds)
        if r2.winner_team in (1, 2):
            header_winner = "B" if r2.winner_team == b_team_r2 else "A"
        # substitutes: round-2 players on each team join that team's side
        side_b = side_b | _roster(r2_lines, b_team_r2)
        side_a = side_a | _roster(r2_lines, _other(b_team_r2))
    outcome, winner = _outcome(r1_done, r2_done, r2 is not None, b_team_r2, r2)
    if r1 is None and r2 is not None and r2_done is False:
        notes.append(
            f"round {r2.id}: round 1 is missing; if it was a full hold too, this map "
            "is a draw, not side A's"
        )
    if header_winner is not None and winner is not None and header_winner != winner:
        notes.append(f"header winner is side {header_winner} but the stopwatch rule gives {winner}")
    if header_winner is not None and winner is None and outcome == "double_full_hold":
        notes.append(
            f"double full hold: the header names side {header_winner} (the round-2 "
            "defenders) but the map is a draw by stopwatch rules"
        )
    last = r2 or first
    return MapResult(
        map_name=first.map_name,
        server=first.server,
        r1_round_id=r1.id if r1 else None,
        r2_round_id=r2.id if r2 else None,
        start_unix=first.start_unix,
        end_unix=max(last.start_unix, last.end_unix or last.start_unix),
        first_attack_team=a1,
        time_limit_seconds=r1.time_limit_seconds if r1 else None,
        r1_seconds=r1_seconds,
        r1_full_hold=None if r1_done is None else not r1_done,
        r2_seconds=r2_seconds if r2_done else None,
        r2_full_hold=None if r2_done is None else not r2_done,
        outcome=outcome,
        winner=winner,
        side_a=_side("A", side_a or set(), refs),
        side_b=_side("B", side_b or set(), refs),
        header_winner=header_winner,
        notes=tuple(n for n in notes if n),
    )


def _time_checks(
    r1: RoundSummary | None,
    r1_done: bool | None,
    r1_seconds: int | None,
    r2: RoundSummary,
    r2_done: bool | None,
    r2_seconds: int | None,
) -> list[str]:
    """Cross-checks of the round-2 header against round 1 (the engine sets the round-2 limit
    to round 1's clock, so f7 of round 2 equals f8 of round 1 and a successful round-2 attack
    is faster)."""
    out: list[str] = []
    if r1 is None:
        return out
    if r1.clock_seconds and r2.time_limit_seconds and r2.time_limit_seconds != r1.clock_seconds:
        out.append(
            f"round {r2.id}: time limit {r2.time_limit_seconds} s is not round 1's "
            f"clock {r1.clock_seconds} s"
        )
    if r1_done and r2_done and r1_seconds and r2_seconds and r2_seconds >= r1_seconds:
        out.append(
            f"round {r2.id}: header says round 2 beat the time but its clock "
            f"{r2_seconds} s is not below round 1's {r1_seconds} s"
        )
    return out


def _outcome(
    r1_done: bool | None,
    r2_done: bool | None,
    has_r2: bool,
    b_team: int | None,
    r2: RoundSummary | None,
) -> tuple[str, str | None]:
    if not has_r2:
        return "incomplete", None
    if r2_done is None:
        return "incomplete", None
    attackers_r2 = "B" if r2 is not None and b_team == _other(r2.defender_team) else "A"
    defenders_r2 = "A" if attackers_r2 == "B" else "B"
    if r2_done:
        return "beaten", attackers_r2
    if r1_done is False:
        return "double_full_hold", None
    return "held", defenders_r2


def _side(label: str, guids: set[str], refs: Refs) -> SideRoster:
    players = sorted(
        (refs.get(g, PlayerRef(g, g)) for g in guids), key=lambda p: (p.name.casefold(), p.guid)
    )
    return SideRoster(label=label, players=tuple(players))
