"""Scenarios: a stopwatch map described as data, played by :mod:`.runner`.

A :class:`Scenario` names the map, the server (slots, limbo times, defender), the players and
one :class:`RoundSpec` per round played. Each round has a timeline of events; every ``at_ms``
is milliseconds of **level time after the round's first PLAYING frame** (pauses included),
rounded up to the 50 ms frame grid. The round ends with its :class:`Ending` (objective,
surrender, shutdown, admin map_restart) or, when none comes first, when the game clock
reaches the time limit (``Exit: Timelimit hit.``).

Team numbers: 1 Axis, 2 Allies, 3 spectator. Slots: 0 .. ``max_clients - 1``.
Killer slots 1022 (world) and 1023 (none) are world kills.
"""

from __future__ import annotations

import enum
import hashlib
from typing import Literal

from attrs import field, frozen

from etstats.errors import EtStatsError

WORLD = 1022
"""ENTITYNUM_WORLD: the killer of a world death (falling, drowning, triggers)."""
NONE_ENTITY = 1023
"""ENTITYNUM_NONE."""
MOD_SWITCHTEAM = 59
"""Means of death of the obituary the engine sends when a player changes team."""
MOD_SUICIDE = 33
"""Means of death of ``/kill``."""
MOD_MP40 = 8
"""A gun (any ordinary means of death works; the number is copied to the output)."""
MOD_FALLING = 32
"""A world death (falling; 38 is MOD_KAR98)."""
MOD_UNKNOWN = 0
"""``mod`` of the limbo wait after a team join that had no obituary."""
FIRST_PLAY_MS = 600
"""A team join or switch later than this (ms of game clock) goes to limbo until the next wave."""


class ScenarioError(EtStatsError):
    """A scenario that cannot be played (e.g. a revive of a gibbed player).

    :attr:`event` is the timeline event that could not happen (``None`` for other causes).
    """

    def __init__(self, message: str, event: object = None) -> None:
        super().__init__(message)
        self.event = event


@frozen
class PlayerSpec:
    """One human (or bot) client of the scenario."""

    slot: int
    guid: str | None
    """32 upper-case hex digits as sent in userinfo ``cl_guid``; ``None`` sends no GUID."""
    name: str
    """The name; may contain colour codes, quotes, control characters."""
    team: int = 1
    """Team when first connected (1 Axis, 2 Allies, 3 spectator)."""
    name_encoding: Literal["utf-8", "latin-1"] = "utf-8"
    """How the client encodes :attr:`name` on the wire (the engine passes bytes through)."""
    is_bot: bool = False
    present_at_start: bool = True
    """``False``: the player connects later through a :class:`Connect` event."""

    @property
    def name_bytes(self) -> bytes:
        """The name as the bytes the engine stores in ``pers.netname``."""
        return self.name.encode(self.name_encoding)


@frozen
class Kill:
    """``killer`` kills ``victim`` (``killer == victim``: self kill; 1022: world)."""

    at_ms: int
    victim: int
    killer: int
    mod: int = MOD_MP40
    gib: bool = False
    """Gibbed at once: no revive possible, respawn at the next wave."""
    in_frame: bool = False
    """A missile death (grenade, mortar, airstrike): it happens inside the server frame, before
    ``et_RunFrame``, at that frame's level time; a script then still holds the previous
    frame's levelTime (the victim's ``deathTime`` field has the exact one). Otherwise the
    kill is a client's hit, between frames."""


@frozen
class Gib:
    """A downed ``victim`` is gibbed (no revive possible any more)."""

    at_ms: int
    victim: int


@frozen
class Revive:
    """A medic (``reviver``) revives a downed ``victim``: ``et_ClientSpawn(victim, 1, 0, 0)``."""

    at_ms: int
    victim: int
    reviver: int


@frozen
class Pause:
    """An admin pauses the game: ``CS_SERVERTOGGLES`` bit 16 from the next frame on; the game
    clock froze one frame earlier. Without an :class:`Unpause` the engine resumes by itself
    after ``match_timeoutlength`` (180 s) plus the 10 s countdown."""

    at_ms: int


@frozen
class Unpause:
    """Unpause command: the bit clears when the 10 s resume countdown ends."""

    at_ms: int


@frozen
class Disconnect:
    """Client ``slot`` leaves."""

    at_ms: int
    slot: int


@frozen
class Connect:
    """Client ``slot`` (a known player, absent or disconnected) joins late on ``team``.

    A human connects as a spectator (the engine forces it) and then joins ``team`` with a
    separate ``SetTeam``; a bot connects straight onto ``team``. Joining Axis/Allies more than
    600 ms into the round means limbo until the next reinforcement wave."""

    at_ms: int
    slot: int
    team: int


@frozen
class TeamChange:
    """Client ``slot`` moves to ``team`` (3 = spectator): ``SetTeam``. A living player on
    Axis/Allies first gets a ``MOD_SWITCHTEAM`` obituary (a dead or limbo one none); then
    ``et_ClientUserinfoChanged`` and ``et_ClientSpawn(n, 0, 1, 1)``; on Axis/Allies more than
    600 ms into the round the player is put in limbo until the next wave of the new team."""

    at_ms: int
    slot: int
    team: int


@frozen
class CallVote:
    """``callvote <vote>`` by ``slot`` (through ``et_ClientCommand``); it does not end the round."""

    at_ms: int
    slot: int
    vote: str = "surrender"


