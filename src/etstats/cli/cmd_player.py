"""``etstats player QUERY``: a player's career (GUID prefix, part of a name, discord:<id>)."""

from __future__ import annotations

import argparse
import sys

from etstats.cli.play_args import WINDOW_HELP, add_json, print_json, window
from etstats.cli.storage_args import add_db_argument, open_from_args
from etstats.queries.text import career_text, table


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("player", help="a player's career: totals, rates, maps, weapons")
    add_db_argument(p)
    p.add_argument(
        "query",
        help="GUID or GUID prefix (4+ hex), part of a name, or "
        "discord:<user id>; guid:/name: force one reading",
    )
    p.add_argument("--window", type=window, default=window("all"), help=WINDOW_HELP)
    add_json(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_from_args(args, must_exist=True)
    try:
        match = store.find_players(args.query)
        if len(match.players) != 1:
            if args.json:
                print_json(match)
            elif not match.players:
                print(f"no player matches {match.query!r}", file=sys.stderr)
            else:
                print(f"{len(match.players)} players match {match.query!r}; give a GUID:")
                print(table(("guid", "name"), [(p.guid, p.name) for p in match.players]))
            return 1
        found = store.career(match.players[0].guid, window=args.window)
    finally:
        store.close()
    if found is None:
        print(f"{match.players[0].name} has no counted round in that window", file=sys.stderr)
        return 1
    if args.json:
        print_json(found)
    else:
        print(career_text(found))
    return 0
