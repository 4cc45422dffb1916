"""Model of the versioned gametimes file (``schema_version`` 1) written by ``lua/etstats.lua``.

One file per round: ``gametimes/etstats-<safe_map>-R<round>-<round_start_unix>-<port>.json``.
Units are in the names: every ``*_ms`` is milliseconds, every ``*_unix`` is UTC epoch seconds.
Two clocks are used and never mixed: ``*_level_ms`` values are the engine's ``levelTime``
(server time, keeps running during pauses); ``*_unix`` values are ``os.time()`` wall-clock
anchors for cross-system alignment. Every duration is pause-free unless stated otherwise.
The normative description is docs/formats/gametimes-v1.md; definitions of each per-player
quantity are in docs/lua.md.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable

from attrs import field, frozen
from attrs.validators import ge, in_, instance_of

from etstats._sealing import sealed_builder
from etstats.model.common import strip_colours

SCHEMA_VERSION = 1
"""The only ``schema_version`` this model describes."""

GUID_RE = re.compile(r"[0-9A-F]{32}")
"""A full ``cl_guid`` as the script writes it: 32 upper-case hex digits."""

ENTITYNUM_WORLD = 1022
"""``killer_slot`` of a death caused by the world (falling, drowning, map triggers)."""
ENTITYNUM_NONE = 1023
"""``killer_slot`` when the engine names no killer."""


class Emit(enum.StrEnum):
    """Why the file was written. Never disguised: an aborted round says so."""

    ROUND_END = "round_end"
    """The round ended normally (an ``Exit:`` line and/or the first intermission frame)."""
    SHUTDOWN = "shutdown"
    """The game module shut down mid-round (``et_ShutdownGame(0)``: map change, quit)."""
    MAP_RESTART = "map_restart"
    """An admin ``map_restart`` while PLAYING without an ``Exit:`` line."""
    LUA_RESTART = "lua_restart"
    """A partial round: the VM was stopped by ``lua_restart`` (only ``et_Quit``) and could not
    hand the round over to the next VM; the numbers end at that moment."""


class EndReason(enum.StrEnum):
    """How the round ended, from the engine's ``Exit: <reason>`` console line."""

    OBJECTIVE = "objective"
    """``Exit: Wolf EndRound.`` (map-script objective end)."""
    TIME_EXPIRED = "time_expired"
    """``Exit: Timelimit hit.``"""
    SURRENDER = "surrender"
    """``Exit: Axis Surrender`` / ``Exit: Allies Surrender``."""
    TEAM_ELIMINATED = "team_eliminated"
    """``Exit: <Team> team eliminated.``"""
    NEXTMAP_VOTE = "nextmap_vote"
    """``Exit: Nextmap vote passed``."""
    FIRST_BLOOD = "first_blood"
    """Last Man Standing: ``Exit: Axis/Allied team wins by drawing First Blood.``"""
    MOST_SURVIVORS = "most_survivors"
    """Last Man Standing: ``Exit: Axis/Allied team has the most survivors.``"""
    SHUTDOWN = "shutdown"
    """No exit: the module shut down mid-round (see :attr:`Emit.SHUTDOWN`)."""
    MAP_RESTART = "map_restart"
    """No exit: an admin map_restart (see :attr:`Emit.MAP_RESTART`)."""
    LUA_RESTART = "lua_restart"
    """No exit: a partial file written at ``lua_restart`` (see :attr:`Emit.LUA_RESTART`)."""
    UNKNOWN = "unknown"
    """Intermission began without a recognised ``Exit:`` line."""


class ClosedBy(enum.StrEnum):
    """The event that ended a dead interval."""

    RESPAWN = "respawn"
    """``et_ClientSpawn`` with ``revived == 0``."""
    REVIVE = "revive"
    """``et_ClientSpawn`` with ``revived == 1``."""
    DISCONNECT = "disconnect"
    """``et_ClientDisconnect``."""
    SPECTATOR = "spectator"
    """The player moved to the spectators."""
    ROUND_END = "round_end"
    """Still dead when the round ended (or when the file was emitted)."""
    DEATH = "death"
    """A second obituary arrived while the player was still dead (rare engine corner case)."""


