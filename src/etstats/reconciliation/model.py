"""The reconciliation model: what each source says, what rule compared it, and the verdict.

Every comparison carries its provenance (the sources and values used, the rule applied, the
expected bound) and a verdict:

* ``agree``: the values differ by no more than the resolution of the sources (rounding).
* ``tolerated``: they differ by more than the resolution but stay inside a bound that follows
  from the game's mechanics without naming a specific event (polling, snapshot staleness,
  the respawn wave schedule).
* ``explained``: the difference is larger, and named causes with evidence account for its size.
* ``conflict``: nothing above accounts for it.

Units: every time value in this model is **seconds** (floats) unless a field name says
otherwise. See docs/reconcile.md for every rule and cause code.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable

from attrs import field, frozen

from etstats._sealing import sealed_builder
from etstats.model.common import Finding


class Verdict(enum.StrEnum):
    """Outcome of one comparison (ordered from best to worst)."""

    AGREE = "agree"
    TOLERATED = "tolerated"
    EXPLAINED = "explained"
    CONFLICT = "conflict"


VERDICT_ORDER: tuple[Verdict, ...] = (
    Verdict.AGREE,
    Verdict.TOLERATED,
    Verdict.EXPLAINED,
    Verdict.CONFLICT,
)


_VERDICT_RANK: dict[Verdict, int] = {v: i for i, v in enumerate(VERDICT_ORDER)}
"""Position of each verdict in :data:`VERDICT_ORDER` (a look-up, not a list search)."""


@frozen
class SourceValue:
    """One value read from one source."""

    source: str
    """Source kind and field, e.g. ``"stats:TAB[25]"``, ``"lua-v1:dead_ms"``."""
    value: float | None
    """The value converted to :attr:`unit` (``None`` when the source has no such value)."""
    unit: str
    """``"s"`` (seconds), ``"count"``, ``"percent"``, ``"team"``..."""
    raw: str | None = None
    """The value as written (``"1.4"`` minutes, ``"84 sec"``), when it differs from value."""
    artifact: str | None = None
    """File name the value came from."""


@frozen
class CauseAmount:
    """A named cause and how much of a difference it can account for."""

    code: str
    """Cause code from :mod:`etstats.reconciliation.causes` (``"rounding"``, ...)."""
    low: float
    """Smallest signed amount the cause can account for (in the comparison's unit)."""
    high: float
    """Largest signed amount the cause can account for."""
    evidence: str
    """Why the cause applies here (one sentence)."""


@frozen
class Comparison:
    """One check between sources (or inside one source), with its verdict and provenance."""

    check: str
    """Check code, e.g. ``"dead-time"``, ``"round-duration"`` (see docs/reconcile.md)."""
    verdict: Verdict
    rule: str
    """The rule applied, in words."""
    sources: tuple[SourceValue, ...]
    difference: float | None
    """Signed difference (second source minus first) in :attr:`unit`; ``None`` if n/a."""
    tolerance: float
    """Resolution bound: ``|difference| <= tolerance`` is ``agree``."""
    unit: str = "s"
    bound: tuple[float, float] | None = None
    """The interval the difference had to fall in for the final verdict (after causes)."""
    causes: tuple[CauseAmount, ...] = ()
    player: str | None = None
    """Player key (8-char GUID prefix) for per-player checks, ``None`` for round checks."""
    player_name: str | None = None
    message: str = ""


@frozen
class ArtifactRef:
    """One input artifact and where it belongs."""

    kind: str
    """``stats``, ``endstats``, ``gametimes``, ``gametimes-legacy``."""
    name: str
    """File name (or ``<memory>``)."""
    map: str | None = None
    round: int | None = None
    time: str | None = None
    """Its time key as ISO text (stats: naive local; Lua: UTC)."""
    reason: str | None = None
    """For unmatched artifacts: why nothing was linked."""


@frozen
class PlayerLink:
    """One player across the sources of a round."""

    key: str
    """8-character GUID prefix, upper case (the stats-file key)."""
    names: tuple[str, ...]
    """Clean names seen (evidence only; a difference is reported, never used as a key)."""
    guid: str | None = None
    """Full 32-character GUID from a Lua source, when matched."""
    in_stats: bool = False
    in_lua: bool = False
    in_endstats: bool = False
    bot: bool = False
    collision: bool = False
    """Several players share this 8-character prefix: not compared."""
    team: int | None = None


@frozen
class Reconciliation:
    """Everything known about one round: its artifacts, players and comparisons."""

    map: str
    round: int
    stats: str | None = None
    """Stats file name of this round."""
    stats_r1: str | None = None
    """For a round 2: the round-1 stats file it was differenced against."""
    endstats: str | None = None
    lua: str | None = None
    """Gametimes file name (legacy or v1)."""
    lua_kind: str | None = None
    stats_time: str | None = None
    """Stats file-name time (server-local, ISO)."""
    lua_end_unix: int | None = None
    """Lua round end (UTC epoch seconds)."""
    link_lag_seconds: float | None = None
    """Stats file time minus (Lua end + UTC offset), seconds: normally about 3."""
    players: tuple[PlayerLink, ...] = ()
    comparisons: tuple[Comparison, ...] = ()
    findings: tuple[Finding, ...] = field(factory=tuple)

    @property
    def verdict(self) -> Verdict:
        """The worst verdict of the round's comparisons (``agree`` if none)."""
        worst = Verdict.AGREE
        rank = _VERDICT_RANK
        worst_rank = 0
        for c in self.comparisons:
            r = rank[c.verdict]
            if r > worst_rank:
                worst, worst_rank = c.verdict, r
        return worst

    def counts(self) -> dict[str, int]:
        """Number of comparisons per verdict."""
        out = {v.value: 0 for v in VERDICT_ORDER}
        for c in self.comparisons:
            out[c.verdict.value] += 1
        return out


@frozen
class LeanReconciliation(Reconciliation):
    """The ingest path's form of a round's :class:`Reconciliation` (the form it stores).

    The same rules ran, but agreeing comparisons were counted rather than built, except the
    checks of :data:`KEPT_IN_FULL` (``dead-time``: the spawn
    audit lists them all). :attr:`comparisons` holds every comparison whose verdict is not
    ``agree`` plus every kept one, in the engine's order; :attr:`check_counts` counts every
    comparison of the round. :attr:`verdict` and :meth:`counts` equal the full form's.
    """

    check_counts: dict[str, dict[str, int]] = field(factory=dict)
    """Comparisons of the round per check and verdict (every verdict listed, zeros too),
    built or counted; checks sorted by name."""

    def counts(self) -> dict[str, int]:
        """Number of comparisons per verdict (the agreeing ones counted, not built)."""
        out = {v.value: 0 for v in VERDICT_ORDER}
        for per_verdict in self.check_counts.values():
            for k, n in per_verdict.items():
                out[k] += n
        return out


KEPT_IN_FULL: frozenset[str] = frozenset({"dead-time"})
"""Checks whose agreeing comparisons the lean form still builds: the spawn audit
(``etstats_fastapi.audit_view``) lists every dead-time comparison."""

_VERDICT_KEYS: tuple[str, ...] = tuple(v.value for v in VERDICT_ORDER)
_AGREE = Verdict.AGREE


def lean_reconciliation(full: Reconciliation, counted: dict[str, int]) -> LeanReconciliation:
    """``full`` (built while :func:`~etstats.reconciliation.rules.judge.counting_agree`
    counted ``counted`` agreeing comparisons per check, or with nothing counted) in its lean
    form: agreeing comparisons of checks not kept in full are dropped and counted too."""
    return build_lean_reconciliation(
        full.map,
        full.round,
        full.stats,
        full.stats_r1,
        full.endstats,
        full.lua,
        full.lua_kind,
        full.stats_time,
        full.lua_end_unix,
        full.link_lag_seconds,
        full.players,
        full.comparisons,
        full.findings,
        counted,
    )


def build_lean_reconciliation(
    map: str,
    round: int,
    stats: str | None,
    stats_r1: str | None,
    endstats: str | None,
    lua: str | None,
    lua_kind: str | None,
    stats_time: str | None,
    lua_end_unix: int | None,
    link_lag_seconds: float | None,
    players: tuple[PlayerLink, ...],
    comparisons: Iterable[Comparison],
    findings: tuple[Finding, ...],
    counted: dict[str, int],
) -> LeanReconciliation:
    """:func:`lean_reconciliation` of the :class:`Reconciliation` these fields (positional,
    in field order) would make, without making it (the ingest path's form: one object per
    round, not two)."""
    per_check: dict[str, dict[str, int]] = {}
    kept: list[Comparison] = []
    for c in comparisons:
        row = per_check.get(c.check)
        if row is None:
            row = per_check[c.check] = dict.fromkeys(_VERDICT_KEYS, 0)
        row[c.verdict] += 1  # a StrEnum member is its value as a key
        if c.verdict is not _AGREE or c.check in KEPT_IN_FULL:
            kept.append(c)
    for check, n in counted.items():
        row = per_check.get(check)
        if row is None:
            row = per_check[check] = dict.fromkeys(_VERDICT_KEYS, 0)
        row["agree"] += n
    return _build_lean(
        map,
        round,
        stats,
        stats_r1,
        endstats,
        lua,
        lua_kind,
        stats_time,
        lua_end_unix,
        link_lag_seconds,
        players,
        tuple(kept),
        findings,
        dict(sorted(per_check.items())),
    )


@frozen
class Ambiguity:
    """A link that was refused because two candidates fit."""

    artifact: str
    candidates: tuple[str, ...]
    reason: str


@frozen
class ReconcileReport:
    """The result of :func:`etstats.reconciliation` over a set of artifacts."""

    rounds: tuple[Reconciliation, ...]
    unmatched: tuple[ArtifactRef, ...] = ()
    ambiguities: tuple[Ambiguity, ...] = ()
    utc_offset_seconds: tuple[int, ...] = ()
    """Server UTC offsets used for linking (inferred or configured), seconds east of UTC."""
    offset_source: str = "none"
    """``configured``, ``inferred`` or ``none`` (no Lua data to link)."""
    findings: tuple[Finding, ...] = ()
    """Load errors and other findings not tied to one round."""

    def verdict_counts(self) -> dict[str, int]:
        out = {v.value: 0 for v in VERDICT_ORDER}
        for r in self.rounds:
            for k, n in r.counts().items():
                out[k] += n
        return out

    def cause_counts(self) -> dict[str, int]:
        """How many comparisons each cause code was applied to."""
        out: dict[str, int] = {}
        for r in self.rounds:
            for c in r.comparisons:
                for cause in c.causes:
                    out[cause.code] = out.get(cause.code, 0) + 1
        return dict(sorted(out.items()))

    def comparisons(self, check: str | None = None) -> list[Comparison]:
        """All comparisons (optionally of one check) over every round."""
        return [c for r in self.rounds for c in r.comparisons if check is None or c.check == check]


# --- sealed builders (etstats._sealing): positional, every field in field order -----------
# The engine builds about 100 comparisons (each with two source values) per round reconciled.

build_source_value: Callable[[str, float | None, str, str | None, str | None], SourceValue] = (
    sealed_builder(SourceValue)
)
"""``SourceValue(source, value, unit, raw, artifact)``; ``value`` must already be a float
(:func:`source_value` converts an int)."""
build_cause_amount: Callable[[str, float, float, str], CauseAmount] = sealed_builder(CauseAmount)
"""``CauseAmount(code, low, high, evidence)``."""
build_comparison: Callable[
    [
        str,
        Verdict,
        str,
        tuple[SourceValue, ...],
        float | None,
        float,
        str,
        tuple[float, float] | None,
        tuple[CauseAmount, ...],
        str | None,
        str | None,
        str,
    ],
    Comparison,
] = sealed_builder(Comparison)
"""``Comparison(check, verdict, rule, sources, difference, tolerance, unit, bound, causes,
player, player_name, message)``."""
build_player_link: Callable[
    [str, tuple[str, ...], str | None, bool, bool, bool, bool, bool, int | None], PlayerLink
] = sealed_builder(PlayerLink)
"""``PlayerLink(key, names, guid, in_stats, in_lua, in_endstats, bot, collision, team)``."""
build_reconciliation: Callable[
    [
        str,
        int,
        str | None,
        str | None,
        str | None,
        str | None,
        str | None,
        str | None,
        int | None,
        float | None,
        tuple[PlayerLink, ...],
        tuple[Comparison, ...],
        tuple[Finding, ...],
    ],
    Reconciliation,
] = sealed_builder(Reconciliation)
"""``Reconciliation(map, round, stats, stats_r1, endstats, lua, lua_kind, stats_time,
lua_end_unix, link_lag_seconds, players, comparisons, findings)``."""


_build_lean: Callable[..., LeanReconciliation] = sealed_builder(LeanReconciliation)
"""``LeanReconciliation(...)``, every field positional in field order (see
:func:`build_lean_reconciliation`)."""


def source_value(
    source: str, value: float | None, unit: str, raw: str | None, artifact: str | None
) -> SourceValue:
    """``SourceValue(source, float(value), unit, raw, artifact)``, positional (``value`` may
    be an int: it is stored as a float; ``None`` stays ``None``)."""
    if value.__class__ is not float and value is not None:  # float(x) is x for a float
        value = float(value)
    return build_source_value(source, value, unit, raw, artifact)


__all__ = [
    "KEPT_IN_FULL",
    "VERDICT_ORDER",
    "Ambiguity",
    "ArtifactRef",
    "CauseAmount",
    "Comparison",
    "LeanReconciliation",
    "PlayerLink",
    "ReconcileReport",
    "Reconciliation",
    "SourceValue",
    "Verdict",
    "build_cause_amount",
    "build_comparison",
    "build_lean_reconciliation",
    "build_player_link",
    "build_reconciliation",
    "build_source_value",
    "lean_reconciliation",
    "source_value",
]
