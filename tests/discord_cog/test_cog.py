"""The cog inside a real discord.py bot (no login, no network).

The bot, ``load_extension``, the command objects and their argument metadata are real; each
command's callback is awaited with a recording context because a real ``Context`` needs a
message from a Discord gateway. The store is the real corpus in SQLite.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import discord
import pytest
from discord.ext import commands
from tests.discord_cog.support import RecordingContext

from etstats.errors import StorageError
from etstats.storage.base import Storage
from etstats.storage.sqlite import SQLiteStorage
from etstats_discord.cog import EtStatsCog
from etstats_discord.embeds import COLOURS

SUBCOMMANDS = {"last", "round", "player", "reconcile", "status"}


def with_bot(body: Callable[[commands.Bot], Awaitable[None]]) -> None:
    """Run ``body(bot)`` with a fresh bot in a fresh event loop, then close the bot."""

    async def main() -> None:
        bot = commands.Bot(command_prefix="!", intents=discord.Intents.none())
        try:
            await body(bot)
        finally:
            await bot.close()

    asyncio.run(main())


async def call(bot: commands.Bot, name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Invoke command ``name``'s callback like discord.py does after parsing; the embed sent."""
    command = bot.get_command(name)
    assert command is not None, name
    ctx = RecordingContext()
    await command.callback(command.cog, ctx, *args, **kwargs)  # type: ignore[arg-type]
    return ctx.embed


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed.get("fields", [])}


def test_load_extension_registers_the_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "bot.db"
    monkeypatch.setenv("ETSTATS_DB", str(db))

    async def body(bot: commands.Bot) -> None:
        await bot.load_extension("etstats_discord.cog")
        group = bot.get_command("etstats")
        assert isinstance(group, commands.HybridGroup)
        assert {c.name for c in group.commands} == SUBCOMMANDS
        slash = bot.tree.get_command("etstats")
        assert isinstance(slash, discord.app_commands.Group)
        assert {c.name for c in slash.commands} >= SUBCOMMANDS
        rnd = slash.get_command("round")
        assert isinstance(rnd, discord.app_commands.Command)
        sort = next(p for p in rnd.parameters if p.name == "sort")
        assert [c.value for c in sort.choices] == ["kills", "damage"]
        last = slash.get_command("last")
        assert isinstance(last, discord.app_commands.Command)
        assert (last.parameters[0].min_value, last.parameters[0].max_value) == (1, 25)
        assert not db.exists()  # the store opens on first use, not in setup()
        embed = await call(bot, "etstats status")
        assert fields(embed)["Rounds"] == "0"
        assert db.exists()
        cog = bot.get_cog("etstats")
        assert type(cog).__name__ == "EtStatsCog"  # a fresh module object: not isinstance
        opened = cog.storage()  # type: ignore[union-attr]
        await bot.unload_extension("etstats_discord.cog")
        assert bot.get_command("etstats") is None
        with pytest.raises(StorageError):  # the store the cog opened is closed on unload
            opened.rounds()

    with_bot(body)


def test_every_command_answers_from_the_store(real_store: Storage) -> None:
    async def body(bot: commands.Bot) -> None:
        await bot.add_cog(EtStatsCog(bot, store=real_store))
        embed = await call(bot, "etstats last", 3)
        assert embed["title"] == "Latest 3 round(s)"
        assert [f["name"] for f in embed["fields"]][:2] == [
            "#216 te\\_escape2 round 2", "#215 etl\\_adlernest round 2"]  # fmt: skip
        assert "2025-11-02 00:06:24 UTC (stats file name time)" in embed["fields"][1]["value"]

        embed = await call(bot, "etstats round", 2, "damage")
        assert embed["title"] == "#2 etl\\_sp\\_delivery round 1"
        assert embed["footer"]["text"].startswith("sorted by damage")
        assert embed["fields"][0]["name"] == "1. vektor (Axis)"
        assert embed["fields"][0]["value"] == (
            "kills 27 · deaths 13 · damage 3780\nplayed 12.0 min (720 s)\ndead 8.7 min (522 s)"
        )
        assert len(embed["fields"]) == 6

        embed = await call(bot, "etstats player", query="8C49608C")
        assert fields(embed)["GUID"] == "8C49608C (matched by guid)"
        embed = await call(bot, "etstats player", query="slomix")
        assert embed["title"].endswith("players match slomix")

        embed = await call(bot, "etstats reconcile", 2)
        assert embed["title"] == "Reconciliation of #2 etl\\_sp\\_delivery round 1"
        assert "stored verdict: explained" in embed["description"]
        assert embed["color"] == COLOURS["explained"]
        assert all("dead-time-overcount" in v for v in fields(embed).values())

        embed = await call(bot, "etstats status")
        assert fields(embed)["Rounds"] == "216"
        assert fields(embed)["Artifacts"] == "accepted 216"

        embed = await call(bot, "etstats")
        assert "etstats player <GUID prefix or name>" in embed["description"]
        await bot.remove_cog("etstats")

    with_bot(body)
    assert len(real_store.rounds()) == 216  # a store handed in is not closed by the cog


def test_problems_become_short_messages(real_store: Storage, tmp_path: Path,
                                        caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    closed = SQLiteStorage(str(tmp_path / "closed.db"))
    closed.close()

    async def body(bot: commands.Bot) -> None:
        await bot.add_cog(EtStatsCog(bot, store=real_store))
        embed = await call(bot, "etstats round", 99999)
        assert embed["description"] == "round 99999 is not in the store"
        assert embed["color"] == COLOURS["error"]
        embed = await call(bot, "etstats reconcile", 216)
        assert "has no stats or Lua file" in embed["description"]

        cog = bot.get_cog("etstats")
        assert isinstance(cog, EtStatsCog)
        ctx = RecordingContext()
        await cog.answer(ctx, lambda store: {"x": 1 / 0})  # type: ignore[arg-type]
        assert ctx.embed["description"] == "Something went wrong (see the bot's log)."
        ctx = RecordingContext()
        await cog.cog_command_error(ctx, commands.BadArgument('"round_id" must be a number.'))  # type: ignore[arg-type]
        assert ctx.embed["description"] == '"round\\_id" must be a number. Try \\`!help etstats\\`.'
        await bot.remove_cog("etstats")

        await bot.add_cog(EtStatsCog(bot, store=closed))
        embed = await call(bot, "etstats status")
        assert embed["description"] == "The stats store is unavailable (see the bot's log)."
        await bot.remove_cog("etstats")

        await bot.add_cog(EtStatsCog(bot, url="mysql://bot@127.0.0.1/et"))
        embed = await call(bot, "etstats last")
        assert embed["description"] == "The stats store is unavailable (see the bot's log)."

    with caplog.at_level(logging.ERROR, logger="etstats_discord.cog"):
        with_bot(body)
    assert "ZeroDivisionError" in caplog.text  # the traceback goes to the log...
    assert "no storage backend for 'mysql'" in caplog.text
    # ...never to the chat (checked above: every description is one short sentence)


def test_default_store_is_etstats_db_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ETSTATS_DB", raising=False)
    monkeypatch.chdir(tmp_path)

    async def body(bot: commands.Bot) -> None:
        await bot.add_cog(EtStatsCog(bot))
        embed = await call(bot, "etstats status")
        assert fields(embed)["Store"] == "etstats.db"
        await bot.remove_cog("etstats")

    with_bot(body)
    assert (tmp_path / "etstats.db").is_file()
