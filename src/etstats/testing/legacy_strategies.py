"""Hypothesis strategies for the legacy gametimes models (public, for other bots' tests too).

Every strategy builds *valid* models: rendering one with
:mod:`etstats.render.legacy_gametimes` and parsing the text gives an equal model. Strings that
the parser reads as "missing" (empty, ``-``, ``n/a``...) are never generated for embed fields.
"""

from __future__ import annotations

import enum
import types
import typing
from datetime import UTC, datetime
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st

from etstats.model.common import Finding, Provenance, Severity
from etstats.model.legacy_gametimes import (
    LegacyGametimes,
    LegacyMeta,
    LegacySpawnStat,
    PauseEvent,
    SpawnSummary,
    TeamMember,
    WebhookRound,
)
from etstats.parsing.legacy_webhook import is_placeholder

T = TypeVar("T")

_CHARS = st.characters(exclude_categories=["Cs"])
any_text = st.text(_CHARS, max_size=24)
"""Any text JSON can carry (no lone surrogates)."""
field_text = st.text(_CHARS, min_size=1, max_size=24).filter(lambda s: not is_placeholder(s))
"""Text an embed field value can carry without being read as a placeholder."""
counts = st.integers(min_value=0, max_value=10_000)
unix_seconds = st.integers(min_value=0, max_value=4_102_444_800)
small_ints = st.integers(min_value=-(2**40), max_value=2**40)
guids = st.integers(0, 2**128 - 1).map("{:032X}".format)  # one draw, not 32 (size budget)


def spawn_stats() -> st.SearchStrategy[LegacySpawnStat]:
    """Any ``meta.spawn_stats`` element (not necessarily plausible)."""
    return st.builds(
        LegacySpawnStat,
        guid=guids | any_text,
        name=any_text,
        spawns=counts,
        deaths=counts,
        dead_seconds=counts,
        avg_respawn=counts,
        max_respawn=counts,
    )


def legacy_metas() -> st.SearchStrategy[LegacyMeta]:
    """Any ``meta`` object."""
    return st.builds(
        LegacyMeta,
        map=any_text,
        round=st.integers(0, 3),
        round_start_unix=unix_seconds,
        round_end_unix=unix_seconds,
        actual_duration_seconds=counts,
        warmup_seconds=st.none() | counts,
        pause_seconds=st.none() | counts,
        pause_count=st.none() | counts,
        server_ip=st.none() | any_text,
        server_port=st.none() | st.just("27960") | any_text,
        match_id=st.none() | any_text,
        spawn_stats=st.lists(spawn_stats(), max_size=4).map(tuple),
    )


def team_members() -> st.SearchStrategy[TeamMember]:
    return st.builds(TeamMember, name=any_text, guid=st.none() | guids | any_text)


def pause_events() -> st.SearchStrategy[PauseEvent]:
    return st.builds(
        PauseEvent,
        n=st.integers(1, 50),
        start_unix=unix_seconds,
        end_unix=unix_seconds,
        seconds=st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
    )


def spawn_summaries() -> st.SearchStrategy[SpawnSummary]:
    return st.builds(
        SpawnSummary, players=counts, spawns=counts, avg_respawn=counts, max_respawn=counts
    )


