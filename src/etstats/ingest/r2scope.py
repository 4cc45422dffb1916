"""Which values a stored round's player rows hold: a round 2 differenced against its round 1.

A c0rnp0rn round-2 stats file holds R1+R2 totals for the engine counters. The store keeps
R2-only values for a round 2 whose round 1 is stored, using the round-2 differential
(:mod:`etstats.differential`, B's rules, not re-implemented here):

* the partner is chosen by :func:`etstats.differential.pair_rounds` among the stored round-1
  rounds of the same server and map, with each round's stats file-name time in UTC
  (``rounds.stats_file_unix``) as its explicit timestamp: the **latest** round 1 **strictly
  earlier** and at most ``window_minutes`` earlier;
* the values are :func:`etstats.differential.round2_differential` of the two parsed rounds
  (re-parsed from the archived raw bytes).

Scopes (``values_scope``) on ``rounds``, ``player_round_stats`` and ``weapon_stats``:
``round`` (this round only: every round 1, and a paired round 2), ``cumulative_r1_r2`` (a
round 2 with no round 1 yet: values as written) and, per player of a paired round 2,
``r2_as_written`` (the differential kept his line raw: counter reset on reconnect, duplicate
line or TAB layout mismatch; see the round's ``counter-reset``/... findings).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from attrs import frozen

from etstats.differential import pair_rounds, player_key
from etstats.differential.memo import shared_round2_differential
from etstats.storage.base import StorageTx

Loader = Callable[[str], tuple[str, Any]]
"""``load(sha256) -> (artifact name, parsed model)`` of an archived stats artifact."""

ROUND = "round"
CUMULATIVE = "cumulative_r1_r2"
AS_WRITTEN = "r2_as_written"


@frozen
class StatsScope:
    """The stats values to store for one round and what they cover."""

    model: Any
    """The :class:`etstats.model.stats.StatsRound` whose values are stored."""
    values_scope: str
    """``round`` or ``cumulative_r1_r2`` (see the module docstring)."""
    player_scopes: tuple[str, ...]
    """``values_scope`` of each player line, in line order."""
    r1_round_id: int | None = None
    r1_model: Any = None
    """The round-1 :class:`StatsRound` the values were differenced against."""
    r1_sha256: str | None = None
    r1_name: str | None = None
    """File name of the round-1 stats artifact (for the reconciliation report)."""
    window_minutes: float = 45.0
    """The pairing window used (minutes), handed on to the reconciliation engine."""


@frozen
class R1Candidate:
    """A stored round 1 that a round 2 may pair with."""

    round_id: int
    stats_sha256: str
    stats_file_unix: int
    """UTC Unix seconds of its stats file name."""
    model: Any


def _naive_utc(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC).replace(tzinfo=None)


def choose_r1(
    r2_model: Any, r2_unix: int, candidates: Sequence[R1Candidate], window_minutes: float
) -> R1Candidate | None:
    """The round 1 :func:`pair_rounds` pairs with the round 2 (``None``: orphan).

    Candidates are given in (stats time, hash) order, so equal times resolve the same way in
    any arrival order.
    """
    ordered = sorted(candidates, key=lambda c: (c.stats_file_unix, c.stats_sha256))
    rounds = [c.model for c in ordered] + [r2_model]
    times = [_naive_utc(c.stats_file_unix) for c in ordered] + [_naive_utc(r2_unix)]
    pairing = pair_rounds(rounds, window_minutes=window_minutes, timestamps=times)
    r2_index = len(ordered)
    for pair in pairing.pairs:
        if pair.r2_index == r2_index:
            return ordered[pair.r1_index]
    return None


def own_scope(model: Any) -> StatsScope:
    """A round stored as written (round 1, or any round number other than 2)."""
    return StatsScope(model, ROUND, (ROUND,) * len(model.players))


def r2_scope(
    r2_model: Any,
    partner: R1Candidate | None,
    *,
    window_minutes: float = 45.0,
    r1_name: str | None = None,
) -> StatsScope:
    """The values of a round 2: differenced against ``partner``, or as written (orphan).

    :param window_minutes: the pairing window used (minutes), kept on the scope.
    :param r1_name: file name of the partner's stats artifact (for the report).
    """
    if partner is None:
        return StatsScope(
            r2_model,
            CUMULATIVE,
            (CUMULATIVE,) * len(r2_model.players),
            window_minutes=window_minutes,
        )
    diff = shared_round2_differential(partner.model, r2_model)  # the engine finds it again
    in_r1 = {player_key(p) for p in partner.model.players}
    scopes = tuple(
        # round2_differential returns the R2 line object itself when it keeps it raw; a
        # player absent from R1 joined in R2, so his raw values are R2-only already.
        AS_WRITTEN if (d is p and player_key(p) in in_r1) else ROUND
        for p, d in zip(r2_model.players, diff.players, strict=True)
    )
    return StatsScope(
        diff,
        ROUND,
        scopes,
        partner.round_id,
        partner.model,
        partner.stats_sha256,
        r1_name,
        window_minutes,
    )


def scope_key(partner: R1Candidate | None) -> tuple[str, int | None]:
    """``(values_scope, r1_round_id)`` that :func:`r2_scope` gives with ``partner``, without
    computing the differential (to see whether a stored round 2 must be rewritten)."""
    return (CUMULATIVE, None) if partner is None else (ROUND, partner.round_id)


def window_seconds(window_minutes: float) -> int:
    """The pairing window in whole seconds (rounded up; :func:`pair_rounds` is exact)."""
    return math.ceil(window_minutes * 60)


def r2_partner(
    tx: StorageTx,
    load: Loader,
    *,
    server_id: int,
    map_name: str,
    stats_unix: int,
    model: Any,
    window_minutes: float,
) -> R1Candidate | None:
    """The stored round 1 a round-2 stats round pairs with (``None``: orphan).

    :param stats_unix: the round 2's stats file-name time (UTC Unix seconds).
    :param window_minutes: the pairing window (minutes).
    """
    lo = stats_unix - window_seconds(window_minutes)
    candidates = [
        R1Candidate(r.id, r.stats_sha256, r.stats_file_unix, load(r.stats_sha256)[1])
        for r in tx.stats_rounds_between(server_id, map_name, 1, lo, stats_unix - 1)
        if r.stats_sha256 is not None and r.stats_file_unix is not None
    ]
    if not candidates:
        return None
    return choose_r1(model, stats_unix, candidates, window_minutes)


def partner_scope(
    load: Loader, model: Any, partner: R1Candidate | None, window_minutes: float
) -> StatsScope:
    """:func:`r2_scope` of a round 2 and the partner :func:`r2_partner` found for it."""
    r1_name = None if partner is None else load(partner.stats_sha256)[0]
    return r2_scope(model, partner, window_minutes=window_minutes, r1_name=r1_name)


def stats_scope(
    tx: StorageTx,
    load: Loader,
    *,
    server_id: int,
    map_name: str,
    round_number: int,
    stats_unix: int,
    model: Any,
    window_minutes: float,
) -> StatsScope:
    """The values to store for a stats round of the group, looking up its stored round 1.

    :param stats_unix: the round's stats file-name time (UTC Unix seconds).
    :param window_minutes: the pairing window (minutes).
    """
    if round_number != 2:
        return own_scope(model)
    partner = r2_partner(
        tx,
        load,
        server_id=server_id,
        map_name=map_name,
        stats_unix=stats_unix,
        model=model,
        window_minutes=window_minutes,
    )
    return partner_scope(load, model, partner, window_minutes)
