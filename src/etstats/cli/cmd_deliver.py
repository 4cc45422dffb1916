"""``etstats deliver [--follow]``: drain the outbox into the delivery targets."""

from __future__ import annotations

import argparse
import contextlib
import time

from etstats.cli import plugin_manager
from etstats.cli.storage_args import add_db_argument, open_from_args
from etstats.errors import ConfigError
from etstats.storage.base import Storage


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "deliver",
        help="send what ingest enqueued (Discord posts) and exit, or keep sending (--follow)",
        description="Drain the durable outbox: post new rounds, edit posts whose data changed. "
        "Exits when nothing is due (posts waiting on a retry stay for the next run; exit "
        "code 1 then); --follow keeps draining until interrupted.",
    )
    p.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="NAME",
        help="drain only this target (repeatable; default: every configured one)",
    )
    p.add_argument("--follow", action="store_true", help="keep draining until interrupted")
    p.add_argument(
        "--interval",
        type=float,
        default=2.0,
        help="seconds between polls with --follow (default 2)",
    )
    p.add_argument(
        "--enable",
        metavar="NAME",
        help="re-enable a target that was disabled (e.g. after fixing its webhook)",
    )
    p.add_argument("--status", action="store_true", help="print the outbox counts and exit")
    add_db_argument(p)
    p.set_defaults(func=run)


def _status(storage: Storage) -> int:
    with storage.transaction() as tx:
        counts = tx.outbox_counts()
        names = sorted({t for t, _ in counts})
        disabled = {n: tx.target_disabled(n) for n in names}
    if not counts:
        print("the outbox is empty")
    for name in names:
        parts = ", ".join(f"{n} {s}" for (t, s), n in counts.items() if t == name)
        note = f" (DISABLED: {disabled[name]})" if disabled[name] else ""
        print(f"{name}: {parts}{note}")
    return 0


def run(args: argparse.Namespace) -> int:
    from etstats.outbox.registry import outbox_targets
    from etstats.outbox.worker import drain_once, next_due

    pm = plugin_manager(args)
    storage = open_from_args(args, pm)
    try:
        if args.status:
            return _status(storage)
        if args.enable:
            with storage.transaction() as tx:
                tx.set_target_disabled(args.enable, None, int(time.time()))
            print(f"{args.enable} enabled again")
            return 0
        targets = outbox_targets(pm)
        unknown = [t for t in args.target if t not in targets]
        if unknown:
            raise ConfigError(
                f"unknown delivery target(s) {', '.join(unknown)} "
                f"(registered: {', '.join(sorted(targets)) or 'none'})"
            )
        wanted = args.target or list(targets)
        sinks = {}
        problems: list[str] = []
        for name in wanted:
            try:
                sinks[name] = targets[name].open_sink()
            except ConfigError as exc:
                if args.target:
                    raise
                problems.append(str(exc))
        if not sinks:
            raise ConfigError(
                "no delivery target is configured (docs/discord.md)"
                + "".join(f"; {p}" for p in problems)
            )
        try:
            shown = 0
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    report = drain_once(storage, sinks)
                    shown += report.shown
                    if report.handled:
                        continue
                    due = next_due(storage, sinks)
                    if not args.follow:
                        break
                    wait = (
                        args.interval
                        if due is None
                        else min(args.interval, max(0.05, due - time.time()))
                    )
                    time.sleep(wait)
            left = next_due(storage, sinks)
            print(
                f"{shown} post(s) sent or edited"
                + ("" if left is None else "; some wait for a retry (see --status)")
            )
            return 0 if left is None else 1
        finally:
            for sink in sinks.values():
                sink.close()
    finally:
        storage.close()
