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


def build_parser(*, with_plugins: bool = True, only: str | None = None) -> argparse.ArgumentParser:
    """The full argument parser: built-in commands, then plugin commands.

    ``only`` (a built-in command's module suffix, e.g. ``parse``) builds a parser with that one
    command and no plugin commands: :func:`main` uses it when the command line names a
    built-in command, so ``etstats parse`` does not import every other command's modules
    and the plugins' entry points (about 40 % of its process time). Commands that need the
    plugins load them themselves (:func:`plugin_manager`).
    """
    parser = argparse.ArgumentParser(
        prog="etstats",
        description="Parse, validate, reconcile and store ET:Legacy round statistics.",
    )
    parser.add_argument("--version", action="version", version=f"etstats {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    package = importlib.import_module("etstats.cli")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_") and only in (None, info.name[4:]):
            module = importlib.import_module(f"etstats.cli.{info.name}")
            module.register(subparsers)
    if with_plugins and only is None:
        from etstats.plugins import get_plugin_manager

        pm = get_plugin_manager()
        pm.hook.etstats_register_commands(register=subparsers)
        parser.set_defaults(plugin_manager=pm)  # reused by commands: see plugin_manager()
    return parser


def _choices(parser: argparse.ArgumentParser) -> set[str]:
    """The command names ``parser`` accepts."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def plugin_manager(args: argparse.Namespace) -> EtstatsPluginManager:
    """The plugin manager :func:`main` built to register the commands (entry points are
    loaded once per run), or a new one when ``args`` came from elsewhere."""
    pm: EtstatsPluginManager | None = getattr(args, "plugin_manager", None)
    if pm is None:
        from etstats.plugins import get_plugin_manager

        pm = get_plugin_manager()
    return pm


def _builtin_command(argv: Sequence[str]) -> str | None:
    """The module suffix of the built-in command ``argv`` starts with, if any."""
    if not argv or argv[0].startswith("-"):
        return None
    name = argv[0].replace("-", "_")
    package = importlib.import_module("etstats.cli")
    names = {info.name for info in pkgutil.iter_modules(package.__path__)}
    return name if f"cmd_{name}" in names else None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``etstats`` console script; returns the exit code."""
    return _main(argv)[0]


def _main(argv: Sequence[str] | None) -> tuple[int, argparse.Namespace]:
    """:func:`main`, and the parsed arguments (what :func:`run` asks of the command)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # what argparse's version action does, without every command's
        print(f"etstats {__version__}")  # imports (they were 85 % of its process time)
        raise SystemExit(EXIT_OK)
    only = _builtin_command(argv)
    parser = build_parser(only=only) if only is not None else None
    if parser is None or argv[0] not in _choices(parser):
        parser = build_parser()  # help, a plugin command, or a name the module does not use
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args))
    except ParseError as exc:
        print(f"etstats: {exc}", file=sys.stderr)
        return EXIT_INPUT, args
    except (ConfigError, StorageError) as exc:
        print(f"etstats: {exc}", file=sys.stderr)
        return EXIT_CONFIG, args
    except EtStatsError as exc:
        print(f"etstats: {exc}", file=sys.stderr)
        return EXIT_FINDINGS, args
    except BrokenPipeError:  # `etstats parse ... | head` is normal use
        return EXIT_OK, args
    except OSError as exc:  # an unreadable input or output path: a message, no traceback
        print(f"etstats: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_INPUT, args
    return code, args


QUICK_EXIT = "quick_exit"
"""A command whose parser sets this default to ``True`` (``ingest``, ``rebuild``) ends the
console script's process without tearing its interpreter down (:func:`run`)."""


def run() -> None:  # pragma: no cover - console-script shim
    if getattr(sys, "frozen", False):  # a frozen executable: its parse workers start here
        import multiprocessing

        multiprocessing.freeze_support()
    code, args = _main(None)
    if getattr(args, QUICK_EXIT, False):
        _leave(code)
    sys.exit(code)


def _leave(code: int) -> None:  # pragma: no cover - ends the process (tests/cli run it)
    """End the process now with ``code``, as a normal exit would but without the interpreter's
    teardown: the ``atexit`` handlers run (multiprocessing's among them: no semaphore is left
    to the resource tracker) and the standard streams are flushed, but the tens of thousands
    of objects a bulk command leaves to the end (its caches of parsed models and reports,
    every module) are not collected and freed one by one. That teardown cost about 0.1 s of
    CPU and wall time at the end of a 1,000-round ``etstats ingest`` (docs/performance.md,
    "The serial start and end of ``--jobs 1`` (twelfth session)"), after the store was
    closed and the workers were gone. Returns (for the normal exit) while a thread other
    than a daemon one still runs, or when a stream cannot be flushed."""
    import atexit
    import os
    import threading

    main_thread = threading.main_thread()
    if any(t is not main_thread and not t.daemon for t in threading.enumerate()):
        return
    try:
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(code)
