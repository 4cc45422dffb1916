"""Model of slomix's legacy gametimes JSON file and its Discord webhook payload.

A legacy gametimes file (``gametime-<map>-R<round>-<ts>.json``, written by slomix's
``stats_discord_webhook.lua`` v1.5.0 and later) holds a ``meta`` object and the complete Discord
webhook body (``payload``) that was posted for the same round. Field names carry their unit
(``_seconds``, ``_minutes``, ``_unix`` = Unix seconds, UTC epoch). The file format, its defects
and every finding code are described in docs/formats/gametimes-legacy.md.
"""

from __future__ import annotations

from attrs import field, frozen

from etstats.model.common import Finding, Provenance


@frozen
class LegacySpawnStat:
    """One element of ``meta.spawn_stats``: a player's spawns and dead time (Lua v1.6.0+).

    Lua v1.6.0 to v1.6.2 stamped deaths and spawns with two different clocks; their dead and
    respawn times are unusable (finding ``legacy-clock-mixing``).
    """

    guid: str
    """First 32 characters of the player's ``cl_guid`` (full 32-hex GUID in practice)."""
    name: str
    """Player name with ``^`` colour codes stripped by the Lua script."""
    spawns: int
    """Distinct spawn times seen (initial spawn, respawns and revives all count)."""
    deaths: int
    """Obituaries while on Axis or Allies (team-switch self-kills included)."""
    dead_seconds: int
    """Whole seconds dead: closed death-to-spawn intervals plus the open tail to round end."""
    avg_respawn: int
    """Seconds: ``floor(dead_seconds / deaths)`` (tail included), 0 when there are no deaths."""
    max_respawn: int
    """Seconds: the longest *closed* death-to-spawn interval, floored (tail excluded)."""


@frozen
class LegacyMeta:
    """The ``meta`` object of a legacy gametimes file.

    ``None`` means the key was absent (older script versions); every written key is kept.
    """

    map: str
    """cvar ``mapname`` as written (not sanitised, unlike the file name)."""
    round: int
    """Round number: 1 or 2; 0 when the script could not tell (the bot maps 0 to 2)."""
    round_start_unix: int
    """Unix seconds (UTC epoch) when PLAYING was first seen; shifted forward by the v1.6.2 cap."""
    round_end_unix: int
    """Unix seconds (UTC epoch) when INTERMISSION was first seen (or the shutdown fallback)."""
    actual_duration_seconds: int
    """``end - start - pauses`` in whole seconds, >= 0; capped at the time limit from v1.6.2."""
    warmup_seconds: int | None = None
    """``round_start_unix - warmup_start_unix`` in seconds (about 0: the VM reloads at start)."""
    pause_seconds: int | None = None
    """Total pause time this round, whole seconds."""
    pause_count: int | None = None
    """Number of pauses started this round."""
    server_ip: str | None = None
    """cvar ``net_ip`` as written (often empty or ``0.0.0.0``)."""
    server_port: str | None = None
    """cvar ``net_port`` as written: a JSON *string* such as ``"27960"`` (see :attr:`port`)."""
    match_id: str | None = None
    """``tostring(round_end_unix)``: Unix seconds as text, unrelated to the bot's match ids."""
    spawn_stats: tuple[LegacySpawnStat, ...] = ()
    """Per-player spawn/death summaries, in the file's order (Lua ``pairs`` order)."""

    @property
    def port(self) -> int | None:
        """:attr:`server_port` as an integer, ``None`` when absent or not a port number."""
        text = (self.server_port or "").strip()
        if text.isascii() and text.isdigit() and 0 < int(text) <= 65535:
            return int(text)
        return None

    @property
    def wall_seconds(self) -> int:
        """``round_end_unix - round_start_unix``: wall-clock seconds including pauses."""
        return self.round_end_unix - self.round_start_unix


@frozen
class TeamMember:
    """One entry of ``Axis_JSON``/``Allies_JSON`` (or of the older ``Axis``/``Allies`` lists)."""

    name: str
    """Colour-stripped player name."""
    guid: str | None = None
    """GUID (at most 32 characters); ``None`` in the older name-only lists."""


@frozen
class PauseEvent:
    """One element of ``Lua_Pauses_JSON`` (``{"n", "start", "end", "sec"}``)."""

    n: int
    """1-based pause number within the round."""
    start_unix: int
    """Unix seconds when the pause began."""
    end_unix: int
    """Unix seconds when the pause ended (includes the 10 s unpause countdown)."""
    seconds: float
    """Pause length in seconds as written (whole seconds from v1.6.3; may be fractional)."""


@frozen
class SpawnSummary:
    """``Lua_SpawnSummary``: ``"Players:4 | Spawns:14 | AvgRespawn:20s | MaxRespawn:30s"``."""

    players: int
    """Players with spawns or deaths."""
    spawns: int
    """Sum of the players' spawns."""
    avg_respawn: int
    """Seconds: ``floor(sum of dead_seconds / sum of deaths)``."""
    max_respawn: int
    """Seconds: the largest ``max_respawn`` of any player."""


