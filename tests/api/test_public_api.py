"""The top-level API other bots import: every advertised name works, and importing is cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import etstats


@pytest.mark.parametrize("name", etstats.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(etstats, name) is not None


def test_reconcile_is_the_function_whatever_the_import_order() -> None:
    import etstats.reconciliation.engine  # importing the subpackage must not shadow the verb

    assert callable(etstats.reconcile)
    assert etstats.reconcile is etstats.reconciliation.engine.reconcile
    assert etstats.load_paths is etstats.reconciliation.load_paths
    assert etstats.ReconcileReport is etstats.reconciliation.ReconcileReport


def test_all_lazy_table_and_type_checking_imports_agree() -> None:
    """``__all__``, ``_LAZY`` and the ``TYPE_CHECKING`` imports name the same lazy objects."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(etstats.__file__).read_text(encoding="utf-8"))
    checked: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                for alias in imp.names:
                    checked[alias.asname or alias.name] = str(imp.module)
    lazy = etstats._LAZY
    assert checked == lazy, "TYPE_CHECKING imports and _LAZY disagree"
    eager = {n for n in etstats.__all__ if n not in lazy}
    assert set(lazy) <= set(etstats.__all__), "a lazy name is missing from __all__"
    for name in eager:
        assert name in vars(etstats), f"{name} is in __all__ but neither eager nor lazy"
    assert len(etstats.__all__) == len(set(etstats.__all__))


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = etstats.nope


def test_import_loads_no_optional_dependency() -> None:
    heavy = ("psycopg", "discord", "fastapi", "matplotlib", "lupa", "uvicorn")
    code = (
        "import sys, etstats\n"
        "etstats.parse_stats_bytes; etstats.reconcile; etstats.open_storage\n"
        f"print([m for m in sys.modules if m.split('.')[0] in {heavy!r}])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_parse_round_trip_through_the_top_level_api() -> None:
    text = (
        "srv\\supply\\legacy3\\1\\1\\2\\12:00\\7:36\n"
        "7B84BE88\\^1end^7ekk\\0\\2\\16 6 12 2 1 2 \t"
        + "\t".join(
            ["0"] * 8
            + ["93.7"]
            + ["0"] * 12
            + ["0.0", "7.6", "0.0", "0.0", "0.0", "3.0"]
            + ["0"] * 11
        )
        + "\n"
    )
    parsed = etstats.parse_stats_text(text)
    assert parsed.players[0].name == "endekk"
    assert etstats.render_stats_round(parsed) == text