class KillKind(enum.StrEnum):
    """Who caused a death, relative to the victim (teams as they were at the kill)."""

    ENEMY = "enemy"
    """A player of the other team: the interval counts as the killer's denied time."""
    TEAM = "team"
    """A team mate."""
    SELF = "self"
    """The victim itself (``killer == victim``)."""
    WORLD = "world"
    """The world or an unknown entity (killer slot >= sv_maxclients, 1022, 1023)."""
    TEAM_CHANGE = "team_change"
    """No death: the limbo wait after a team join or switch later than 600 ms into the round,
    until the next wave (killer slot 1023, ``mod`` 59 after a switch of a living player, else
    0). Counts as dead time, denies nothing, is not in ``deaths``."""


def _guid_ok(_inst: object, attribute: object, value: str | None) -> None:
    if value is not None and not GUID_RE.fullmatch(value):
        raise ValueError(f"guid must be 32 upper-case hex digits or null, got {value!r}")


_non_negative = [instance_of(int), ge(0)]


@frozen
class Producer:
    """What wrote the file."""

    name: str
    """``"etstats.lua"``."""
    version: str
    """The script's version, e.g. ``"0.1.0"``."""
    lua: str
    """The interpreter's ``_VERSION``, e.g. ``"Lua 5.4"``."""


@frozen
class Server:
    """The game server instance the round was played on."""

    hostname: str
    """cvar ``sv_hostname`` as set (colour codes kept)."""
    ip: str
    """cvar ``net_ip`` (often empty or ``0.0.0.0``)."""
    port: int
    """cvar ``net_port`` as an integer (0 if unreadable)."""

    @property
    def clean_hostname(self) -> str:
        """:attr:`hostname` without colour codes."""
        return strip_colours(self.hostname)


@frozen
class Pause:
    """One pause (``CS_SERVERTOGGLES`` bit 16 set), including the 10 s unpause countdown."""

    start_level_ms: int
    """levelTime (ms) of the first frame with the pause bit set."""
    end_level_ms: int
    """levelTime (ms) of the first frame with the bit clear (or the round end if still paused)."""
    duration_ms: int = field(validator=_non_negative)
    """``end_level_ms - start_level_ms`` (ms)."""
    start_unix: int
    """Wall clock (UTC epoch seconds) at the pause start."""
    end_unix: int
    """Wall clock (UTC epoch seconds) at the pause end."""


@frozen
class End:
    """How the round ended and who won."""

    reason: EndReason
    """Parsed from :attr:`exit_line`; ``shutdown``/``map_restart`` for marked emits."""
    exit_line: str | None
    """The engine's ``Exit: ...`` line as printed (trailing newline removed), ``None`` if none."""
    winner: int
    """``CS_MULTI_MAPWINNER`` ``w`` + 1: 1 Axis, 2 Allies, 0 unknown/none."""
    defender: int
    """``CS_MULTI_INFO`` ``d`` + 1: 1 Axis, 2 Allies, 0 unknown."""
    surrender_team: int
    """Team that surrendered (1 Axis, 2 Allies), 0 if the round did not end by surrender."""
    surrender_caller_guid: str | None = field(validator=_guid_ok)
    """GUID of the player whose ``callvote surrender`` preceded the surrender exit."""
    surrender_caller_name: str | None
    """That player's name (colour codes kept)."""


@frozen
class Limbo:
    """Reinforcement (limbo) times in force: cvars ``g_redlimbotime``/``g_bluelimbotime``."""

    axis: int
    """Axis respawn wave interval, ms."""
    allies: int
    """Allies respawn wave interval, ms."""


@frozen
class Death:
    """One death of a player while PLAYING (``MOD_SWITCHTEAM`` is not a death)."""

    at_level_ms: int
    """levelTime (ms) of the ``et_Obituary`` (the last frame's levelTime)."""
    end_level_ms: int
    """levelTime (ms) when the dead interval was closed (see :attr:`closed_by`)."""
    killer_guid: str | None = field(validator=_guid_ok)
    """Killer's GUID (the victim's own for self kills); ``None`` for world kills and killers
    without a GUID."""
    killer_slot: int
    """Killer's client slot; 1022 world, 1023 none."""
    kind: KillKind
    """Killer relative to victim; only ``enemy`` deaths count as the killer's denied time."""
    mod: int
    """Means of death (engine ``MOD_*`` number)."""
    dead_ms: int = field(validator=_non_negative)
    """``end_level_ms - at_level_ms - paused_ms`` (ms)."""
    paused_ms: int = field(validator=_non_negative)
    """Part of the interval that overlapped pauses (ms), excluded from :attr:`dead_ms`."""
    closed_by: ClosedBy
    """What ended the dead interval."""


