"""``etstats link ...``: player identity (merge alt GUIDs, preferred names, Discord links)."""

from __future__ import annotations

import argparse
import sys

from etstats.cli.play_args import add_json, print_json
from etstats.cli.storage_args import add_db_argument, open_from_args
from etstats.queries.text import links_text


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "link",
        help="player identity: merge GUIDs, set names, link Discord accounts",
        description="Every aggregate (sessions, careers, leaderboards) follows these links.",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    g = sub.add_parser("guid", help="count ALT's rounds as PLAYER's (alt account)")
    g.add_argument("alt")
    g.add_argument("player")
    n = sub.add_parser("name", help="show NAME for PLAYER")
    n.add_argument("player")
    n.add_argument("name")
    d = sub.add_parser("account", help="link an external account (KIND discord, ID) to PLAYER")
    d.add_argument("kind")
    d.add_argument("external_id")
    d.add_argument("player")
    r = sub.add_parser("remove", help="remove a link: guid ALT | name PLAYER | KIND ID")
    r.add_argument("kind")
    r.add_argument("value")
    ls = sub.add_parser("list", help="list links (of one player)")
    ls.add_argument("player", nargs="?")
    for q in (g, n, d, r, ls):
        add_db_argument(q)
        add_json(q)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_from_args(args, must_exist=True)
    try:
        if args.action == "guid":
            result: object = store.merge_guid(args.alt, args.player)
        elif args.action == "name":
            result = store.set_display_name(args.player, args.name)
        elif args.action == "account":
            result = store.link_account(args.kind, args.external_id, args.player)
        elif args.action == "remove":
            if not store.unlink(args.kind, args.value):
                print(f"etstats link: no {args.kind} link {args.value!r}", file=sys.stderr)
                return 1
            result = None
        else:
            result = store.identity_links(args.player)
    finally:
        store.close()
    if args.json:
        print_json(result)
    elif isinstance(result, list):
        print(links_text(result))
    elif result is not None:
        print(links_text([result]))  # type: ignore[list-item]
    else:
        print("removed")
    return 0
