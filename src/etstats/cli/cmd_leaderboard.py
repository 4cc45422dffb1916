"""``etstats leaderboard STAT`` and ``etstats records``: rankings behind a sample gate."""

from __future__ import annotations

import argparse

from etstats.cli.play_args import WINDOW_HELP, add_json, print_json, window
from etstats.cli.storage_args import add_db_argument, open_from_args
from etstats.queries import stat_names
from etstats.queries.text import leaderboard_text, records_text


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "leaderboard",
        help="players ranked by a statistic",
        description=f"Statistics: {', '.join(stat_names())}. Rates are ratios of sums.",
    )
    add_db_argument(p)
    p.add_argument(
        "stat", type=stat_name, help="statistic name as in `etstats parse` output, or a rate"
    )
    p.add_argument("--window", type=window, default=window("all"), help=WINDOW_HELP)
    p.add_argument(
        "--min-rounds",
        type=int,
        default=None,
        metavar="N",
        help="rounds a player needs (default 10; 0 turns every gate off)",
    )
    p.add_argument(
        "--min-minutes",
        type=float,
        default=None,
        metavar="M",
        help="minutes played a player needs (default 30 for rates, 0 for sums)",
    )
    p.add_argument("--limit", type=int, default=20, help="entries per page (default 20)")
    p.add_argument("--page", type=int, default=1, help="page number (default 1)")
    add_json(p)
    p.set_defaults(func=run_board)
    r = subparsers.add_parser("records", help="best single round and best map per statistic")
    add_db_argument(r)
    r.add_argument("stats", nargs="*", type=stat_name, help="statistics (default: a common set)")
    r.add_argument("--window", type=window, default=window("all"), help=WINDOW_HELP)
    r.add_argument(
        "--min-minutes",
        type=float,
        default=None,
        metavar="M",
        help="minutes played in the round a record needs (default 5; maps twice)",
    )
    add_json(r)
    r.set_defaults(func=run_records)


def stat_name(text: str) -> str:
    """A known statistic (an unknown one is a usage error, exit 2)."""
    if text not in stat_names():
        raise argparse.ArgumentTypeError(
            f"unknown statistic {text!r}; known: {', '.join(stat_names())}"
        )
    return text


def run_board(args: argparse.Namespace) -> int:
    store = open_from_args(args, must_exist=True)
    try:
        board = store.leaderboard(
            args.stat,
            window=args.window,
            min_rounds=args.min_rounds,
            min_minutes=0.0
            if args.min_rounds == 0 and args.min_minutes is None
            else args.min_minutes,
            limit=args.limit,
            offset=max(0, args.page - 1) * max(0, args.limit),
        )
    finally:
        store.close()
    if args.json:
        print_json(board.entries)
    else:
        print(leaderboard_text(board))
    return 0


def run_records(args: argparse.Namespace) -> int:
    store = open_from_args(args, must_exist=True)
    try:
        found = store.records(args.stats or None, window=args.window, min_minutes=args.min_minutes)
    finally:
        store.close()
    if args.json:
        print_json(found)
    else:
        print(records_text(found))
    return 0