@frozen
class Player:
    """One player of the round, keyed by GUID (players without a valid GUID: by slot)."""

    guid: str | None = field(validator=_guid_ok)
    """Full 32-hex ``cl_guid`` upper-cased; ``None`` when the client sent none (e.g. bots)."""
    slot: int
    """Client slot (0 .. sv_maxclients-1), the latest one used this round."""
    name: str
    """Latest name (colour codes kept; see :attr:`clean_name`)."""
    team: int
    """Team at round end, or at disconnect: 0 free, 1 Axis, 2 Allies, 3 spectator."""
    connected_at_end: bool
    """Whether the player was connected when the round ended."""
    spawns: int = field(validator=_non_negative)
    """``et_ClientSpawn`` calls with ``revived == 0`` while PLAYING."""
    revives: int = field(validator=_non_negative)
    """``et_ClientSpawn`` calls with ``revived == 1`` while PLAYING."""
    deaths: int = field(validator=_non_negative)
    """Deaths while PLAYING, ``MOD_SWITCHTEAM`` excluded (one :class:`Death` each)."""
    kills: int = field(validator=_non_negative)
    """Enemy kills while PLAYING."""
    team_kills: int = field(validator=_non_negative)
    """Kills of team mates while PLAYING."""
    self_kills: int = field(validator=_non_negative)
    """Deaths with ``killer == victim`` while PLAYING (``MOD_SWITCHTEAM`` excluded)."""
    dead_ms: int = field(validator=_non_negative)
    """Sum of :attr:`Death.dead_ms` (ms, pause-free, levelTime clock)."""
    denied_ms: int = field(validator=_non_negative)
    """Sum of the ``dead_ms`` of this player's ``enemy`` kills (ms)."""
    time_axis_ms: int = field(validator=_non_negative)
    """Time on Axis while PLAYING (ms, pause-free)."""
    time_allies_ms: int = field(validator=_non_negative)
    """Time on Allies while PLAYING (ms, pause-free)."""
    connects: int = field(validator=_non_negative)
    """``et_ClientConnect`` calls with ``firstTime == 1`` for this GUID during play; the
    reconnects the engine performs after every ``map_restart`` (``firstTime == 0``) do not
    count."""
    disconnects: int = field(validator=_non_negative)
    """``et_ClientDisconnect`` calls for this GUID during the round."""
    team_changes: int = field(validator=_non_negative)
    """Team changes seen during the round (any of free/Axis/Allies/spectator to another)."""
    deaths_detail: tuple[Death, ...] = ()
    """Every death, in order."""

    @property
    def clean_name(self) -> str:
        """:attr:`name` without colour codes."""
        return strip_colours(self.name)

    @property
    def guid8(self) -> str | None:
        """The first 8 GUID characters: the key the c0rnp0rn stats file uses."""
        return None if self.guid is None else self.guid[:8]


@frozen
class Gametimes:
    """A whole gametimes v1 file: one round as measured by ``lua/etstats.lua``."""

    schema_version: int = field(validator=in_((SCHEMA_VERSION,)))
    """Always 1 for this model; other versions are rejected by the parser."""
    producer: Producer
    server: Server
    map: str
    """cvar ``mapname`` as set (the file name uses a sanitised copy)."""
    gametype: int
    """cvar ``g_gametype`` (3 = stopwatch)."""
    round: int = field(validator=_non_negative)
    """1 or 2, from ``g_currentRound`` read at ``et_InitGame`` (0 -> 1, 1 -> 2); in Last Man
    Standing (``g_gametype`` 5, where ``g_currentRound`` counts rounds) any round number
    ``g_currentRound + 1``; 0 unknown."""
    emit: Emit
    round_start_unix: int
    """Wall clock (UTC epoch seconds) at the first PLAYING frame."""
    round_end_unix: int
    """Wall clock (UTC epoch seconds) at the exit (``Exit:`` line) or at the emit."""
    round_start_level_ms: int
    """levelTime (ms) of the first PLAYING frame."""
    round_end_level_ms: int
    """levelTime (ms) of the exit (last frame before the ``Exit:`` line) or of the emit."""
    play_ms: int
    """Game clock at the end: ``levelTime - CS_LEVEL_START_TIME`` (ms, pause-free); what the
    engine compares with the time limit."""
    timelimit_ms: int
    """cvar ``timelimit`` (minutes, may be fractional) * 60000, rounded to the nearest ms."""
    warmup_ms: int | None
    """Warmup length (ms) measured across VM restarts; ``None`` if no warmup start was seen."""
    warmup_start_unix: int | None
    """Wall clock (UTC epoch seconds) when the warmup began; ``None`` if unknown."""
    started_mid_round: bool
    """The script was loaded while the round was already running: start values are late."""
    pauses: tuple[Pause, ...]
    pause_total_ms: int = field(validator=_non_negative)
    """Sum of :attr:`Pause.duration_ms` (ms)."""
    end: End
    limbo_ms: Limbo
    players: tuple[Player, ...]

    @property
    def key(self) -> tuple[int, str, int, int]:
        """The round identity shared with the stats pipeline: (port, map, round, start)."""
        return (self.server.port, self.map, self.round, self.round_start_unix)

    @property
    def wall_ms(self) -> int:
        """``(round_end_unix - round_start_unix) * 1000``: wall clock including pauses (ms)."""
        return (self.round_end_unix - self.round_start_unix) * 1000

    def player(self, guid: str) -> Player | None:
        """The player with this full GUID (case-insensitive), ``None`` if absent."""
        wanted = guid.upper()
        return next((p for p in self.players if p.guid == wanted), None)


