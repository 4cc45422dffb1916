"""A built-in command builds only its own parser: ``etstats parse`` imports no other command
and loads no plugin entry point, while help and plugin commands still see every command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from etstats.cli import build_parser, main

_PROBE = """
import contextlib, io, sys
from etstats.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
others = sorted(m for m in sys.modules if m.startswith("etstats.cli.cmd_"))
print(code, others, "etstats.plugins" in sys.modules)
"""


def _probe(*argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_parse_imports_only_its_own_command(tmp_path: Path) -> None:
    stats = tmp_path / "2025-01-02-030405-supply-round-1.txt"
    stats.write_text("s\\supply\\c\\1\\1\\2\\10:00\\5:00\n", encoding="utf-8")
    assert _probe("parse", str(stats)) == "0 ['etstats.cli.cmd_parse'] False"


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in ("parse", "validate", "reconcile", "ingest", "lua-check"):
        assert name in out


def test_the_narrow_parser_parses_like_the_full_one(tmp_path: Path) -> None:
    argv = ["parse", "--differential", "--window-minutes", "30", str(tmp_path)]
    full = vars(build_parser().parse_args(argv))
    narrow = vars(build_parser(only="parse").parse_args(argv))
    full.pop("plugin_manager")
    assert narrow == full


def test_version_prints_what_the_full_parser_prints(capsys: pytest.CaptureFixture[str]) -> None:
    """``--version`` alone is answered before any command is imported, with argparse's text
    and exit."""
    with pytest.raises(SystemExit) as fast:
        main(["--version"])
    fast_out = capsys.readouterr().out
    with pytest.raises(SystemExit) as full:
        build_parser().parse_args(["--version"])
    assert (fast_out, fast.value.code) == (capsys.readouterr().out, full.value.code)
    assert fast_out.startswith("etstats ")


def test_version_imports_no_command() -> None:
    probe = (
        "import sys\nfrom etstats.cli import main\ntry:\n    main(['--version'])\n"
        "finally:\n    print(sorted(m for m in sys.modules if m.startswith('etstats.cli.cmd_')),"
        " 'etstats.plugins' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout.splitlines()[1:] == ["[] False"]
