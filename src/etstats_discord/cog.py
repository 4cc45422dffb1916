"""A discord.py cog answering stats questions from an etstats store.

Load it into a community bot with ``await bot.load_extension("etstats_discord.cog")`` (the
store is ``$ETSTATS_DB``, else ``./etstats.db``) or
``await bot.add_cog(EtStatsCog(bot, store=open_storage(url)))``. Commands (hybrid: prefix and
slash) live in the group ``etstats``: ``last [n]``, ``round <id> [kills|damage]``,
``player <guid prefix or name>``, ``reconcile <round id>``, ``status``. See docs/discord.md.

Store calls block, so they run in :func:`asyncio.to_thread`. A problem becomes a short embed in
the channel; details (tracebacks) only go to the bot's log. This module is the only one of the
adapter that imports ``discord`` (the ``discord`` extra); the core ``etstats`` never does.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from typing import Any, Literal

import discord
from discord.ext import commands

from etstats.errors import EtStatsError
from etstats.storage.base import Storage
from etstats_discord import embeds, queries
from etstats_discord.reconcile_summary import reconcile_summary

log = logging.getLogger(__name__)

DB_ENV = "ETSTATS_DB"
"""Environment variable naming the store URL (as for the CLI); default ``./etstats.db``."""

Ctx = commands.Context[Any]
"""A command context of any bot (only ``send`` is used)."""

# mypy (2.x) cannot solve discord.py's union-typed command-callback parameter for hybrid
# commands and group subcommands (it infers ``Never``); the callbacks are correct, hence the
# ``type: ignore[arg-type]`` on those decorators.


class EtStatsCog(commands.Cog, name="etstats"):
    """Stats commands over an etstats store.

    :param store: an open store (not closed by the cog); without it the cog opens ``url``,
        else ``$ETSTATS_DB``, else ``./etstats.db`` on first use and closes it on unload.
    """

    def __init__(self, bot: commands.Bot, store: Storage | None = None, *,
                 url: str | None = None) -> None:  # fmt: skip
        self.bot = bot
        self._store = store
        self._owns_store = store is None
        self._url = url
        self._lock = threading.Lock()

    # -- plumbing ---------------------------------------------------------------------------
    def storage(self) -> Storage:
        """The store (opened on first call; blocking: call from a worker thread)."""
        with self._lock:
            if self._store is None:
                from etstats.storage.registry import open_storage

                self._store = open_storage(self._url or os.environ.get(DB_ENV) or None)
            return self._store

    async def answer(self, ctx: Ctx, build: Callable[[Storage], embeds.Embed]) -> None:
        """Run ``build(store)`` in a thread and send its embed (or a short error embed).

        A slash invocation is deferred first (Discord allows 3 s before the first reply).
        """
        if ctx.interaction is not None:
            await ctx.defer()
        try:
            embed = await asyncio.to_thread(lambda: build(self.storage()))
        except queries.QueryError as exc:
            embed = embeds.error_embed(str(exc))
        except EtStatsError as exc:  # storage/config: the admin reads the log, not the chat
            log.error("etstats store unavailable: %s", exc)
            embed = embeds.error_embed("The stats store is unavailable (see the bot's log).")
        except Exception:
            log.exception("etstats command %s failed", getattr(ctx.command, "qualified_name", "?"))
            embed = embeds.error_embed("Something went wrong (see the bot's log).")
        await ctx.send(embed=discord.Embed.from_dict(embed))

    async def cog_command_error(self, ctx: Ctx, error: Exception) -> None:
        """Bad arguments become a one-line hint; anything else is logged."""
        if isinstance(error, commands.UserInputError):
            text = f"{error} Try `{ctx.clean_prefix}help etstats`."
        else:
            log.error("etstats command failed", exc_info=error)
            text = "Something went wrong (see the bot's log)."
        try:
            await ctx.send(embed=discord.Embed.from_dict(embeds.error_embed(text)))
        except discord.DiscordException as exc:  # e.g. no permission to post in the channel
            log.error("etstats could not answer in the channel: %s", exc)

    async def cog_unload(self) -> None:
        """Close the store if the cog opened it."""
        store, self._store = self._store, None
        if self._owns_store and store is not None:
            await asyncio.to_thread(store.close)

    # -- commands ---------------------------------------------------------------------------
    @commands.hybrid_group(name="etstats", invoke_without_command=True, fallback="help")  # type: ignore[arg-type]
    async def etstats(self, ctx: Ctx) -> None:
        """Wolfenstein: Enemy Territory round statistics."""
        lines = [
            "`etstats last [n]`: the latest n rounds (default 5, at most 25)",
            "`etstats round <id> [kills|damage]`: a round's scoreboard",
            "`etstats player <GUID prefix or name>`: a player's totals",
            "`etstats reconcile <round id>`: how the sources of a round agree",
            "`etstats status`: what the store holds",
        ]
        await ctx.send(embed=discord.Embed.from_dict(
            embeds.make_embed("etstats commands", "\n".join(lines))))  # fmt: skip

    @etstats.command(name="last")  # type: ignore[arg-type]
    async def last(self, ctx: Ctx, n: commands.Range[int, 1, queries.MAX_LAST] = 5) -> None:
        """The latest rounds (newest first): map, round, time (UTC), winner, players."""
        await self.answer(ctx, lambda s: embeds.rounds_embed(queries.latest_rounds(s, n)))

    @etstats.command(name="round")  # type: ignore[arg-type]
    async def round_(self, ctx: Ctx, round_id: int,
                     sort: Literal["kills", "damage"] = "kills") -> None:  # fmt: skip
        """A round's scoreboard: kills, deaths, damage, time played and dead (min and s)."""
        await self.answer(
            ctx, lambda s: embeds.scoreboard_embed(queries.round_scoreboard(s, round_id, sort))
        )

    @etstats.command(name="player")  # type: ignore[arg-type]
    async def player(self, ctx: Ctx, *, query: str) -> None:
        """A player's totals by GUID prefix or name (``guid:``/``name:`` force one)."""
        await self.answer(ctx, lambda s: embeds.player_embed(queries.player_totals(s, query)))

    @etstats.command(name="reconcile")  # type: ignore[arg-type]
    async def reconcile(self, ctx: Ctx, round_id: int) -> None:
        """Reconcile a round's files again: verdict counts and the comparisons that differ."""
        await self.answer(ctx, lambda s: embeds.reconcile_embed(reconcile_summary(s, round_id)))

    @etstats.command(name="status")  # type: ignore[arg-type]
    async def status(self, ctx: Ctx) -> None:
        """The store's schema version and counts."""
        await self.answer(ctx, lambda s: embeds.status_embed(queries.store_status(s)))


async def setup(bot: commands.Bot) -> None:
    """Entry point of ``bot.load_extension("etstats_discord.cog")``."""
    await bot.add_cog(EtStatsCog(bot))