# --- sealed builders (etstats._sealing): positional, every field in field order, unchecked ---
# For the v1 parser's fast path (etstats.parsing.gametimes), which checks every value (JSON
# type, enum value, validator rule) itself first; ``prechecked`` names the validated fields
# whose rule it vouches for.

build_producer: Callable[[str, str, str], Producer] = sealed_builder(Producer)
"""``Producer(name, version, lua)``."""
build_server: Callable[[str, str, int], Server] = sealed_builder(Server)
"""``Server(hostname, ip, port)``."""
build_pause: Callable[[int, int, int, int, int], Pause] = sealed_builder(
    Pause, prechecked=("duration_ms",)
)
"""``Pause(start_level_ms, end_level_ms, duration_ms, start_unix, end_unix)``;
``duration_ms >= 0`` is the caller's to ensure."""
build_end: Callable[[EndReason, str | None, int, int, int, str | None, str | None], End] = (
    sealed_builder(End, prechecked=("surrender_caller_guid",))
)
"""``End(reason, exit_line, winner, defender, surrender_team, surrender_caller_guid,
surrender_caller_name)``; the GUID rule (:data:`GUID_RE` or ``None``) is the caller's."""
build_limbo: Callable[[int, int], Limbo] = sealed_builder(Limbo)
"""``Limbo(axis, allies)``."""
build_death: Callable[[int, int, str | None, int, KillKind, int, int, int, ClosedBy], Death] = (
    sealed_builder(Death, prechecked=("killer_guid", "dead_ms", "paused_ms"))
)
"""``Death(at_level_ms, end_level_ms, killer_guid, killer_slot, kind, mod, dead_ms, paused_ms,
closed_by)``; the GUID rule and ``dead_ms, paused_ms >= 0`` are the caller's."""
_PLAYER_COUNTS = (
    "spawns",
    "revives",
    "deaths",
    "kills",
    "team_kills",
    "self_kills",
    "dead_ms",
    "denied_ms",
    "time_axis_ms",
    "time_allies_ms",
    "connects",
    "disconnects",
    "team_changes",
)
build_player: Callable[
    [
        str | None,
        int,
        str,
        int,
        bool,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        tuple[Death, ...],
    ],
    Player,
] = sealed_builder(Player, prechecked=("guid", *_PLAYER_COUNTS))
"""``Player(guid, slot, name, team, connected_at_end, <the 13 counts from spawns to
team_changes>, deaths_detail)``; the GUID rule and every count ``>= 0`` are the caller's."""
build_gametimes: Callable[..., Gametimes] = sealed_builder(
    Gametimes, prechecked=("schema_version", "round", "pause_total_ms")
)
"""``Gametimes(...)``, every field in field order; ``schema_version == 1``, ``round >= 0`` and
``pause_total_ms >= 0`` are the caller's."""


__all__ = [
    "ENTITYNUM_NONE",
    "ENTITYNUM_WORLD",
    "GUID_RE",
    "SCHEMA_VERSION",
    "ClosedBy",
    "Death",
    "Emit",
    "End",
    "EndReason",
    "Gametimes",
    "KillKind",
    "Limbo",
    "Pause",
    "Player",
    "Producer",
    "Server",
]
