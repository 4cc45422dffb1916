"""The storage interface the ingestion pipeline talks to, and the rows it exchanges.

A backend implements :class:`Storage` (open/migrate/transactions/reads). All writes happen inside
:meth:`Storage.transaction`, which yields a :class:`StorageTx`; leaving the block normally commits,
an exception rolls everything back, so a crash never leaves half an artifact stored. Backends
translate their driver's exceptions into :class:`etstats.errors.StorageError`.

Times are Unix seconds (UTC epoch) everywhere (``*_unix``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from attrs import frozen

if TYPE_CHECKING:
    from etstats.queries.heartbeats import ServerHeartbeat
    from etstats.queries.types import (
        ArrivalFacts,
        Career,
        IdentityLink,
        Leaderboard,
        MapResult,
        PlayerMatch,
        PlayerRef,
        RecordEntry,
        RoundDetail,
        RoundSummary,
        Session,
        SessionSummary,
        SourceArrivals,
        StoreCounts,
        Window,
    )

Row = tuple[Any, ...]

ROUND_TABLES: dict[str, tuple[str, ...]] = {
    "player_round_stats": (
        "round_id",
        "player_index",
        "guid",
        "name",
        "raw_name",
        "team",
        "session_rounds",
        "kills",
        "deaths",
        "damage_given",
        "damage_received",
        "team_damage_given",
        "team_damage_received",
        "gibs",
        "self_kills",
        "team_kills",
        "xp",
        "headshot_kills",
        "revives_given",
        "times_revived",
        "time_played_minutes",
        "time_dead_minutes",
        "denied_playtime_seconds",
        "tab_json",
        "values_scope",
    ),
    "weapon_stats": (
        "round_id",
        "player_index",
        "weapon_index",
        "hits",
        "shots",
        "kills",
        "deaths",
        "headshots",
        "values_scope",
    ),
    "lua_timing": (
        "round_id",
        "artifact_sha256",
        "format",
        "round_start_unix",
        "round_end_unix",
        "duration_seconds",
        "pause_seconds",
        "pause_count",
        "warmup_seconds",
        "end_reason",
        "winner_team",
        "defender_team",
        "lua_version",
    ),
    "pauses": ("round_id", "n", "start_unix", "end_unix", "seconds"),
    "spawn_stats": (
        "round_id",
        "position",
        "guid",
        "name",
        "spawns",
        "deaths",
        "dead_seconds",
        "avg_respawn_seconds",
        "max_respawn_seconds",
    ),
    "endstats_awards": ("round_id", "position", "name", "player_name", "value_text", "value"),
    "endstats_versus": (
        "round_id",
        "position",
        "subject_name",
        "subject_guid",
        "opponent_name",
        "kills",
        "deaths",
    ),
    "reconciliations": ("round_id", "verdict", "errors", "warnings", "report_json"),
}
"""Per-round tables and their columns in insert order (every row starts with ``round_id``)."""

ROUND_COLUMNS: tuple[str, ...] = (
    "server_id",
    "map_name",
    "round_number",
    "round_start_unix",
    "start_source",
    "round_end_unix",
    "stats_sha256",
    "lua_sha256",
    "endstats_sha256",
    "stats_file_unix",
    "hostname",
    "winner_team",
    "defender_team",
    "time_limit_seconds",
    "clock_seconds",
    "playtime_ms",
    "tab_layout",
    "values_scope",
    "r1_round_id",
)
"""Columns of ``rounds`` besides ``id``; the first four are the natural key."""


@frozen
class ArtifactRecord:
    """An archived raw artifact and what the pipeline learnt from it."""

    sha256: str
    kind: str
    name: str
    server_id: int
    size_bytes: int
    received_unix: int
    status: str
    """``pending`` (archived, not processed), ``accepted`` or ``rejected``."""
    error: str | None = None
    """Why it was rejected (the parser's message)."""
    map_name: str | None = None
    round_number: int | None = None
    anchor_unix: int | None = None
    """The artifact's link time: stats/endstats file-name time or the Lua round end (UTC)."""
    start_unix: int | None = None
    """Round start (UTC) when the artifact knows it (Lua only)."""
    link_note: str | None = None
    """Why the linker left it out of a round or did not link it (ambiguity, superseded)."""


@frozen
class StoredRound:
    """A row of ``rounds``: the natural key, the linked artifacts and a few header values."""

    id: int
    server_id: int
    map_name: str
    round_number: int
    round_start_unix: int
    start_source: str
    round_end_unix: int | None = None
    stats_sha256: str | None = None
    lua_sha256: str | None = None
    endstats_sha256: str | None = None
    stats_file_unix: int | None = None
    hostname: str | None = None
    winner_team: int | None = None
    defender_team: int | None = None
    time_limit_seconds: int | None = None
    clock_seconds: int | None = None
    playtime_ms: int | None = None
    tab_layout: int | None = None
    values_scope: str | None = None
    """What the round's player/weapon rows hold: ``round`` (this round only; a round 2
    differenced against :attr:`r1_round_id`) or ``cumulative_r1_r2`` (an orphan round 2, values
    as written); ``None`` without a stats file."""
    r1_round_id: int | None = None
    """The round-1 round a round 2's rows were differenced against."""

    @property
    def linked(self) -> dict[str, str]:
        """SHA-256 of each linked artifact by role: ``stats``, ``lua``, ``endstats`` (in that
        order; a role without an artifact is left out)."""
        return {
            role: sha
            for role, sha in (
                ("stats", self.stats_sha256),
                ("lua", self.lua_sha256),
                ("endstats", self.endstats_sha256),
            )
            if sha
        }


class StorageTx(Protocol):
    """One open transaction (unit of work) of a :class:`Storage`."""

    def ensure_server(self, name: str, timezone: str = "UTC") -> int:
        """Id of the server named ``name``, created if missing (timezone only used then)."""

    def server_timezone(self, server_id: int) -> str:
        """IANA timezone of the server's stats/endstats file-name timestamps."""

    def get_artifact(self, sha256: str) -> ArtifactRecord | None:
        """The archived artifact with this hash, or ``None``."""

    def server_name(self, server_id: int) -> str | None:
        """Name of the server with this id (``None`` if unknown)."""

    def known_artifacts(self, shas: Sequence[str]) -> dict[str, ArtifactRecord]:
        """The archived artifacts among ``shas``, by hash (bulk :meth:`get_artifact`)."""

    def insert_artifacts(self, items: Sequence[tuple[ArtifactRecord, bytes]]) -> set[str]:
        """Archive many artifacts, each with its status and link facts, in one round-trip;
        returns the hashes written (one archived meanwhile by another writer is skipped)."""

    def update_artifacts(self, records: Sequence[ArtifactRecord]) -> None:
        """:meth:`update_artifact` of many records in one round-trip."""

    def artifacts_data(self, shas: Sequence[str]) -> dict[str, bytes]:
        """The archived bytes of these hashes, by hash (unknown ones left out)."""

    def rounds_by_id(self, round_ids: Sequence[int]) -> list[StoredRound]:
        """The rounds with these ids (unknown ids left out), ordered by id."""

    def insert_artifact(self, record: ArtifactRecord, data: bytes) -> bool:
        """Archive raw bytes; ``False`` (nothing written) when the hash is already archived
        (another writer committed it after the caller looked)."""

    def update_artifact(self, record: ArtifactRecord) -> None:
        """Store status, error and link facts of an archived artifact."""

    def rename_artifact(self, sha256: str, name: str) -> None:
        """Change an archived artifact's file name (same bytes seen under a preferred name)."""

    def artifact_data(self, sha256: str) -> bytes:
        """The archived raw bytes."""

    def set_link_note(self, sha256: str, note: str | None) -> None:
        """Record why the linker left the artifact unlinked (``None`` clears it)."""

    def lock_group(self, server_id: int, map_name: str, round_number: int) -> None:
        """Block other writers of this (server, map) until commit (every round number: a
        round 2's rows depend on its round 1). Callers needing several maps lock them in
        :func:`lock_order` order, so two writers never wait on each other."""

    def group_artifacts(
        self, server_id: int, map_name: str, round_number: int, lo_unix: int, hi_unix: int
    ) -> list[ArtifactRecord]:
        """Accepted artifacts of one (server, map, round number) with anchor in [lo, hi]."""

    def rounds_with_artifacts(self, shas: Sequence[str]) -> list[StoredRound]:
        """Rounds that reference any of these artifacts (stats, Lua or endstats)."""

    def save_round(self, round_id: int | None, values: dict[str, Any]) -> int:
        """Insert (``round_id`` None) or update a round (``values`` keyed by
        :data:`ROUND_COLUMNS`); returns its id."""

    def stats_rounds_between(
        self, server_id: int, map_name: str, round_number: int, lo_unix: int, hi_unix: int
    ) -> list[StoredRound]:
        """Rounds with a stats file of one (server, map, round number) whose stats file time
        lies in [lo, hi] (UTC Unix seconds), ordered by that time then id."""

    def set_round_scope(
        self, round_id: int, values_scope: str | None, r1_round_id: int | None
    ) -> None:
        """Record which values a round's rows hold and its round-1 partner."""

    def delete_rounds(self, round_ids: Sequence[int]) -> None:
        """Delete rounds and (cascading) their per-round rows."""

    def replace_many_round_rows(self, rows: dict[int, dict[str, list[Row]]]) -> None:
        """:meth:`replace_round_rows` of many rounds (round id -> table -> rows) with a few
        statements per table."""

    def replace_round_rows(self, round_id: int, rows: dict[str, list[Row]]) -> None:
        """For each table in ``rows``, replace the rows of ``round_id`` by the given ones
        (in :data:`ROUND_TABLES` column order); other tables are untouched. Bulk path: COPY
        on PostgreSQL, ``executemany`` on SQLite."""

    # -- outbox (docs/discord.md, "Delivery"); rows are etstats.outbox.model.OutboxEntry ----
    def outbox_enqueue(
        self, target: str, kind: str, renderer_version: int, keys: Sequence[str], ref: str, now: int
    ) -> int:
        """Create or touch (new generation) the row of a subject named by any of ``keys``."""

    def outbox_lookup(
        self, target: str, kind: str, renderer_version: int, keys: Sequence[str]
    ) -> Any:
        """The row of the subject any of ``keys`` names, or ``None``."""

    def outbox_get(self, outbox_id: int) -> Any:
        """The row with this id, or ``None``."""

    def outbox_due(self, target: str, now: float, limit: int = 50) -> list[Any]:
        """Pending rows of ``target`` whose retry time (Unix seconds) has come."""

    def outbox_next_due(self, target: str) -> float | None:
        """Earliest retry time of ``target``'s pending rows (``None`` if none)."""

    def outbox_update(self, outbox_id: int, now: int, **values: Any) -> None:
        """Set worker columns of one row."""

    def outbox_finish(self, outbox_id: int, generation: int, now: int, **values: Any) -> None:
        """Record that ``generation`` of a row is shown on its target."""

    def outbox_defer_target(self, target: str, until: float) -> None:
        """Move the target's pending rows due before ``until`` (Unix seconds) to it."""

    def outbox_counts(self) -> dict[tuple[str, str], int]:
        """Rows per (target, state)."""

    def outbox_find(self, target: str | None, key: str) -> list[Any]:
        """Rows having ``key`` among their subject keys."""

    def outbox_keys(self, outbox_id: int) -> list[str]:
        """The subject keys of a row."""

    def round_by_id(self, round_id: int) -> StoredRound | None:
        """The round with this id (``None`` if it is gone)."""

    def record_heartbeat(
        self, server: str, *, sent_unix: int, received_unix: int, players: int, map_name: str | None
    ) -> bool:
        """Keep a server's heartbeat (Unix seconds) if it is its newest; whether it was kept."""

    def set_heartbeat_alert(self, server: str, key: str | None) -> None:
        """Open (``key``) or close (``None``) a server's "no round" alert episode."""

    def target_disabled(self, name: str) -> str | None:
        """Why the delivery target is disabled (``None``: it is not)."""

    def set_target_disabled(self, name: str, reason: str | None, now: int) -> None:
        """Disable (``reason``) or re-enable (``None``) a delivery target."""


@runtime_checkable
class Storage(Protocol):
    """A place to keep artifacts and what was derived from them."""

    url: str

    def migrate(self) -> list[int]:
        """Apply pending migrations; returns the versions applied (empty if up to date)."""

    def schema_version(self) -> int:
        """Highest applied migration version (0 for an empty database)."""

    def transaction(self) -> AbstractContextManager[StorageTx]:
        """Open a transaction: commit on normal exit, roll back on exception."""

    def rounds(self) -> list[StoredRound]:
        """All rounds, ordered by natural key."""

    def artifacts(self) -> list[ArtifactRecord]:
        """All archived artifacts (without bytes), ordered by receipt then hash."""

    def artifacts_page(self, after: tuple[int, str] | None, limit: int) -> list[ArtifactRecord]:
        """Up to ``limit`` archived artifacts (without bytes) after the (received_unix,
        sha256) key ``after`` (``None``: from the first), in the order of :meth:`artifacts`:
        a reader walks the archive in pages whatever its size."""

    def rounds_page(self, after_id: int | None, limit: int) -> list[StoredRound]:
        """Up to ``limit`` rounds with an id above ``after_id`` (``None``: from the first),
        ordered by id."""

    def verdicts_page(self, after_id: int | None, limit: int) -> list[tuple[int, str, int, int]]:
        """(round id, verdict, errors, warnings) of stored reconciliations with a round id
        above ``after_id``, ordered by round id (the report text is not read)."""

    def linked_shas(self, shas: Sequence[str]) -> set[str]:
        """Those of ``shas`` that some round links."""

    def artifact_data(self, sha256: str) -> bytes:
        """The raw bytes of an archived artifact, read without taking the write lock (a
        reader such as a bot never waits for or blocks an ingest); ``KeyError`` if unknown."""

    def table_rows(self, table: str, round_ids: Sequence[int] | None = None) -> list[Row]:
        """Every row of a per-round table (or ``rounds``/``artifacts``/``servers``), sorted;
        with ``round_ids``, only those rounds' rows (per-round tables and ``rounds``), read
        through the round-id index instead of the whole table."""

    def clear_derived(self) -> None:
        """Delete every round and per-round row and reset artifacts to ``pending``
        (what ``etstats rebuild`` starts from); raw bytes are kept."""

    def bulk_load(self) -> AbstractContextManager[bool]:
        """Around a bulk load (``ingest_many``, ``rebuild``): into a store without player
        lines, SQLite drops the lines' GUID index at the start and builds it once at the end
        (:mod:`etstats.storage.line_indexes`); yields whether it did."""

    def close(self) -> None:
        """Release connections (only those this object opened)."""

    # -- typed read API (etstats.queries.api.ReadApi implements it for SQL backends;
    #    docs/api.md "Reading matches, sessions and players") ------------------------------
    def list_rounds(
        self,
        *,
        server: str | None = None,
        map_name: str | None = None,
        round_number: int | None = None,
        since_unix: int | None = None,
        until_unix: int | None = None,
        player_guid: str | None = None,
        limit: int = 50,
        offset: int = 0,
        newest_first: bool = True,
        verdict: str | None = None,
        values_scope: str | None = None,
    ) -> list[RoundSummary]:
        """Rounds matching the filters, newest first, paged."""

    def stored_round(self, round_id: int) -> StoredRound | None:
        """The ``rounds`` row of one round."""

    def round_summaries(self, round_ids: Sequence[int]) -> list[RoundSummary]:
        """Summaries of these rounds in key-time order."""

    def round_detail(self, round_id: int) -> RoundDetail | None:
        """A round with its player lines, awards and verdict."""

    def store_counts(self, *, brief: bool = False) -> StoreCounts:
        """Row counts by SQL ``COUNT``; ``brief``: only what the ingest summary prints
        (rounds, their sources, round 2s, player lines, artifacts: the verdicts, start
        sources and unlinked count are left empty)."""

    def unlinked_artifacts(self) -> list[ArtifactRecord]:
        """Accepted artifacts no round references."""

    def arrival_facts(self) -> ArrivalFacts:
        """Arrivals per server and source and Lua linkage (maintained counts, flat)."""

    def source_arrivals(self) -> SourceArrivals:
        """Arrivals per server and source only (a few rows at any store size)."""

    def heartbeats(self) -> list[ServerHeartbeat]:
        """Every server's latest heartbeat with its last stored round."""

    def map_result(self, round_id: int) -> MapResult | None:
        """The stopwatch map a round belongs to."""

    def sessions(
        self,
        *,
        server: str | None = None,
        limit: int = 20,
        offset: int = 0,
        gap_minutes: float = 60.0,
    ) -> list[SessionSummary]:
        """Gaming sessions, newest first."""

    def session(
        self, session_id: int, *, server: str | None = None, gap_minutes: float = 60.0
    ) -> Session | None:
        """One session by id (its start, Unix seconds)."""

    def latest_session(
        self, *, server: str | None = None, gap_minutes: float = 60.0
    ) -> Session | None:
        """The most recent session."""

    def session_of_round(self, round_id: int, *, gap_minutes: float = 60.0) -> Session | None:
        """The session containing a round."""

    def find_players(self, query: str, *, limit: int = 10) -> PlayerMatch:
        """Players a GUID prefix, name part or ``discord:<id>`` names."""

    def career(self, player_guid: str, *, window: Window | None = None) -> Career | None:
        """A player's career (merged GUIDs summed)."""

    def leaderboard(
        self,
        stat: str,
        *,
        window: Window | None = None,
        min_rounds: int | None = None,
        min_minutes: float | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> Leaderboard:
        """Players ranked by a statistic behind the minimum-sample gate."""

    def records(
        self,
        stats: Sequence[str] | None = None,
        *,
        window: Window | None = None,
        min_minutes: float | None = None,
    ) -> list[RecordEntry]:
        """Best single round and best map per statistic."""

    def identity_links(self, player_guid: str | None = None) -> list[IdentityLink]:
        """Identity facts (merged GUIDs, preferred names, external accounts)."""

    def player_for_account(self, kind: str, external_id: str) -> PlayerRef | None:
        """The player an external account is linked to."""

    def merge_guid(self, alt_guid: str, player_guid: str) -> IdentityLink:
        """Merge an alt GUID into a player."""

    def set_display_name(self, player_guid: str, name: str) -> IdentityLink:
        """Set a player's preferred display name."""

    def link_account(self, kind: str, external_id: str, player_guid: str) -> IdentityLink:
        """Link an external account to a player."""

    def unlink(self, kind: str, value: str) -> bool:
        """Remove one identity fact."""


def lock_order(keys: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """(server id, map) lock keys deduplicated in the one global order every writer uses."""
    return sorted(set(keys))


def iter_tables() -> Iterator[str]:
    """Every table of the schema in dependency order."""
    yield from ("servers", "artifacts", "rounds", *ROUND_TABLES)
