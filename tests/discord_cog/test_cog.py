"""The cog inside a real discord.py bot (no login, no network).

The bot, ``load_extension``, the command objects, the app-command tree and their parameters
are real; each command's callback is awaited with a recording context (a real ``Context``
needs a message from a Discord gateway). Stores are real SQLite stores.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import discord
import pytest
from discord.ext import commands
from tests.discord_cog.support import Author, RecordingContext

from etstats.ingest.pipeline import Pipeline
from etstats.storage.base import Storage
from etstats.storage.sqlite import SQLiteStorage
from etstats.testing.synthetic import season
from etstats_discord import limits
from etstats_discord.cog import EtStatsCog

PLAYER = {
    "session",
    "last",
    "map",
    "round",
    "player",
    "leaderboard",
    "records",
    "compare",
    "link",
    "unlink",
}
ADMIN = {"status", "reconcile", "redeliver"}


def with_bot(body: Callable[[commands.Bot], Awaitable[None]]) -> None:
    async def main() -> None:
        bot = commands.Bot(command_prefix="!", intents=discord.Intents.none())
        try:
            async with bot:  # binds the loop and HTTP objects; never logs in
                await body(bot)
        finally:
            await bot.close()

    asyncio.run(main())


async def call(
    bot: commands.Bot,
    qualified: str,
    *args: Any,
    ctx: RecordingContext | None = None,
    **kwargs: Any,
) -> RecordingContext:
    command = bot.get_command(qualified)
    assert command is not None, qualified
    ctx = ctx or RecordingContext()
    await command.callback(command.cog, ctx, *args, **kwargs)  # type: ignore[arg-type]
    for sent in ctx.sent:  # every answer is within Discord's limits and pings nobody
        payload = {"embeds": sent["embeds"], "allowed_mentions": {"parse": []}}
        assert limits.violations(payload) == []
        assert sent["allowed_mentions"] == {"parse": []}
    return ctx


def text(ctx: RecordingContext) -> str:
    return json.dumps([s["embeds"] for s in ctx.sent], ensure_ascii=False)


@pytest.fixture
def small_store(tmp_path: Path) -> Storage:
    store = SQLiteStorage(str(tmp_path / "s.db"))
    Pipeline(store).ingest_many(season(4))
    return store


def test_load_extension_registers_one_group_and_never_syncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "bot.db"
    monkeypatch.setenv("ETSTATS_DB", str(db))

    async def body(bot: commands.Bot) -> None:
        synced: list[object] = []
        monkeypatch.setattr(bot.tree, "sync", lambda *a, **k: synced.append(a))
        await bot.load_extension("etstats_discord.cog")
        group = bot.get_command("etstats")
        assert isinstance(group, commands.HybridGroup)
        assert {c.name for c in group.commands} == PLAYER | ADMIN
        slash = bot.tree.get_command("etstats")
        assert isinstance(slash, discord.app_commands.Group)
        assert {c.name for c in slash.commands} >= PLAYER | ADMIN
        assert [c.name for c in bot.tree.get_commands()] == ["etstats"]  # one global slot
        for cmd in slash.commands:
            assert 1 <= len(cmd.description) <= 100
        assert synced == []
        assert not db.exists()  # the store opens on first use

    with_bot(body)


def test_player_commands_answer_from_the_real_corpus(real_store: Storage) -> None:
    async def body(bot: commands.Bot) -> None:
        await bot.add_cog(EtStatsCog(bot, store=real_store))
        last = await call(bot, "etstats last", ctx=RecordingContext(slash=True))
        assert last.deferred == [{"ephemeral": False}]  # deferred before the store work
        embed = last.sent[0]["embeds"][0]
        assert "round" in embed["title"]
        assert "<t:" in embed["description"]
        assert any(f["name"].startswith(("Axis", "Allies")) for f in embed["fields"])
        rnd = await call(bot, "etstats round", "supply", 1)
        assert rnd.sent[0]["embeds"][0]["title"] == "supply · round 1"
        mp = await call(bot, "etstats map", name="supply")
        assert "map result" in mp.sent[0]["embeds"][0]["title"]
        session = await call(bot, "etstats session", "last")
        assert "Score" in text(session)
        assert "MVP" in text(session)
        board = await call(bot, "etstats leaderboard", "kills", "all")
        assert "Leaderboard: kills" in text(board)
        bad = await call(bot, "etstats leaderboard", "nonsense", "all")
        assert "Unknown statistic" in text(bad)
        records = await call(bot, "etstats records")
        assert "Records" in text(records)
        missing = await call(bot, "etstats round", "no_such_map")
        assert "No round matches" in text(missing)

    with_bot(body)


def test_no_internal_ids_or_utc_text_in_answers(real_store: Storage) -> None:
    async def body(bot: commands.Bot) -> None:
        await bot.add_cog(EtStatsCog(bot, store=real_store))
        for name, args in (
            ("etstats last", ()),
            ("etstats session", ("last",)),
            ("etstats map", ()),
        ):
            out = text(await call(bot, name, *args))
            assert " UTC" not in out
            assert "#" not in out.split("etstats ·")[0]

    with_bot(body)


def test_link_is_confirmed_then_player_me_works(small_store: Storage) -> None:
    async def body(bot: commands.Bot) -> None:
        await bot.add_cog(EtStatsCog(bot, store=small_store))
        me = Author(777)
        guid = small_store.find_players("player3").players[0].guid[:8]  # names repeat
        other = small_store.find_players("player4").players[0].guid[:8]
        ask = await call(bot, "etstats link", guid, ctx=RecordingContext(me))
        assert "confirm" in text(ask)
        not_yet = await call(bot, "etstats player", ctx=RecordingContext(me), who="me")
        assert "not linked" in text(not_yet)
        await call(bot, "etstats link", guid, True, ctx=RecordingContext(me))
        career = await call(bot, "etstats player", ctx=RecordingContext(me), who="me")
        assert "player3" in career.sent[0]["embeds"][0]["title"]
        assert "rounds" in text(career)
        cmp = await call(bot, "etstats compare", guid, other)
        assert "player3 vs player4" in text(cmp)
        gone = await call(bot, "etstats unlink", ctx=RecordingContext(me))
        assert "no longer linked" in text(gone)

    with_bot(body)


def test_admin_commands_need_permission_and_hide_the_store_url(
    small_store: Storage, tmp_path: Path
) -> None:
    async def body(bot: commands.Bot) -> None:
        await bot.add_cog(EtStatsCog(bot, store=small_store, admin_role="stats-admin"))
        denied = await call(bot, "etstats status", ctx=RecordingContext(Author(1)))
        assert "Not allowed" in text(denied)
        with small_store.transaction() as tx:  # a server that has had players for 3 hours
            tx.record_heartbeat("eu_1", sent_unix=1, received_unix=1, players=2, map_name="x")
            now = int(time.time())
            tx.record_heartbeat("eu_1", sent_unix=now, received_unix=now, players=5, map_name="x")
        for author in (Author(2, admin=True), Author(3, roles=("stats-admin",))):
            ok = await call(bot, "etstats status", ctx=RecordingContext(author, slash=True))
            out = text(ok)
            assert "Outbox" in out
            assert "schema version" in out
            assert "eu\\\\_1: 5 players on x" in out  # escaped, in the JSON of the answer
            assert "no round stored for 2 h while players were on" in out
            assert str(tmp_path) not in out
            assert "s.db" not in out
            assert ok.deferred == [{"ephemeral": True}]
        other = await call(
            bot, "etstats link", "player3", ctx=RecordingContext(Author(5)), member=Author(6)
        )
        assert "Not allowed" in text(other)
        rec = await call(
            bot, "etstats reconcile", ctx=RecordingContext(Author(2, admin=True)), what="supply"
        )
        assert "Reconciliation: supply" in text(rec)

    with_bot(body)
