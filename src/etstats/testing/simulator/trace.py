"""What happened, as the simulator saw it: the input of the ground truth (:mod:`.truth`).

The runner appends one :class:`TraceEvent` per semantic event with the level time (ms) and
wall clock (UTC epoch s) at which the engine made it happen. Kinds and their ``data`` keys:

* ``warmup_start``: -
* ``round_start``: round, map, gametype, timelimit_ms, axis_limbo_ms, allies_limbo_ms,
  defender, level_start_ms
* ``enter``: slot, guid, name, team; ``connect``: slot, guid, first_time
* ``rejected``, ``disconnect``: slot; ``spawn``: slot, revived; ``team``: slot, team
* ``obituary``: victim, killer, mod; ``callvote``: slot, vote; ``rename``: slot, name
* ``pause_start``, ``pause_end``: -
* ``end``: emit, reason, exit_line, winner, defender, surrender_team, caller_slot, play_ms
"""

from __future__ import annotations

from attrs import field, frozen


@frozen
class TraceEvent:
    """One semantic event at a level time (ms) and wall clock (UTC epoch seconds)."""

    kind: str
    level_ms: int
    wall_unix: int
    data: dict[str, object] = field(factory=dict)

    def num(self, key: str) -> int:
        """``data[key]`` as an int."""
        value = self.data[key]
        if not isinstance(value, int):
            raise TypeError(f"trace {self.kind}.{key} is not an int: {value!r}")
        return value
