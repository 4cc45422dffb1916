"""Every hook has a heading with its exact signature in docs/hooks.md, and a test."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from etstats import hookspecs

ROOT = Path(__file__).resolve().parents[2]
HOOKS = sorted(
    name
    for name, obj in vars(hookspecs).items()
    if name.startswith("etstats_") and inspect.isfunction(obj)
)


def _signature(name: str) -> str:
    params = inspect.signature(getattr(hookspecs, name)).parameters
    return f"{name}({', '.join(params)})"


def test_there_are_hooks() -> None:
    assert "etstats_register_storage" in HOOKS
    assert len(HOOKS) == 8


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_with_its_signature(hook: str) -> None:
    text = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    headings = re.findall(r"^###\s+(etstats_\w+\(.*\))\s*$", text, re.M)
    assert _signature(hook) in headings, f"docs/hooks.md needs '### {_signature(hook)}'"


def test_docs_have_no_stale_hooks() -> None:
    text = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^###\s+(etstats_\w+)\(", text, re.M))
    assert documented == set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_spec_has_typed_docstring(hook: str) -> None:
    func = getattr(hookspecs, hook)
    doc = inspect.getdoc(func) or ""
    for param in inspect.signature(func).parameters:
        assert f":param {param}:" in doc
    assert "Return value is ignored" in doc or "Stops at first non-None result" in doc
    assert ".. versionadded::" in doc
    assert all(
        p.annotation is not inspect.Parameter.empty
        for p in inspect.signature(func).parameters.values()
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test(hook: str) -> None:
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    assert re.search(rf"^def test_hook_{hook}\b", tests, re.M), f"no test_hook_{hook}"
