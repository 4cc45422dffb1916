"""Argument helpers shared by the storage commands (``ingest``, ``watch``, ``rebuild``,
``audit``, ``db``): the database URL, opening the storage, printing ingest results."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from etstats.cli.argtypes import window_minutes
from etstats.errors import ConfigError
from etstats.ingest.tally import IngestTally
from etstats.storage.base import Storage
from etstats.storage.registry import DEFAULT_URL, open_storage, redact_url, url_scheme

if TYPE_CHECKING:
    from etstats.ingest.pipeline import IngestResult, IngestSummary

# The pipeline and the SQLite backend are imported where they are used: ``etstats ingest``
# registers its arguments with these helpers and starts its workers before it imports them.


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """``--db URL``: a SQLite file path (default ``./etstats.db``, or ``$ETSTATS_DB``) or a
    ``postgresql://`` URL."""
    parser.add_argument(
        "--db",
        metavar="URL",
        default=os.environ.get("ETSTATS_DB", DEFAULT_URL),
        help="SQLite file or postgresql:// URL (default: $ETSTATS_DB or ./etstats.db)",
    )


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """``--server NAME`` and ``--timezone TZ`` (how file-name times are read)."""
    parser.add_argument(
        "--server",
        default=os.environ.get("ETSTATS_SERVER", "default"),
        help="name of the game server the files come from (default: $ETSTATS_SERVER or 'default')",
    )
    parser.add_argument(
        "--timezone",
        default=os.environ.get("ETSTATS_TIMEZONE", "UTC"),
        help="IANA timezone of the server's stats file names, recorded when the server is "
        "first seen (default: $ETSTATS_TIMEZONE or UTC)",
    )


def add_window_argument(parser: argparse.ArgumentParser) -> None:
    """``--window-minutes MIN``: the round-2/round-1 pairing window (minutes, default 45)."""
    parser.add_argument(
        "--window-minutes",
        type=window_minutes,
        default=45.0,
        metavar="MIN",
        help="largest round-2 minus round-1 file-time difference that still pairs them, in "
        "minutes (default 45; use the same value for every run on one store)",
    )


def add_deliver_argument(parser: argparse.ArgumentParser) -> None:
    """``--deliver NAME`` (repeatable): post each stored round to a registered target."""
    parser.add_argument(
        "--deliver",
        action="append",
        default=[],
        metavar="TARGET",
        help="enqueue each stored round for this delivery target (e.g. discord); a drain "
        "worker (watch, serve, etstats deliver) posts it; repeatable",
    )


def delivery_targets(names: list[str], pm: Any) -> list[Any]:
    """The registered delivery targets named (:class:`etstats.outbox.OutboxTarget` or plain
    callables); :class:`ConfigError` for an unknown name."""
    from etstats.plugins import registered

    known = registered(pm, "etstats_register_deliveries")
    missing = [n for n in names if n not in known]
    if missing:
        raise ConfigError(
            f"unknown delivery target(s) {', '.join(missing)} "
            f"(registered: {', '.join(sorted(known)) or 'none'})"
        )
    return [known[n] for n in names]


def open_from_args(
    args: argparse.Namespace, pm: Any = None, *, must_exist: bool = False
) -> Storage:
    """Open and migrate the store named by ``args.db``.

    With ``must_exist`` (commands that only read or re-derive a store: ``audit``, ``rebuild``),
    a SQLite file that does not exist is a :class:`ConfigError` instead of a new empty store,
    so a mistyped ``--db`` is reported rather than answered with "0 rounds".
    """
    if must_exist and url_scheme(args.db) == "sqlite":
        from etstats.storage.sqlite import sqlite_path

        path = sqlite_path(args.db)
        if path != ":memory:" and not Path(path).exists():
            raise ConfigError(f"no store at {path} (ingest something first, or check --db)")
    return open_storage(args.db, pm=pm)


class Progress:
    """A one-line progress bar on a terminal (silent otherwise)."""

    def __init__(self, total: int | None, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()

    def __call__(self, result: IngestResult) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self.total:
            width = 30
            filled = int(width * self.done / self.total)
            bar = "#" * filled + "-" * (width - filled)
            text = f"\r[{bar}] {self.done}/{self.total} {result.name[:40]:<40}"
        else:
            text = f"\r{self.done} {result.name[:60]:<60}"
        self.stream.write(text)
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\n")


def store_summary(storage: Storage) -> dict[str, int]:
    """Counts describing what the store holds (SQL ``COUNT`` queries: memory does not grow
    with the store)."""
    c = storage.store_counts(brief=True)
    by = c.rounds_by_source
    return {
        "artifacts": sum(c.artifacts.values()),
        "rejected": c.artifacts.get("rejected", 0),
        "rounds": c.rounds,
        "rounds_with_stats": by.get("with_stats", 0),
        "rounds_with_lua": by.get("with_lua", 0),
        "rounds_with_endstats": by.get("with_endstats", 0),
        "stats_linked_to_lua": by.get("stats_and_lua", 0),
        "players": c.player_lines,
        "round2_differenced": c.round2.get("differenced", 0),
        "round2_orphans": c.round2.get("orphans", 0),
    }


def print_summary(
    summary: IngestSummary | IngestTally,
    storage: Storage,
    *,
    out: Callable[[str], None] = print,
    max_errors: int = 20,
) -> None:
    """The ``ingest``/``rebuild`` report: this run's counts, rejections, the store's totals."""
    tally = (
        summary
        if isinstance(summary, IngestTally)
        else IngestTally.of(summary.results, max_errors=max_errors)
    )
    out(
        f"{tally.files} file(s): {tally.count('stored')} stored, "
        f"{tally.count('duplicate')} already known, {tally.count('rejected')} rejected; "
        f"{tally.rounds_touched} round(s) written"
    )
    for error in tally.errors[:max_errors]:
        out(f"  rejected: {error}")
    if tally.count("rejected") > max_errors:
        out(f"  ... and {tally.count('rejected') - max_errors} more rejected")
    s = store_summary(storage)
    out(
        f"store {redact_url(storage.url)}: {s['rounds']} round(s) ({s['rounds_with_stats']} "
        f"with a stats file, {s['rounds_with_lua']} with Lua timing, "
        f"{s['rounds_with_endstats']} with endstats, {s['stats_linked_to_lua']} stats+Lua "
        f"linked), {s['players']} player "
        f"line(s), {s['artifacts']} raw artifact(s); round 2: {s['round2_differenced']} "
        f"differenced against their round 1, {s['round2_orphans']} orphan(s) with cumulative "
        "values"
    )
