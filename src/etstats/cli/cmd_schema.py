"""``etstats schema [NAME] [--list]``: print the JSON Schema of a JSON-facing model."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from etstats.cli import EXIT_OK, EXIT_USAGE


def register(subparsers: Any) -> None:
    """Add the ``schema`` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema (draft 2020-12) of a model's JSON form",
        description="Print the JSON Schema (draft 2020-12) of the JSON that etstats writes for "
        "a model (etstats.serde.to_json). Without NAME, list the model names.",
    )
    parser.add_argument(
        "name", nargs="?", metavar="NAME", help="model name, e.g. legacy-gametimes (see --list)"
    )
    parser.add_argument("--list", action="store_true", help="list the available model names")
    parser.add_argument(
        "--indent",
        type=int,
        default=2,
        metavar="N",
        help="indentation of the printed JSON (default 2; 0 = one line)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print one schema, or the list of names; unknown or unavailable names exit 2."""
    from etstats.schema import SCHEMA_MODELS, available_models, schema_for

    if args.list or not args.name:
        available = available_models()
        for name in sorted(SCHEMA_MODELS):
            cls = available.get(name)
            where = f"{cls.__module__}.{cls.__qualname__}" if cls else "(not available)"
            print(f"{name}\t{where}")
        return EXIT_OK
    if args.name not in SCHEMA_MODELS:
        print(
            f"etstats schema: unknown model {args.name!r}; known: "
            f"{', '.join(sorted(SCHEMA_MODELS))}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        schema = schema_for(args.name)
    except LookupError as exc:
        print(f"etstats schema: {exc}", file=sys.stderr)
        return EXIT_USAGE
    indent = args.indent if args.indent > 0 else None
    print(json.dumps(schema, indent=indent, ensure_ascii=False))
    return EXIT_OK
