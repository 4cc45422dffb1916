"""Fixtures of the Discord bot cog tests: real stores filled from the real corpus, the corpus
parsed independently, and a recording command context.

The recording context exists because a real ``commands.Context`` needs a message from a
Discord gateway (a server, a login, the network); the cog only ever calls ``ctx.send``, so
that is all the stand-in records. Everything else (bot, extension loading, command objects,
embeds, stores, parsers) is the real thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.discord_cog.support import RecordingContext, ingest

from etstats.model.stats import StatsRound
from etstats.parsing.stats_file import parse_stats_file
from etstats.storage.sqlite import SQLiteStorage


@pytest.fixture(scope="session")
def real_store(
    real_stats_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SQLiteStorage]:
    """A SQLite store holding the whole real corpus (215 stats files, 1 endstats file)."""
    store = SQLiteStorage(str(tmp_path_factory.mktemp("discord") / "real.db"))
    ingest(store, [real_stats_dir])
    yield store
    store.close()


@pytest.fixture(scope="session")
def round1_store(
    real_stats_files: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SQLiteStorage]:
    """A SQLite store holding only the real round-1 stats files (every row one round's)."""
    store = SQLiteStorage(str(tmp_path_factory.mktemp("discord") / "r1.db"))
    ingest(store, [p for p in real_stats_files if p.name.endswith("-round-1.txt")])
    yield store
    store.close()


@pytest.fixture(scope="session")
def parsed(real_stats_files: list[Path]) -> dict[str, StatsRound]:
    """Every real stats file parsed directly (file name -> model), independent of any store."""
    return {p.name: parse_stats_file(p) for p in real_stats_files}


@pytest.fixture
def ctx() -> RecordingContext:
    """A fresh recording context."""
    return RecordingContext()
