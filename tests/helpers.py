"""Helpers shared by test modules (importable as ``tests.helpers``; the rootdir is on sys.path)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest
from hypothesis import settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

ROOT = Path(__file__).resolve().parent.parent
"""The repository checkout (``docs/``, ``lua/``, ``src/``)."""
DATA = ROOT / "tests" / "data"
"""The small committed test files (golden stats, endstats and gametimes files)."""
REAL_STATS = ROOT.parent / "shared" / "real_stats"
"""The real corpus beside the checkout (never copied into this repository)."""


def examples(cap: int) -> int:
    """``cap`` Hypothesis examples, or fewer when the active profile asks for fewer."""
    return min(cap, settings().max_examples)


def need(condition: bool, reason: str) -> None:
    """Skip locally, fail in CI, when a real part the test needs is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI but missing: {reason}")
    print(f"SKIP reason: {reason}")
    pytest.skip(reason)


def _decline(*_args: object) -> NoReturn:
    """The canonical line reader, switched off: every line goes to ``Tokenizer.player``."""
    raise KeyError("strict")


@contextmanager
def strict_parser() -> Iterator[None]:
    """Switch every fast path of the stats parser off (restored on exit): the reference the
    fast-path tests compare against."""
    import etstats.parsing._stats_lines as lines_mod
    import etstats.parsing._stats_tokens as tokens_mod

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(lines_mod, "_read_canonical", _decline)  # every line to Tokenizer.player
        mp.setattr(tokens_mod, "_CLOCKS", {})  # header clocks through the regex
        mp.setattr(tokens_mod, "_INTS", {})  # every integer through the regex
        mp.setattr(tokens_mod, "_FLOATS", {})  # TAB floats through the regex
        yield


DELIBERATE_CAUSES: tuple[type[BaseException], ...] = (
    ValueError,  # a bad number, bad UTF-8, bad JSON text (ParseError is one too)
    TypeError,  # cattrs: a JSON value of the wrong type
    KeyError,  # cattrs: a required key is missing
    RecursionError,  # pathological nesting, reported as "input too deeply nested"
    MemoryError,
)
"""What a parse error may wrap: the kinds of failure hostile input causes on purpose. Anything
else under a ParseError (AttributeError, IndexError, ZeroDivisionError, AssertionError, a
cattrs handler lookup, ...) is a parser bug that the error would otherwise hide."""


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    """The innermost exceptions a raised error wraps (``from`` causes, exception groups)."""
    if isinstance(exc, BaseExceptionGroup):
        for sub in exc.exceptions:
            yield from _leaves(sub)
    elif exc.__cause__ is not None:
        yield from _leaves(exc.__cause__)
    else:
        yield exc


def assert_deliberate(error: BaseException) -> None:
    """Fail unless ``error`` is a ParseError the parser raised on purpose: not the parser's
    "internal parser error" catch-all, and wrapping no internal exception."""
    from cattrs.errors import ForbiddenExtraKeysError

    from etstats.errors import ParseError

    assert isinstance(error, ParseError), f"{type(error).__name__}: {error}"
    assert "internal parser error" not in str(error), str(error)
    for leaf in _leaves(error):
        assert isinstance(leaf, (*DELIBERATE_CAUSES, ForbiddenExtraKeysError)), (
            f"{error!s} wraps an internal {type(leaf).__name__}: {leaf}"
        )


@contextmanager
def parse_errors_allowed() -> Iterator[None]:
    """Let a deliberate ParseError end the block; any other outcome of a parse fails the test:
    another exception escapes as it is, and a catch-all or wrapped internal error fails
    :func:`assert_deliberate`."""
    from etstats.errors import ParseError

    try:
        yield
    except ParseError as exc:
        assert_deliberate(exc)


def assert_built_equals_public(built: object, public: object) -> None:
    """``built`` (made by a fast path: a builder, a sealed class, the whole-line reader) is
    indistinguishable from ``public`` (made by the public constructor): same class, equal both
    ways, same hash, repr and JSON, and it pickles, copies and evolves to an equal object."""
    import copy
    import pickle

    import attrs

    from etstats.serde import to_json

    assert type(built) is type(public)
    assert built == public
    assert public == built
    if type(built).__hash__ is not None:  # internal records (reconcile readings) are unhashable
        assert hash(built) == hash(public)
    assert repr(built) == repr(public)
    assert to_json(built) == to_json(public)
    assert pickle.loads(pickle.dumps(built)) == public  # noqa: S301 - our own bytes
    assert copy.deepcopy(built) == public
    if attrs.has(type(built)):
        assert attrs.asdict(built) == attrs.asdict(public)  # type: ignore[arg-type]
        assert attrs.evolve(built) == public  # type: ignore[misc]


STORED_COMPARISON_KEYS = (
    "check",
    "verdict",
    "difference",
    "tolerance",
    "unit",
    "causes",
    "player",
    "player_name",
    "message",
)
"""A comparison's keys the stored report (form B, docs/storage.md) keeps."""


def stored_projection(lean: dict[str, Any]) -> dict[str, Any]:
    """What the stored report (form B) must say, made from the lean form's JSON (decoded):
    the marker, every top-level key, each comparison cut to :data:`STORED_COMPARISON_KEYS`
    plus its sources' ``values`` for a dead-time one."""
    out: dict[str, Any] = {"form": "b"}
    for key, value in lean.items():
        if key == "comparisons":
            value = [_stored_comparison(c) for c in value]
        out[key] = value
    return out


def _stored_comparison(c: dict[str, Any]) -> dict[str, Any]:
    out = {k: c[k] for k in STORED_COMPARISON_KEYS}
    if c["check"] == "dead-time":
        out["values"] = [s["value"] for s in c["sources"]]
    return out


def insert_bare_artifact(tx: Any, row: tuple[Any, ...]) -> None:
    """Write one artifact row ``(sha256, kind, name, server_id, received_unix, status)`` with
    empty bytes straight through SQL (so the store's triggers see a plain ``INSERT``): on
    PostgreSQL the bytes are in the row, on SQLite in ``artifact_bytes`` (migration 0016)."""
    columns = "sha256, kind, name, server_id, size_bytes, received_unix, status"
    if tx.bytes_table == "artifacts":
        tx.execute(
            f"INSERT INTO artifacts ({columns}, data) VALUES (?, ?, ?, ?, 0, ?, ?, ?)",  # noqa: S608
            (*row, b""),
        )
    else:
        tx.execute(
            f"INSERT INTO artifacts ({columns}) VALUES (?, ?, ?, ?, 0, ?, ?)",  # noqa: S608
            row,
        )
        tx.execute("INSERT INTO artifact_bytes (sha256, data) VALUES (?, ?)", (row[0], b""))


def assert_brief_counts_exact(store: Any) -> None:
    """The ingest summary's brief counts (read from trigger-kept counts and indexes) are the
    whole-table counts, less what the summary leaves out."""
    import attrs

    full = store.store_counts()
    assert store.store_counts(brief=True) == attrs.evolve(
        full, verdicts={}, by_start_source={}, unlinked=0
    )
