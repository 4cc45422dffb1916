"""The ``etstats`` command line.

Every module ``etstats/cli/cmd_<name>.py`` is a subcommand: it defines
``register(subparsers) -> None`` that adds its parser and sets ``func`` (a callable taking the
parsed ``argparse.Namespace`` and returning an exit code). Plugins add commands through the
``etstats_register_commands`` hook.

Exit codes (documented in docs/cli.md):

* 0 success
* 1 the command ran and found problems (error findings, reconciliation conflicts)
* 2 usage error (bad arguments)
* 3 an input could not be read or parsed
* 4 configuration or storage error
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from etstats import __version__
from etstats.errors import ConfigError, EtStatsError, ParseError, StorageError

if TYPE_CHECKING:
    from etstats.plugins import EtstatsPluginManager

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_CONFIG = 4


def build_parser(*, with_plugins: bool = True) -> argparse.ArgumentParser:
    """The full argument parser: built-in commands, then plugin commands."""
    parser = argparse.ArgumentParser(
        prog="etstats",
        description="Parse, validate, reconcile and store ET:Legacy round statistics.",
    )
    parser.add_argument("--version", action="version", version=f"etstats {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    package = importlib.import_module("etstats.cli")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            module = importlib.import_module(f"etstats.cli.{info.name}")
            module.register(subparsers)
    if with_plugins:
        from etstats.plugins import get_plugin_manager

        pm = get_plugin_manager()
        pm.hook.etstats_register_commands(register=subparsers)
        parser.set_defaults(plugin_manager=pm)  # reused by commands: see plugin_manager()
    return parser


def plugin_manager(args: argparse.Namespace) -> EtstatsPluginManager:
    """The plugin manager :func:`main` built to register the commands (entry points are
    loaded once per run), or a new one when ``args`` came from elsewhere."""
    pm: EtstatsPluginManager | None = getattr(args, "plugin_manager", None)
    if pm is None:
        from etstats.plugins import get_plugin_manager

        pm = get_plugin_manager()
    return pm


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``etstats`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args))
    except ParseError as exc:
        print(f"etstats: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except (ConfigError, StorageError) as exc:
        print(f"etstats: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except EtStatsError as exc:
        print(f"etstats: {exc}", file=sys.stderr)
        return EXIT_FINDINGS
    except BrokenPipeError:  # `etstats parse ... | head` is normal use
        return EXIT_OK
    except OSError as exc:  # an unreadable input or output path: a message, no traceback
        print(f"etstats: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
              file=sys.stderr)  # fmt: skip
        return EXIT_INPUT
    return code


def run() -> None:  # pragma: no cover - console-script shim
    sys.exit(main())
