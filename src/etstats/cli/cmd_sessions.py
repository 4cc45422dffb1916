"""``etstats sessions`` and ``etstats session [ID|last]``: gaming sessions from the store."""

from __future__ import annotations

import argparse
import sys

from etstats.cli.play_args import add_gap, add_json, print_json
from etstats.cli.storage_args import add_db_argument, open_from_args
from etstats.queries.text import session_text, sessions_text


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "sessions",
        help="list gaming sessions, newest first",
        description="Sessions are consecutive rounds of one server; see docs/sessions.md.",
    )
    add_db_argument(p)
    p.add_argument("--server", help="only this server (its name in the store)")
    p.add_argument("--limit", type=int, default=20, help="sessions per page (default 20)")
    p.add_argument("--offset", type=int, default=0, help="skip this many sessions")
    add_gap(p)
    add_json(p)
    p.set_defaults(func=run_list)
    q = subparsers.add_parser("session", help="one gaming session: maps, score, players, MVP")
    add_db_argument(q)
    q.add_argument(
        "id",
        nargs="?",
        default="last",
        help="session id (its start, Unix seconds, as `etstats sessions` lists it) "
        "or 'last' (default)",
    )
    q.add_argument("--server", help="the server (when ids of two servers collide)")
    add_gap(q)
    add_json(q)
    q.set_defaults(func=run_one)


def run_list(args: argparse.Namespace) -> int:
    store = open_from_args(args, must_exist=True)
    try:
        found = store.sessions(
            server=args.server, limit=args.limit, offset=args.offset, gap_minutes=args.gap
        )
    finally:
        store.close()
    if args.json:
        print_json(found)
    else:
        print(sessions_text(found))
    return 0


def run_one(args: argparse.Namespace) -> int:
    if args.id != "last" and not str(args.id).isdigit():
        print(f"etstats session: expected a session id or 'last'; got {args.id!r}", file=sys.stderr)
        return 2
    store = open_from_args(args, must_exist=True)
    try:
        if args.id == "last":
            found = store.latest_session(server=args.server, gap_minutes=args.gap)
        else:
            found = store.session(int(args.id), server=args.server, gap_minutes=args.gap)
    finally:
        store.close()
    if found is None:
        print(f"etstats session: no session {args.id}", file=sys.stderr)
        return 1
    if args.json:
        print_json(found)
    else:
        print(session_text(found))
    return 0
