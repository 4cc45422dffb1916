"""Helpers shared by test modules (importable as ``tests.helpers``; the rootdir is on sys.path)."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(condition: bool, reason: str) -> None:
    """Skip locally, fail in CI, when a real part the test needs is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI but missing: {reason}")
    print(f"SKIP reason: {reason}")
    pytest.skip(reason)
