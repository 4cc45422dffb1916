"""``etstats push PATH... --url BASE_URL --server NAME``: signed uploads to ``etstats serve``.

For game servers without the Lua script (files shipped from cron or a post-round hook). The
secret comes from ``$ETSTATS_PUSH_SECRET`` (never a flag: flags show in process lists). Prints
one line per file: ``<result>\\t<file>\\t<summary>``. Exit 0 if every file was stored or was
already there, 1 if any upload failed, 2 on usage errors, 3 if a file could not be read (or is
larger than an artifact may be: it is not read whole, nor sent).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from etstats.cli import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE
from etstats.ingest.artifacts import MAX_ARTIFACT_BYTES, iter_artifact_paths, read_regular_file
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
    policy = RetryPolicy(attempts=max(1, args.attempts))
    found = failed = unreadable = 0

    def warn(message: str) -> None:  # a folder it cannot read, a FIFO in a folder
        print(f"etstats push: {message}", file=sys.stderr)

    # taken as the walk yields them (one folder's names at a time, not every folder's)
    for path in iter_artifact_paths(args.paths, warn=warn):
        found += 1
        try:
            # non-blocking and regular files only: a FIFO named on the command line would
            # otherwise wait for a writer for ever
            body = read_regular_file(path, MAX_ARTIFACT_BYTES + 1)
        except OSError as exc:
            print(f"unreadable\t{path}\t{exc.strerror or exc}", flush=True)
            unreadable += 1
            continue
        if len(body) > MAX_ARTIFACT_BYTES:  # no receiver stores it: not read on, not sent
            print(f"unreadable\t{path}\tlarger than {MAX_ARTIFACT_BYTES} bytes", flush=True)
            unreadable += 1
            continue
        outcome = push_file(
            args.url, args.server, secret, path.name, body, policy=policy, timeout_s=args.timeout
        )
        word = "ok" if outcome.ok else "failed"
        failed += not outcome.ok
        print(f"{word}\t{path}\t{outcome.summary}", flush=True)
    if not found:
        print("etstats push: no stats, endstats or gametimes files found", file=sys.stderr)
        return EXIT_USAGE
    if unreadable:
        return EXIT_INPUT
    return EXIT_FINDINGS if failed else EXIT_OK