@frozen
class WebhookRound:
    """The typed content of a ``STATS_READY`` webhook body (embed 0's ``Lua_*`` fields).

    Every field is ``None`` when the embed field is missing, empty or a placeholder (``-``,
    ``n/a``...). Older field names (``Duration``, ``Time Limit``, ``Pauses``, ``End Reason``,
    ``Start Unix``, ``End Unix``, ``Axis``/``Allies``) fill the same attributes.
    """

    map: str | None = None
    """``Map``: cvar ``mapname``."""
    round: int | None = None
    """``Round``: 1 or 2; 0 when unknown."""
    winner: int | None = None
    """``Winner``: 1 Axis, 2 Allies, 0 unknown."""
    defender: int | None = None
    """``Defender``: 1 Axis, 2 Allies, 0 unknown."""
    playtime_seconds: int | None = None
    """``Lua_Playtime`` (``"610 sec"``): play time without pauses, seconds."""
    timelimit_minutes: float | None = None
    """``Lua_Timelimit`` (``"12 min"``, ``"7.35 min"``): cvar ``timelimit`` in minutes."""
    pause_count: int | None = None
    """``Lua_Pauses`` (``"1 (62 sec)"``): number of pauses."""
    pause_seconds: int | None = None
    """``Lua_Pauses`` (``"1 (62 sec)"``): total pause seconds."""
    end_reason: str | None = None
    """``Lua_EndReason``: ``objective``, ``surrender`` or ``time_expired`` (a heuristic)."""
    warmup_seconds: int | None = None
    """``Lua_Warmup`` (``"0 sec"``): warmup length, seconds."""
    warmup_start_unix: int | None = None
    """``Lua_WarmupStart``: Unix seconds; 0 when unknown."""
    warmup_end_unix: int | None = None
    """``Lua_WarmupEnd`` (v1.2 to v1.4 only): Unix seconds."""
    round_start_unix: int | None = None
    """``Lua_RoundStart``: Unix seconds."""
    round_end_unix: int | None = None
    """``Lua_RoundEnd``: Unix seconds."""
    surrender_team: int | None = None
    """``Lua_SurrenderTeam``: team that surrendered (1 Axis, 2 Allies), 0 if none."""
    surrender_caller: str | None = None
    """``Lua_SurrenderCaller``: GUID of the surrender vote's caller."""
    surrender_caller_name: str | None = None
    """``Lua_SurrenderCallerName``: colour-stripped name of the caller."""
    axis_score: int | None = None
    """``Lua_AxisScore``: Axis round wins counted by the script (reset every round in practice)."""
    allies_score: int | None = None
    """``Lua_AlliesScore``: Allies round wins counted by the script."""
    axis: tuple[TeamMember, ...] | None = None
    """``Axis_JSON`` (or the older ``Axis`` name list): Axis players at round end."""
    allies: tuple[TeamMember, ...] | None = None
    """``Allies_JSON`` (or the older ``Allies`` name list): Allies players at round end."""
    pauses: tuple[PauseEvent, ...] | None = None
    """``Lua_Pauses_JSON``: the round's pauses."""
    spawn_summary: SpawnSummary | None = None
    """``Lua_SpawnSummary`` (v1.6.0+)."""
    version: tuple[int, int, int] | None = None
    """Script version from the footer (``"Slomix Lua Webhook v1.7.2"`` -> ``(1, 7, 2)``)."""
    username: str | None = None
    """Webhook ``username`` (``"ET:Legacy Stats"``)."""
    content: str | None = None
    """Message ``content``: ``"STATS_READY"`` marks a round (the bot's dispatch key)."""
    findings: tuple[Finding, ...] = field(default=(), eq=False)
    """Findings about the payload alone (ignored by ``==``; empty inside
    :class:`LegacyGametimes`, whose ``findings`` hold them)."""

    @property
    def version_text(self) -> str | None:
        """:attr:`version` as ``"1.7.2"``."""
        return None if self.version is None else ".".join(map(str, self.version))


@frozen
class LegacyGametimes:
    """A parsed legacy gametimes file: ``meta``, the typed webhook payload and findings."""

    meta: LegacyMeta
    payload: WebhookRound | None = None
    """The webhook body posted for this round; ``None`` when absent or ``null``."""
    provenance: Provenance | None = field(default=None, eq=False)
    """Where the file came from; ``file_timestamp`` is the name's ``<ts>`` as an aware UTC
    datetime (ignored by ``==``)."""
    findings: tuple[Finding, ...] = field(default=(), eq=False)
    """Every finding about the file, payload included; never raised (ignored by ``==``)."""

    @property
    def version(self) -> tuple[int, int, int] | None:
        """Script version from the payload footer, ``None`` when unknown."""
        return None if self.payload is None else self.payload.version


__all__ = [
    "LegacyGametimes",
    "LegacyMeta",
    "LegacySpawnStat",
    "PauseEvent",
    "SpawnSummary",
    "TeamMember",
    "WebhookRound",
]
