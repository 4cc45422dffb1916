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


class RecordingContext:
    """Records what a command sends (``ctx.send`` is the only context method the cog calls for
    a prefix command; a real ``commands.Context`` needs a message from a Discord gateway)."""

    clean_prefix = "!"
    command = None
    interaction = None
    """A prefix-command invocation: no slash interaction, so the cog defers nothing."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, content: str | None = None, **kwargs: Any) -> None:
        embed = kwargs.get("embed")
        self.sent.append({"content": content, "embed": None if embed is None else embed.to_dict()})

    @property
    def embed(self) -> dict[str, Any]:
        """The one embed sent."""
        assert len(self.sent) == 1, self.sent
        embed = self.sent[0]["embed"]
        assert embed is not None
        return dict(embed)
