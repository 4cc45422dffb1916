"""The etstats cog: stats commands for a community bot (docs/discord.md, "The cog").

Load it with ``await bot.load_extension("etstats_discord.cog")`` (store from
``bot.etstats_store`` or ``$ETSTATS_DB``) or ``await bot.add_cog(EtStatsCog(bot, store=...))``.
All commands live in one group, ``/etstats`` (hybrid: also ``!etstats ...`` with a prefix);
the cog never syncs the command tree (the host bot does). Player commands: ``session``,
``last``, ``map``, ``round``, ``player``, ``leaderboard``, ``records``, ``compare``, ``link``,
``unlink``; admin commands (Manage Server permission or the role named by
``$ETSTATS_ADMIN_ROLE``): ``status``, ``reconcile``, ``redeliver``, and ``link`` for others.

Every command defers first (Discord wants a first answer within 3 s), runs its store work in a
thread (:mod:`etstats_discord.answers`) and sends one or more messages within Discord's
limits, never mentioning anyone. Errors are short and never show the store URL or a password.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import discord
from discord.ext import commands

from etstats.errors import EtStatsError
from etstats.storage.base import Storage
from etstats_discord import answers, limits

log = logging.getLogger(__name__)

DB_ENV = "ETSTATS_DB"
ADMIN_ROLE_ENV = "ETSTATS_ADMIN_ROLE"
Ctx = commands.Context[Any]

# mypy cannot solve discord.py's union-typed callback parameter of hybrid group subcommands
# (it infers ``Never``); the callbacks are correct, hence the ``type: ignore[arg-type]``.


def _embeds(messages: answers.Messages) -> list[list[discord.Embed]]:
    return [[discord.Embed.from_dict(e) for e in m.get("embeds", [])] for m in messages]


class EtStatsCog(commands.Cog, name="etstats"):
    """Stats commands over an etstats store.

    :param store: an open store (never closed by the cog); without it the cog opens ``url``,
        else ``$ETSTATS_DB``, on first use and closes it on unload.
    :param admin_role: name of the role allowed to run admin commands (besides members with
        the Manage Server permission); default ``$ETSTATS_ADMIN_ROLE``.
    """

    def __init__(
        self,
        bot: commands.Bot,
        store: Storage | None = None,
        *,
        url: str | None = None,
        admin_role: str | None = None,
    ) -> None:
        self.bot = bot
        self._store = store
        self._owns_store = store is None
        self._url = url
        self.admin_role = admin_role or os.environ.get(ADMIN_ROLE_ENV) or None
        self._lock = threading.Lock()

    # -- plumbing -----------------------------------------------------------------------
    def storage(self) -> Storage:
        """The store (opened on first call; blocking: call from a worker thread)."""
        with self._lock:
            if self._store is None:
                from etstats.storage.registry import open_storage

                self._store = open_storage(self._url or os.environ.get(DB_ENV) or None)
            return self._store

    def is_admin(self, ctx: Ctx) -> bool:
        """Manage Server permission, or the configured admin role."""
        author = ctx.author
        perms = getattr(author, "guild_permissions", None)
        if perms is not None and (perms.manage_guild or perms.administrator):
            return True
        roles = {getattr(r, "name", None) for r in getattr(author, "roles", [])}
        return self.admin_role is not None and self.admin_role in roles

    async def answer(
        self, ctx: Ctx, build: Callable[[Storage], answers.Messages], *, admin: bool = False
    ) -> None:
        """Defer, run ``build(store)`` in a thread and send what it returns."""
        if ctx.interaction is not None:
            await ctx.defer(ephemeral=admin)
        if admin and not self.is_admin(ctx):
            messages = answers._info("Not allowed", "This command is for the server's admins.")
        else:
            try:
                messages = await asyncio.to_thread(lambda: build(self.storage()))
            except answers.QueryError as exc:
                messages = answers._info("Nothing found", str(exc))
            except EtStatsError as exc:  # storage or config: the admin reads the log
                log.error("etstats store problem: %s", exc)
                messages = answers._info(
                    "Unavailable",
                    "The stats store is unavailable right now (the bot's log says why).",
                )
            except Exception:
                log.exception(
                    "etstats command %s failed", getattr(ctx.command, "qualified_name", "?")
                )
                messages = answers._info("Something went wrong", "See the bot's log.")
        none = discord.AllowedMentions.none()
        for embeds in _embeds(messages):  # admin answers: only the admin sees them (slash)
            await ctx.send(embeds=embeds, allowed_mentions=none, ephemeral=admin)

    async def cog_command_error(self, ctx: Ctx, error: Exception) -> None:
        """Bad arguments become a one-line hint; anything else is logged."""
        if isinstance(error, commands.UserInputError):
            text = f"{error} Try `/etstats help`."
        else:
            log.error("etstats command failed", exc_info=error)
            text = "Something went wrong (see the bot's log)."
        try:
            for embeds in _embeds(answers._info("etstats", limits.clean(text))):
                await ctx.send(embeds=embeds, allowed_mentions=discord.AllowedMentions.none())
        except discord.DiscordException as exc:  # e.g. no permission to post there
            log.error("etstats could not answer in the channel: %s", exc)

    async def cog_unload(self) -> None:
        store, self._store = self._store, None
        if self._owns_store and store is not None:
            await asyncio.to_thread(store.close)

    # -- player commands ------------------------------------------------------------------
    @commands.hybrid_group(name="etstats", invoke_without_command=True, fallback="help")  # type: ignore[arg-type]
    async def etstats(self, ctx: Ctx) -> None:
        """Wolfenstein: Enemy Territory stats of this community."""
        lines = [
            "`session [last|2026-01-31]`: an evening's score, maps, MVP and leaders",
            "`last`: the latest round",
            "`map [name]`: the latest map result",
            "`round [map] [1|2]`: a round's scoreboard",
            "`player [name|@user|me]`: a player's career",
            "`leaderboard <stat> [all|session|7d|30d]`",
            "`records`",
            "`compare <a> <b>`",
            "`link <your name>` / `unlink`: your Discord account",
        ]
        await self.answer(ctx, lambda s: answers._info("etstats commands", "\n".join(lines)))

    @etstats.command(name="session")  # type: ignore[arg-type]
    async def session(self, ctx: Ctx, when: str = "last") -> None:
        """An evening: score, maps, MVP, leaders, awards (last, or a date like 2026-01-31)."""
        await self.answer(ctx, lambda s: answers.answer_session(s, when))

    @etstats.command(name="last")  # type: ignore[arg-type]
    async def last(self, ctx: Ctx) -> None:
        """The latest round: both teams with kills, damage, DPM, accuracy and more."""
        await self.answer(ctx, lambda s: answers.answer_round(s, None))

    @etstats.command(name="map")  # type: ignore[arg-type]
    async def map_(self, ctx: Ctx, *, name: str = "") -> None:
        """The latest map result (stopwatch times and winner), of a map name if given."""
        await self.answer(ctx, lambda s: answers.answer_map(s, name or None))

    @etstats.command(name="round")  # type: ignore[arg-type]
    async def round_(
        self, ctx: Ctx, what: str = "last", number: commands.Range[int, 1, 2] | None = None
    ) -> None:
        """A round by map name and/or date (2026-01-31) and round number; default the latest."""
        await self.answer(ctx, lambda s: answers.answer_round(s, what, number))

    @etstats.command(name="player")  # type: ignore[arg-type]
    async def player(self, ctx: Ctx, *, who: str = "me") -> None:
        """A player's career: a name, a GUID prefix, @someone, or me."""
        target = ctx.message.mentions[0] if ctx.message and ctx.message.mentions else None
        if who == "me":
            discord_id: str | None = str(ctx.author.id)
        elif target is not None or who.startswith("<@"):
            discord_id = str(target.id) if target else who.strip("<@!>")
        else:
            discord_id = None
        await self.answer(ctx, lambda s: answers.answer_player(s, who, discord_id))

    @etstats.command(name="leaderboard")  # type: ignore[arg-type]
    async def leaderboard(self, ctx: Ctx, stat: str = "dpm", window: str = "all") -> None:
        """Players ranked by a statistic (kills, dpm, kd, accuracy...) in a window."""
        await self.answer(ctx, lambda s: answers.answer_leaderboard(s, stat, window))

    @etstats.command(name="records")  # type: ignore[arg-type]
    async def records(self, ctx: Ctx) -> None:
        """Best single round and best map of each statistic."""
        await self.answer(ctx, answers.answer_records)

    @etstats.command(name="compare")  # type: ignore[arg-type]
    async def compare(self, ctx: Ctx, a: str, b: str) -> None:
        """Two players side by side (names or GUID prefixes)."""
        await self.answer(ctx, lambda s: answers.answer_compare(s, a, b))

    @etstats.command(name="link")  # type: ignore[arg-type]
    async def link(
        self, ctx: Ctx, player: str, confirm: bool = False, member: discord.Member | None = None
    ) -> None:
        """Link your Discord account to your player (admins: another member's)."""
        if member is not None and member.id != ctx.author.id:
            await self.answer(
                ctx, lambda s: answers.answer_link(s, str(member.id), player, True), admin=True
            )
            return
        await self.answer(
            ctx, lambda s: answers.answer_link(s, str(ctx.author.id), player, confirm)
        )

    @etstats.command(name="unlink")  # type: ignore[arg-type]
    async def unlink(self, ctx: Ctx) -> None:
        """Remove the link of your Discord account."""
        await self.answer(ctx, lambda s: answers.answer_unlink(s, str(ctx.author.id)))

    # -- admin commands -------------------------------------------------------------------
    @etstats.command(name="status")  # type: ignore[arg-type]
    async def status(self, ctx: Ctx) -> None:
        """Admins: last round per server, outbox depth, failing targets, store health."""
        await self.answer(ctx, answers.answer_status, admin=True)

    @etstats.command(name="reconcile")  # type: ignore[arg-type]
    async def reconcile(self, ctx: Ctx, *, what: str = "last") -> None:
        """Admins: check a round's files against each other again (map and/or date)."""
        await self.answer(ctx, lambda s: answers.answer_reconcile(s, what), admin=True)

    @etstats.command(name="redeliver")  # type: ignore[arg-type]
    async def redeliver(self, ctx: Ctx, *, what: str = "last") -> None:
        """Admins: show a round's posts again (edited in place; map and/or date)."""
        await self.answer(ctx, lambda s: answers.answer_redeliver(s, what), admin=True)


async def setup(bot: commands.Bot) -> None:
    """Entry point of ``bot.load_extension("etstats_discord.cog")``: the store is
    ``bot.etstats_store`` when the host set one, else ``$ETSTATS_DB``."""
    await bot.add_cog(EtStatsCog(bot, store=getattr(bot, "etstats_store", None)))
