"""Package boundaries, checked by reading every module's imports (no module is imported).

* No package imports another package's private names (``_name``) or private modules
  (``etstats.parsing._stats_tokens``). A package is ``etstats.<sub>`` for a subpackage, or
  an adapter (``etstats_discord``, ``etstats_fastapi``). The top-level private modules of
  ``etstats`` itself (``etstats._sealing``) are the core's shared internals, documented as
  such, and may be imported by any core package.
* The core (``etstats``, except ``etstats.cli``) never imports ``etstats.cli`` or an adapter.
* The core never imports discord, fastapi or psycopg at module level (only inside the
  functions that need them).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
ADAPTERS = ("etstats_discord", "etstats_fastapi")
HEAVY = ("discord", "fastapi", "psycopg", "psycopg_pool", "starlette", "uvicorn")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> list[tuple[str, Path]]:
    roots = [SRC / "etstats", *(SRC / a for a in ADAPTERS)]
    return sorted((_module_name(p), p) for root in roots for p in root.rglob("*.py"))


def _package(module: str, is_package: bool) -> str:
    """``etstats.parsing`` for ``etstats.parsing.x``; ``etstats`` for a top-level module."""
    parts = module.split(".")
    if parts[0] in ADAPTERS:
        return parts[0]
    if len(parts) >= 2 and (is_package or len(parts) > 2):
        return ".".join(parts[:2])
    return "etstats"


def _is_package(module: str) -> bool:
    base = SRC.joinpath(*module.split("."))
    return base.is_dir()


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _imports(tree: ast.Module) -> Iterator[tuple[int, str, str | None, bool]]:
    """(line, module, imported name or None, at module level) for every absolute import."""
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None, id(node) in top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                yield node.lineno, node.module, alias.name, id(node) in top


def _violations(module: str, path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    own = _package(module, _is_package(module))
    core = module.split(".")[0] == "etstats"
    out = []
    for line, target, name, top_level in _imports(tree):
        where = f"{module}:{line}: {target}" + (f" import {name}" if name else "")
        root = target.split(".")[0]
        if core and top_level and root in HEAVY:
            out.append(f"{where}: the core imports {root} at module level")
        if root not in ("etstats", *ADAPTERS):
            continue
        if (
            core
            and not module.startswith("etstats.cli")
            and (
                root in ADAPTERS
                or target == "etstats.cli"
                or target.startswith("etstats.cli.")
                or (target == "etstats" and name == "cli")
            )
        ):
            out.append(f"{where}: the core imports the CLI or an adapter")
        theirs = _package(target, _is_package(target))
        if theirs == own:
            continue
        private_parts = [p for p in target.split(".")[1:] if _private(p)]
        if private_parts and theirs != "etstats":
            out.append(f"{where}: private module of {theirs}")
        if name is not None and _private(name):
            out.append(f"{where}: private name of {theirs}")
    return out


def test_the_scan_sees_every_package() -> None:
    names = {m for m, _ in _modules()}
    assert {
        "etstats.parsing.stats_file",
        "etstats._sealing",
        "etstats_discord",
        "etstats_fastapi",
    } <= names
    assert _package("etstats.parsing.stats_file", False) == "etstats.parsing"
    assert _package("etstats.parsing", True) == "etstats.parsing"
    assert _package("etstats.serde", False) == "etstats"
    assert _package("etstats_discord.cog", False) == "etstats_discord"


def test_the_checks_catch_what_they_forbid(tmp_path: Path) -> None:
    bad = SRC / "etstats" / "ingest" / "_boundary_probe.py"
    assert not bad.exists()
    source = (
        "from etstats.validate.stats import _player_findings\n"
        "from etstats.parsing._stats_tokens import Tokenizer\n"
        "import etstats.cli.walk\n"
        "from etstats_discord import cog\n"
        "import psycopg\n"
        "from etstats.ingest.pipeline import _private_ok_same_package\n"
        "from etstats._sealing import sealed_builder\n"
        "def f():\n    import discord\n"
    )
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    found = _violations("etstats.ingest._boundary_probe", probe)
    assert [v.split(": ", 1)[0] for v in found] == [
        "etstats.ingest._boundary_probe:1",
        "etstats.ingest._boundary_probe:2",
        "etstats.ingest._boundary_probe:3",
        "etstats.ingest._boundary_probe:4",
        "etstats.ingest._boundary_probe:5",
    ]


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[m for m, _ in _modules()])
def test_imports_respect_the_package_boundaries(module: str, path: Path) -> None:
    assert _violations(module, path) == []