@frozen
class LogPrint:
    """Another module calls ``et.G_LogPrint(text)``: the line reaches every ``et_Print``
    (e.g. a spoofed ``Exit: Wolf EndRound.``)."""

    at_ms: int
    text: str


@frozen
class LuaRestart:
    """``lua_restart`` (rcon): the VMs get only ``et_Quit``, new VMs get no ``et_InitGame``."""

    at_ms: int


@frozen
class Rename:
    """Client ``slot`` changes its name (``et_ClientUserinfoChanged``)."""

    at_ms: int
    slot: int
    name: str


Event = (
    Kill
    | Gib
    | Revive
    | Pause
    | Unpause
    | Disconnect
    | Connect
    | TeamChange
    | CallVote
    | Rename
    | LogPrint
    | LuaRestart
)
"""Any timeline event."""


class EndKind(enum.StrEnum):
    """How a round ends."""

    TIMELIMIT = "timelimit"
    """No ending event: the engine ends the round when the game clock reaches the limit."""
    OBJECTIVE = "objective"
    """``Exit: Wolf EndRound.``, :attr:`Ending.winner` wins."""
    SURRENDER = "surrender"
    """``callvote surrender`` by :attr:`Ending.caller`; passes 3 s later:
    ``Exit: <Team> Surrender``."""
    SHUTDOWN = "shutdown"
    """The server changes map mid-round: ``et_ShutdownGame(0)``; must be the last round."""
    ELIMINATED = "eliminated"
    """``Exit: <Team> team eliminated.`` (``Axis``/``Allied``): :attr:`Ending.winner` wins."""
    FIRST_BLOOD = "first_blood"
    """Last Man Standing: ``Exit: <Team> team wins by drawing First Blood.``"""
    MOST_SURVIVORS = "most_survivors"
    """Last Man Standing: ``Exit: <Team> team has the most survivors.``"""
    NEXTMAP_VOTE = "nextmap_vote"
    """``Exit: Nextmap vote passed``, then intermission and a map change; last round only."""
    MAP_RESTART = "map_restart"
    """A vote or referee ``map_restart`` mid-round: ``et_ShutdownGame(1)``, new VMs in WARMUP;
    the round is replayed by the next spec after a warmup."""
    RCON_RESTART = "rcon_restart"
    """A bare rcon ``map_restart`` mid-round: the gamestate stays PLAYING (sv_ccmds.c), so the
    new VMs' ``et_InitGame(.., 1)`` starts the replay (the next spec) at once, no warmup."""


@frozen
class Ending:
    """The end of one round."""

    kind: EndKind = EndKind.TIMELIMIT
    at_ms: int = 0
    """When it happens (ignored for ``timelimit``)."""
    winner: int = 2
    """Winning team for ``objective`` (1 Axis, 2 Allies)."""
    caller: int = 0
    """Slot that calls the surrender vote."""
    second_exit: str | None = None
    """A second exit reason the engine logs in the same frame as
    ``Exit: <it> (already triggered)``; the first exit stands."""


@frozen
class RoundSpec:
    """One round as played (an admin-restarted round and its replay are two specs)."""

    events: tuple[Event, ...] = ()
    ending: Ending = Ending()
    timelimit_min: float | None = None
    """R1 time limit in minutes; ``None``: the scenario's, or for R2 ``g_nextTimeLimit``."""
    warmup_events: tuple[Kill, ...] = ()
    """Kills during this round's warmup (``at_ms`` after the warmup starts); they are not
    deaths of the round. The victim respawns 1 s later."""
    warmup_ms: int = 3_000
    countdown_ms: int = 2_000
    intermission_ms: int = 2_000


@frozen
class Scenario:
    """A complete run: one map, one or two (or more, with restarts) rounds."""

    name: str
    description: str
    players: tuple[PlayerSpec, ...]
    rounds: tuple[RoundSpec, ...]
    map_name: str = "supply"
    gametype: int = 3
    max_clients: int = 16
    timelimit_min: float = 2.0
    axis_limbo_ms: int = 30_000
    allies_limbo_ms: int = 20_000
    defender: int = 0
    """``CS_MULTI_INFO`` ``d``: 0 Axis defend, 1 Allies defend."""
    swap_teams: bool = True
    """Swap Axis and Allies at the R1 -> R2 restart (stopwatch)."""
    hostname: str = "^1Sim ^7Server"
    port: int = 27960
    seed: int = field(default=1234)

    def player(self, slot: int) -> PlayerSpec:
        """The player of ``slot``."""
        for p in self.players:
            if p.slot == slot:
                return p
        raise ScenarioError(f"scenario {self.name}: no player in slot {slot}")


def guid_for(n: int) -> str:
    """A deterministic valid GUID (32 upper-case hex digits) for player number ``n``."""
    return hashlib.sha256(f"etstats-sim-{n}".encode()).hexdigest()[:32].upper()


__all__ = [
    "FIRST_PLAY_MS",
    "MOD_FALLING",
    "MOD_MP40",
    "MOD_SUICIDE",
    "MOD_SWITCHTEAM",
    "MOD_UNKNOWN",
    "NONE_ENTITY",
    "WORLD",
    "CallVote",
    "Connect",
    "Disconnect",
    "EndKind",
    "Ending",
    "Event",
    "Gib",
    "Kill",
    "LogPrint",
    "LuaRestart",
    "Pause",
    "PlayerSpec",
    "Rename",
    "Revive",
    "RoundSpec",
    "Scenario",
    "ScenarioError",
    "TeamChange",
    "Unpause",
    "guid_for",
]
