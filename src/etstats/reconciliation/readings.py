"""Source readings: what each artifact says, in one unit system (seconds), source-neutral.

The rules in :mod:`etstats.reconciliation.rules` compare these small records, never the parser
models, so they can be tested on hand-built values and stay independent of file formats.
They are internal and never published, so they are plain (mutable, slotted) ``attrs.define``
classes: their ``__init__`` stores each field with a plain slot store, as cheap as a sealed
builder (:mod:`etstats._sealing`) and without its rules. Treat them as read-only.
:mod:`etstats.reconciliation.adapters` builds them from a stats round (optionally differenced
against its round 1), a legacy gametimes file or a gametimes v1 file.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from attrs import define

from etstats.model.gametimes import ClosedBy


@define
class StatsPlayerReading:
    """One stats-file player line, per-round values (round 2 differenced when possible)."""

    key: str
    """GUID8 upper-cased."""
    name: str
    team: int
    bot: bool
    layout: int | None
    dead_s: float | None
    """TAB[25] * 60 (per round in every file)."""
    played_s: float | None
    """TAB[22] * 60, this round only (R2: differenced)."""
    alive_percent: float | None
    """TAB[8] for this round only (R2: recomputed by the differential)."""
    denied_s: int | None
    """TAB[28] whole seconds (None when the layout has no reliable denied time)."""
    weapon_deaths: int
    self_kills: int | None
    times_revived: int | None
    kills: int
    raw_played_s: float | None = None
    """TAB[22] * 60 as written (cumulative in round 2)."""
    raw_dead_ratio: float | None = None
    """TAB[24] as written (percent)."""
    raw_kd: float | None = None
    """TAB[26] as written."""
    raw_kills: int = 0
    raw_deaths: int = 0
    """Weapon kills/deaths as written (cumulative in round 2)."""
    differenced: bool = False
    """Round-2 values obtained by subtracting round 1 (resolution doubled)."""
    team_kills: int | None = None
    """TAB[6] this round: team mates this player killed."""
    raw_alive_percent: float | None = None
    """TAB[8] as written (cumulative ratio in round 2)."""
    prior_played_s: float | None = None
    """Round 2 only: the round-1 file's TAB[22] * 60 for the same GUID."""
    prior_alive_percent: float | None = None
    """Round 2 only: the round-1 file's TAB[8]."""


@define
class StatsReading:
    name: str
    map: str
    round: int
    time: datetime | None
    """File-name time: naive server-local wall clock."""
    limit_s: int | None
    clock_s: int | None
    playtime_ms: int | None
    winner: int
    defender: int
    header_fields: int
    layout: int | None
    players: tuple[StatsPlayerReading, ...]
    r1_name: str | None = None

    @property
    def overcount_version(self) -> bool:
        """True for c0rnp0rn 3/7 and older (8-field header): TAB[25]/TAB[24] overcount."""
        return self.header_fields < 9


class LuaDeath(NamedTuple):
    """One closed dead interval from gametimes v1 (seconds): the fields of a :data:`DeathRecord`.

    :func:`v1_reading` stores plain tuples in this field order (a v1 round has about 100
    deaths, rebuilt for every round reconciled, and a tuple display costs a fraction of a
    named tuple's constructor); the rules unpack them by position, so a ``LuaDeath`` (handy
    in hand-built readings) works as well.
    """

    dead_s: float
    paused_s: float
    closed_by: str
    kind: str
    killer: str | None


DeathRecord = tuple[float, float, str, str, str | None]
"""(dead_s, paused_s, closed_by, kind, killer): see :class:`LuaDeath`."""


@define
class LuaPlayerReading:
    guid: str | None
    name: str
    team: int
    deaths: int
    spawns: int
    dead_s: float
    revives: int | None = None
    denied_s: float | None = None
    played_s: float | None = None
    self_kills: int | None = None
    kills: int | None = None
    disconnects: int | None = None
    team_changes: int | None = None
    connected_at_end: bool | None = None
    max_respawn_s: float | None = None
    deaths_detail: tuple[DeathRecord, ...] | None = None
    """v1 only: every death as (dead_s, paused_s, closed_by, kind, killer) (:class:`LuaDeath`)."""

    @property
    def key(self) -> str | None:
        return None if not self.guid else self.guid[:8].upper()


@define
class LuaReading:
    name: str
    kind: str
    """``gametimes`` (v1) or ``gametimes-legacy``."""
    map: str
    round: int
    start_unix: int
    end_unix: int
    play_s: float
    pause_s: float
    pause_count: int
    end_reason: str | None
    winner: int | None
    defender: int | None
    surrender_team: int | None
    limit_s: float | None
    limbo_axis_s: float | None
    limbo_allies_s: float | None
    players: tuple[LuaPlayerReading, ...]
    version: tuple[int, int, int] | None = None
    roster: tuple[tuple[str | None, str, int], ...] = ()
    """(guid, name, team) of the teams at round end (legacy payload), else ()."""
    pause_events_s: tuple[float, ...] | None = None

    @property
    def clock_mixing(self) -> bool:
        """slomix v1.6.0-1.6.2: spawn/death intervals mix two clocks (unusable)."""
        return self.kind == "gametimes-legacy" and (
            self.version is not None and (1, 6, 0) <= self.version < (1, 6, 3)
        )

    @property
    def pause_in_dead(self) -> bool:
        """Whether the Lua dead time includes pause time (slomix: level.time keeps running)."""
        return self.kind == "gametimes-legacy"

    def limbo_for(self, team: int) -> float | None:
        return self.limbo_axis_s if team == 1 else self.limbo_allies_s if team == 2 else None


CLOSED_DISCONNECT = ClosedBy.DISCONNECT.value
CLOSED_SPECTATOR = ClosedBy.SPECTATOR.value
CLOSED_ROUND_END = ClosedBy.ROUND_END.value

__all__ = [
    "CLOSED_DISCONNECT",
    "CLOSED_ROUND_END",
    "CLOSED_SPECTATOR",
    "DeathRecord",
    "LuaDeath",
    "LuaPlayerReading",
    "LuaReading",
    "StatsPlayerReading",
    "StatsReading",
]
