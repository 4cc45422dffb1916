"""Helpers of the Discord cog tests (importable as ``tests.discord_cog.support``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from etstats.ingest.artifacts import Artifact, iter_artifact_paths
from etstats.ingest.pipeline import Pipeline
from etstats.storage.base import Storage


def ingest(store: Storage, paths: Iterable[Path]) -> None:
    """Ingest real files into ``store`` with the real pipeline (server ``default``, UTC)."""
    Pipeline(store).ingest_many(Artifact.from_path(p) for p in iter_artifact_paths(paths))


class Perms:
    def __init__(self, admin: bool) -> None:
        self.manage_guild = admin
        self.administrator = False


class Author:
    """The member who ran a command: an id, permissions and role names."""

    def __init__(
        self, user_id: int = 4242, *, admin: bool = False, roles: tuple[str, ...] = ()
    ) -> None:
        self.id = user_id
        self.guild_permissions = Perms(admin)
        self.roles = [type("Role", (), {"name": r})() for r in roles]


class Message:
    mentions: tuple[Any, ...] = ()


class RecordingContext:
    """Records what a command sends (``ctx.send``, and ``ctx.defer`` for a slash invocation;
    a real ``commands.Context`` needs a message from a Discord gateway)."""

    clean_prefix = "!"
    command = None

    def __init__(self, author: Author | None = None, *, slash: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.author = author or Author()
        self.message = Message()
        self.interaction: object | None = object() if slash else None
        """A slash invocation has an interaction: the cog must defer before its store work."""
        self.deferred: list[dict[str, Any]] = []

    async def defer(self, **kwargs: Any) -> None:
        self.deferred.append(kwargs)

    async def send(self, content: str | None = None, **kwargs: Any) -> None:
        embed = kwargs.get("embed")
        embeds = [e.to_dict() for e in kwargs.get("embeds") or ([embed] if embed else [])]
        mentions = kwargs.get("allowed_mentions")
        self.sent.append(
            {
                "content": content,
                "embeds": embeds,
                "embed": embeds[0] if embeds else None,
                "allowed_mentions": None if mentions is None else mentions.to_dict(),
            }
        )

    @property
    def embed(self) -> dict[str, Any]:
        """The one embed sent."""
        assert len(self.sent) == 1, self.sent
        embed = self.sent[0]["embed"]
        assert embed is not None
        return dict(embed)