def _opt(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


@st.composite
def webhook_rounds(draw: st.DrawFn) -> WebhookRound:
    """Any webhook body model (fields independently present or missing)."""
    teams = st.lists(team_members(), max_size=4).map(tuple)
    pause_count = draw(_opt(counts))
    return WebhookRound(
        map=draw(_opt(field_text)),
        round=draw(_opt(st.integers(0, 3))),
        winner=draw(_opt(st.integers(0, 2))),
        defender=draw(_opt(st.integers(0, 2))),
        playtime_seconds=draw(_opt(small_ints)),
        timelimit_minutes=draw(_opt(st.floats(0, 1e9, allow_nan=False))),
        pause_count=pause_count,
        pause_seconds=None if pause_count is None else draw(_opt(counts)),
        end_reason=draw(
            _opt(st.sampled_from(["objective", "surrender", "time_expired"]) | field_text)
        ),
        warmup_seconds=draw(_opt(counts)),
        warmup_start_unix=draw(_opt(unix_seconds)),
        warmup_end_unix=draw(_opt(unix_seconds)),
        round_start_unix=draw(_opt(unix_seconds)),
        round_end_unix=draw(_opt(unix_seconds)),
        surrender_team=draw(_opt(st.integers(0, 2))),
        surrender_caller=draw(_opt(guids | field_text)),
        surrender_caller_name=draw(_opt(field_text)),
        axis_score=draw(_opt(counts)),
        allies_score=draw(_opt(counts)),
        axis=draw(_opt(teams)),
        allies=draw(_opt(teams)),
        pauses=draw(_opt(st.lists(pause_events(), max_size=3).map(tuple))),
        spawn_summary=draw(_opt(spawn_summaries())),
        version=draw(_opt(st.tuples(*[st.integers(0, 999_999)] * 3))),
        username=draw(_opt(any_text)),
        content=draw(_opt(st.just("STATS_READY") | any_text)),
    )


def findings() -> st.SearchStrategy[Finding]:
    """Any finding (for serialisation tests)."""
    return st.builds(
        Finding,
        code=any_text,
        severity=st.sampled_from(Severity),
        message=any_text,
        source=any_text,
        line=st.none() | st.integers(1, 10**6),
        field=st.none() | any_text,
        expected=st.none() | any_text,
        actual=st.none() | any_text,
        player_guid=st.none() | guids,
    )


def provenances() -> st.SearchStrategy[Provenance]:
    """Any provenance; timestamps naive (stats files) or aware UTC (gametimes names)."""
    return st.builds(
        Provenance,
        sha256=st.binary(min_size=32, max_size=32).map(bytes.hex),
        size_bytes=counts,
        path=st.none() | any_text,
        file_timestamp=st.none() | st.datetimes(timezones=st.none() | st.just(UTC)),
        file_map=st.none() | any_text,
        file_round=st.none() | st.integers(0, 2),
    )


def legacy_gametimes(*, with_extras: bool = False) -> st.SearchStrategy[LegacyGametimes]:
    """Any legacy gametimes model; ``with_extras`` adds provenance and findings."""
    extras = (
        {
            "provenance": st.none() | provenances(),
            "findings": st.lists(findings(), max_size=3).map(tuple),
        }
        if with_extras
        else {}
    )
    return st.builds(
        LegacyGametimes, meta=legacy_metas(), payload=st.none() | webhook_rounds(), **extras
    )


def _typed(tp: Any) -> st.SearchStrategy[Any]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is type(None):
        return st.none()
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*[_typed(a) for a in args])
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(_typed(args[0]), max_size=2).map(tuple)
        return st.tuples(*[_typed(a) for a in args])
    if origin in (list, frozenset, set):
        return st.lists(_typed(args[0]), max_size=2).map(origin)
    if origin is dict:
        return st.dictionaries(st.text(max_size=5), _typed(args[1]), max_size=2)
    if isinstance(tp, type):
        if issubclass(tp, enum.Enum):
            return st.sampled_from(list(tp))
        if tp is bool:
            return st.booleans()
        if tp is int:  # non-negative and often small: most models' validators want that
            return st.integers(0, 27) | st.integers(0, 2**53)
        if tp is float:
            return st.floats(allow_nan=False, allow_infinity=False)
        if tp is str:
            return st.text(_CHARS, max_size=12)
        if issubclass(tp, datetime):
            return st.datetimes(timezones=st.none() | st.just(UTC))
        if attrs.has(tp):
            return st.deferred(lambda: from_annotations(tp))
    raise TypeError(f"no strategy for {tp!r}")


def _make(cls: type[T], kwargs: dict[str, Any]) -> T | None:
    try:
        return cls(**kwargs)
    except (ValueError, TypeError):
        return None


def from_annotations(cls: type[T]) -> st.SearchStrategy[T]:
    """Instances of any attrs model built from its type annotations alone.

    For serialisation and schema tests: values need not be plausible, and instances the
    model's validators refuse are discarded (models with strict validators need their own
    strategy). Integers are non-negative.
    """
    hints = typing.get_type_hints(cls)
    if not attrs.has(cls):
        raise TypeError(f"{cls!r} is not an attrs class")
    fields = {a.name: _typed(hints[a.name]) for a in attrs.fields(cls) if a.init}
    built = st.fixed_dictionaries(fields).map(lambda kw: _make(cls, kw))
    return built.filter(lambda x: x is not None)  # type: ignore[return-value]


__all__ = [
    "findings",
    "from_annotations",
    "legacy_gametimes",
    "legacy_metas",
    "pause_events",
    "provenances",
    "spawn_stats",
    "spawn_summaries",
    "team_members",
    "webhook_rounds",
]
