"""The typed read API every SQL backend shares (mixed into SQLite and PostgreSQL storage).

A backend provides :meth:`ReadApi._reader` (a read-only unit of work) and ``transaction`` (for
the identity writes); the SQL itself lives in the sibling modules and runs unchanged on both
dialects. No method reads a whole table into Python: each asks SQL for the rows it shows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from etstats.storage.base import ArtifactRecord, StoredRound

if TYPE_CHECKING:  # the result types: the query modules are imported by the methods that run
    # them, so a store (and ``etstats ingest``) does not import the read API until it reads
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

GAP_MINUTES = 60.0
MIN_ROUNDS: int | None = None
"""``None`` selects the statistic's default gate (docs/sessions.md)."""


class ReadApi:
    """Typed reads (and identity writes) over a SQL store."""

    def _reader(self) -> AbstractContextManager[Any]:  # pragma: no cover - backends override
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[Any]:  # pragma: no cover - backends override
        raise NotImplementedError

    # -- rounds ----------------------------------------------------------------------------
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
        """Rounds matching every given filter (key time in ``[since_unix, until_unix)``;
        ``player_guid`` counts merged alts; ``verdict`` the stored reconciliation verdict;
        ``values_scope`` ``round``/``cumulative_r1_r2``), newest first unless ``newest_first``
        is False, ties by id; ``limit`` at most 1000."""
        from etstats.queries import rounds

        with self._reader() as tx:
            return rounds.list_rounds(
                tx,
                server=server,
                map_name=map_name,
                round_number=round_number,
                since_unix=since_unix,
                until_unix=until_unix,
                player_guid=player_guid,
                limit=limit,
                offset=offset,
                newest_first=newest_first,
                verdict=verdict,
                values_scope=values_scope,
            )

    def stored_round(self, round_id: int) -> StoredRound | None:
        """The ``rounds`` row of one round (linked artifacts, pairing), ``None`` if unknown."""
        from etstats.queries import rounds

        with self._reader() as tx:
            return rounds.stored_round(tx, round_id)

    def round_summaries(self, round_ids: Sequence[int]) -> list[RoundSummary]:
        """The summaries of these rounds (unknown ids left out), in key-time order."""
        from etstats.queries import rounds

        with self._reader() as tx:
            return rounds.summaries(tx, round_ids)

    def round_detail(self, round_id: int) -> RoundDetail | None:
        """A round with its player lines (file order), awards and verdict; ``None`` if unknown."""
        from etstats.queries import rounds

        with self._reader() as tx:
            return rounds.round_detail(tx, round_id)

    def unlinked_artifacts(self) -> list[ArtifactRecord]:
        """Accepted artifacts no round references, by receipt time then hash."""
        from etstats.queries import rounds

        with self._reader() as tx:
            return rounds.unlinked_artifacts(tx)

    def arrival_facts(self) -> ArrivalFacts:
        """Arrivals per server and source and Lua linkage, from counts kept by triggers (health
        views; flat in the store's size)."""
        from etstats.queries import arrivals

        with self._reader() as tx:
            return arrivals.arrival_facts(tx)

    def source_arrivals(self) -> SourceArrivals:
        """Arrivals per server and source (pipeline health), read from maintained counts."""
        from etstats.queries import arrivals

        with self._reader() as tx:
            return arrivals.source_arrivals(tx)

    def heartbeats(self) -> list[ServerHeartbeat]:
        """Every server's latest heartbeat with its last stored round (docs/discord.md)."""
        from etstats.queries import heartbeats

        with self._reader() as tx:
            return heartbeats.heartbeats(tx)

    def store_counts(self, *, brief: bool = False) -> StoreCounts:
        """Rounds, player lines, artifacts per status and verdicts per kind (SQL ``COUNT``);
        ``brief`` leaves out the verdicts, start sources and unlinked count
        (:func:`etstats.queries.rounds.store_counts`)."""
        from etstats.queries import rounds

        with self._reader() as tx:
            return rounds.store_counts(tx, brief=brief)

    # -- maps and sessions -----------------------------------------------------------------
    def map_result(self, round_id: int) -> MapResult | None:
        """The stopwatch map a round 1 or round 2 belongs to; ``None`` if the round is unknown
        or has no stats file."""
        from etstats.queries import session_summary

        with self._reader() as tx:
            return session_summary.map_result(tx, round_id)

    def sessions(
        self,
        *,
        server: str | None = None,
        limit: int = 20,
        offset: int = 0,
        gap_minutes: float = GAP_MINUTES,
    ) -> list[SessionSummary]:
        """Gaming sessions, newest first (``gap_minutes``: the split threshold)."""
        from etstats.queries import sessions

        with self._reader() as tx:
            return sessions.list_sessions(
                tx, server=server, limit=limit, offset=offset, gap_seconds=gap_minutes * 60
            )

    def session(
        self, session_id: int, *, server: str | None = None, gap_minutes: float = GAP_MINUTES
    ) -> Session | None:
        """The session whose id (its start, Unix seconds) is ``session_id``; ``None`` if none."""
        from etstats.queries import sessions

        with self._reader() as tx:
            return sessions.session_by_id(
                tx, session_id, server=server, gap_seconds=gap_minutes * 60
            )

    def latest_session(
        self, *, server: str | None = None, gap_minutes: float = GAP_MINUTES
    ) -> Session | None:
        """The most recent session (of ``server``, else of any server); ``None`` if empty."""
        from etstats.queries import sessions

        with self._reader() as tx:
            return sessions.latest_session(tx, server=server, gap_seconds=gap_minutes * 60)

    def session_of_round(
        self, round_id: int, *, gap_minutes: float = GAP_MINUTES
    ) -> Session | None:
        """The session containing a round; ``None`` if the round is unknown."""
        from etstats.queries import sessions

        with self._reader() as tx:
            return sessions.session_of_round(tx, round_id, gap_seconds=gap_minutes * 60)

    # -- players ---------------------------------------------------------------------------
    def find_players(self, query: str, *, limit: int = 10) -> PlayerMatch:
        """Players a query names: ``discord:<id>`` (a linked account), a GUID or GUID prefix
        (4+ hex characters), else part of a name (``guid:``/``name:`` force one reading)."""
        from etstats.queries import careers

        with self._reader() as tx:
            return careers.find_players(tx, query, limit=limit)

    def career(self, player_guid: str, *, window: Window | None = None) -> Career | None:
        """A player's totals, per map and per weapon over ``window`` (all time by default);
        ``None`` if the player has no counted line in it."""
        from etstats.queries import careers
        from etstats.queries.types import Window

        with self._reader() as tx:
            return careers.career(tx, player_guid, window or Window())

    def leaderboard(
        self,
        stat: str,
        *,
        window: Window | None = None,
        min_rounds: int | None = MIN_ROUNDS,
        min_minutes: float | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> Leaderboard:
        """Players ranked by ``stat`` (descending; ties by rounds then GUID), gated by
        ``min_rounds`` and ``min_minutes`` (``None``: the defaults; ``0`` off).

        :raises etstats.queries.UnknownStatistic: unknown ``stat``.
        """
        from etstats.queries import ladders
        from etstats.queries.types import Window

        with self._reader() as tx:
            return ladders.leaderboard(
                tx,
                stat,
                window or Window(),
                min_rounds=min_rounds,
                min_minutes=min_minutes,
                limit=limit,
                offset=offset,
            )

    def records(
        self,
        stats: Sequence[str] | None = None,
        *,
        window: Window | None = None,
        min_minutes: float | None = None,
    ) -> list[RecordEntry]:
        """Best single round and best map of each statistic (all by default), lines with less
        than ``min_minutes`` played left out (``None``: the default gate)."""
        from etstats.queries import ladders
        from etstats.queries.types import Window

        with self._reader() as tx:
            return ladders.records(tx, stats, window or Window(), min_minutes=min_minutes)

    # -- identity --------------------------------------------------------------------------
    def identity_links(self, player_guid: str | None = None) -> list[IdentityLink]:
        """Every identity fact (of one player when given), by player then kind then value."""
        from etstats.queries import identity

        with self._reader() as tx:
            return identity.links(tx, player_guid)

    def player_for_account(self, kind: str, external_id: str) -> PlayerRef | None:
        """The player an external account (``discord``, id) is linked to."""
        from etstats.queries import identity

        with self._reader() as tx:
            return identity.player_for_account(tx, kind, external_id)

    def merge_guid(self, alt_guid: str, player_guid: str) -> IdentityLink:
        """Count ``alt_guid``'s lines as ``player_guid``'s (both resolved through existing
        merges; alts of ``alt_guid`` follow it).

        :raises etstats.errors.EtStatsError: merging a player into itself.
        """
        from etstats.queries import identity

        with self.transaction() as tx:
            return identity.merge_guid(tx, alt_guid, player_guid, int(time.time()))

    def set_display_name(self, player_guid: str, name: str) -> IdentityLink:
        """Show ``name`` for the player instead of the most used name."""
        from etstats.queries import identity

        with self.transaction() as tx:
            return identity.set_display_name(tx, player_guid, name, int(time.time()))

    def link_account(self, kind: str, external_id: str, player_guid: str) -> IdentityLink:
        """Link an external account (``discord``, user id) to a player (replacing its link)."""
        from etstats.queries import identity

        with self.transaction() as tx:
            return identity.link_account(tx, kind, external_id, player_guid, int(time.time()))

    def unlink(self, kind: str, value: str) -> bool:
        """Remove one identity fact (``guid`` alt, ``name`` of a player GUID, or an external
        account); ``False`` if there was none."""
        from etstats.queries import identity

        with self.transaction() as tx:
            return identity.unlink(tx, kind, value)
