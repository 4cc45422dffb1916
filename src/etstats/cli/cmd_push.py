"""``etstats push PATH... --url BASE_URL --server NAME``: signed uploads to ``etstats serve``.

For game servers without the Lua script (files shipped from cron or a post-round hook). The
secret comes from ``$ETSTATS_PUSH_SECRET`` (never a flag: flags show in process lists). Prints
one line per file: ``<result>\\t<file>\\t<summary>``. Exit 0 if every file was stored or was
already there, 1 if any upload failed, 2 on usage errors, 3 if a file could not be read.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from etstats.cli import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE
from etstats.ingest.artifacts import iter_artifact_paths
from etstats.ingest.push import RetryPolicy, push_file
from etstats.ingest.signing import PUSH_SECRET_ENV


def register(subparsers: Any) -> None:
    """Add the ``push`` subcommand."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "push",
        help="sign and upload stats, endstats and gametimes files to `etstats serve`",
        description=f"Sign and upload files to an etstats server (secret from ${PUSH_SECRET_ENV}).",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="file or directory")
    p.add_argument(
        "--url", required=True, help="base URL of `etstats serve`, e.g. https://stats.example"
    )
    p.add_argument("--server", required=True, help="this game server's name at the receiver")
    p.add_argument("--attempts", type=int, default=5, help="tries per file (default 5)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per attempt (default 30)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    secret = os.environ.get(PUSH_SECRET_ENV, "")
    if not secret:
        print(f"etstats push: set ${PUSH_SECRET_ENV} to this server's secret", file=sys.stderr)
        return EXIT_USAGE
    if not args.url.startswith(("http://", "https://")):
        print("etstats push: --url must start with http:// or https://", file=sys.stderr)
        return EXIT_USAGE
    paths = list(iter_artifact_paths(args.paths))
    if not paths:
        print("etstats push: no stats, endstats or gametimes files found", file=sys.stderr)
        return EXIT_USAGE
    policy = RetryPolicy(attempts=max(1, args.attempts))
    failed = unreadable = 0
    for path in paths:
        try:
            body = path.read_bytes()
        except OSError as exc:
            print(f"unreadable\t{path}\t{exc.strerror}")
            unreadable += 1
            continue
        outcome = push_file(
            args.url, args.server, secret, path.name, body, policy=policy, timeout_s=args.timeout
        )
        word = "ok" if outcome.ok else "failed"
        failed += not outcome.ok
        print(f"{word}\t{path}\t{outcome.summary}", flush=True)
    if unreadable:
        return EXIT_INPUT
    return EXIT_FINDINGS if failed else EXIT_OK
