"""Pairing round-2 stats files with their round-1 file (map + file-name time window).

Rules (docs/differential.md):

* A round's time is, in order of preference, the caller's explicit timestamp for it, else the
  file-name timestamp in its provenance (naive server-local wall-clock time).
* An R2 with a time pairs with the **latest** R1 of the same map whose time is **strictly
  earlier** and at most ``window_minutes`` earlier (default 45 minutes). Full datetimes are
  compared, so a pair that crosses midnight pairs like any other.
* An R2 without a time pairs with the nearest preceding R1 of the same map *in the input order*
  that has no time either (in-memory rounds built by a caller); a finding says so.
* An R2 that finds no R1 is an orphan: kept raw by the differential and flagged.
* An R1 may serve several R2 files (a duplicated R2 file); a finding reports it.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from attrs import frozen

from etstats.model.common import Finding, Severity
from etstats.model.stats import StatsRound
from etstats.timezones import local_to_utc, zone

DEFAULT_WINDOW_MINUTES: float = 45.0
"""Default pairing window in minutes (slomix ``round_match_window_minutes``)."""

Timestamps = Mapping[int, datetime | None] | Sequence[datetime | None]
"""Explicit round times: a sequence parallel to ``rounds`` or a mapping from the round's index
in ``rounds`` to its time (naive server-local wall-clock, like file-name timestamps)."""


@frozen
class RoundPair:
    """An R2 round and the R1 round it is differenced against."""

    r1: StatsRound
    r2: StatsRound
    gap_seconds: float | None
    """R2 time minus R1 time in seconds; ``None`` when paired by input order (no times)."""
    r1_index: int
    """Index of :attr:`r1` in the sequence given to :func:`pair_rounds`."""
    r2_index: int
    """Index of :attr:`r2` in the sequence given to :func:`pair_rounds`."""


@frozen
class Pairing:
    """Result of :func:`pair_rounds`."""

    pairs: tuple[RoundPair, ...]
    """Paired rounds, in the input order of their R2."""
    orphans_r2: tuple[StatsRound, ...]
    """R2 rounds without an R1 in the window (to be kept raw and flagged)."""
    unpaired_r1: tuple[StatsRound, ...]
    """R1 rounds no R2 chose (a match abandoned after R1, or an R1 replayed before its R2)."""
    indexed_findings: tuple[tuple[int, Finding], ...] = ()
    """Pairing findings with the input index of the round each is about (``orphan-round-2``,
    ``paired-by-order``, ``round-1-reused``)."""
    orphan_indexes: tuple[int, ...] = ()
    """Indexes (in the input) of :attr:`orphans_r2`."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every pairing finding, in the order found."""
        return tuple(f for _, f in self.indexed_findings)

    def findings_for(self, index: int) -> tuple[Finding, ...]:
        """Pairing findings about the round at input index ``index``."""
        return tuple(f for i, f in self.indexed_findings if i == index)


def round_source(rnd: StatsRound) -> str:
    """The round's file name, or ``"<memory>"`` for an in-memory round."""
    if rnd.provenance is None:
        return "<memory>"
    return rnd.provenance.name


def round_map(rnd: StatsRound) -> str:
    """Map used for pairing: the file name's map when known, else header f2."""
    if rnd.provenance is not None and rnd.provenance.file_map:
        return rnd.provenance.file_map
    return rnd.header.map_name


def round_time(
    rnd: StatsRound, index: int, timestamps: Timestamps | None = None
) -> datetime | None:
    """The time used for pairing: explicit ``timestamps[index]``, else the file-name time."""
    if timestamps is not None:
        explicit: datetime | None = None
        if isinstance(timestamps, Mapping):
            explicit = timestamps.get(index)
        elif index < len(timestamps):
            explicit = timestamps[index]
        if explicit is not None:
            return explicit
    if rnd.provenance is not None:
        return rnd.provenance.file_timestamp
    return None


def utc_file_times(rounds: Sequence[StatsRound], timezone: str) -> list[datetime | None]:
    """The rounds' file-name times (server wall clock in the IANA ``timezone``) as naive UTC,
    for ``pair_rounds(..., timestamps=...)``: the window then counts real minutes across a
    daylight-saving change. An ambiguous wall-clock time (the repeated autumn hour) takes its
    first occurrence, as the store does. Rounds without a file-name time give ``None``.

    :raises ConfigError: ``timezone`` is not a known IANA name.
    """
    tz = zone(timezone)
    out: list[datetime | None] = []
    for rnd in rounds:
        ts = rnd.provenance.file_timestamp if rnd.provenance is not None else None
        out.append(None if ts is None else local_to_utc(ts, tz).replace(tzinfo=None))
    return out


def _naive(ts: datetime) -> datetime:
    # Mixed aware/naive inputs cannot be compared; compare wall-clock values.
    return ts.replace(tzinfo=None) if ts.tzinfo is not None else ts


def pair_rounds(
    rounds: Sequence[StatsRound],
    *,
    window_minutes: float = DEFAULT_WINDOW_MINUTES,
    timestamps: Timestamps | None = None,
) -> Pairing:
    """Pair every round-2 round with its round-1 round.

    :param rounds: parsed rounds in any order (files or in-memory objects).
    :param window_minutes: the largest allowed R2 − R1 time difference, in minutes.
    :param timestamps: optional explicit times overriding the provenance's file-name time.
    :returns: a :class:`Pairing`; R1 and R2 are told apart by :attr:`StatsRound.round_number`.
    """
    if window_minutes < 0:
        raise ValueError(f"window_minutes must be >= 0, got {window_minutes}")
    window = timedelta(minutes=window_minutes)
    times = [round_time(r, i, timestamps) for i, r in enumerate(rounds)]
    r1_indexes = [i for i, r in enumerate(rounds) if r.round_number == 1]
    # Per map: timed R1s sorted by (time, input index); untimed R1s by input index.
    timed: dict[str, list[tuple[datetime, int]]] = {}
    untimed: dict[str, list[int]] = {}
    for i1 in r1_indexes:
        t1 = times[i1]
        if t1 is None:
            untimed.setdefault(round_map(rounds[i1]), []).append(i1)
        else:
            timed.setdefault(round_map(rounds[i1]), []).append((_naive(t1), i1))
    for entries in timed.values():
        entries.sort()

    pairs: list[RoundPair] = []
    orphans: list[int] = []
    findings: list[tuple[int, Finding]] = []
    used: dict[int, list[int]] = {}
    for i2, r2 in enumerate(rounds):
        if r2.round_number != 2:
            continue
        mp = round_map(r2)
        t2 = times[i2]
        best: int | None = None
        if t2 is not None:
            t2n = _naive(t2)
            entries = timed.get(mp, [])
            # Last R1 strictly earlier (ties on time: the later one in the input).
            pos = bisect.bisect_left(entries, (t2n, -1)) - 1
            if pos >= 0 and t2n - entries[pos][0] <= window:
                best = entries[pos][1]
        else:
            order = untimed.get(mp, [])
            pos = bisect.bisect_left(order, i2) - 1
            if pos >= 0:
                best = order[pos]
            if best is not None:
                findings.append(
                    (
                        i2,
                        Finding(
                            code="paired-by-order",
                            severity=Severity.INFO,
                            message=(
                                f"round 2 has no timestamp; paired with the preceding round 1 of "
                                f"{mp} in input order ({round_source(rounds[best])})"
                            ),
                            source=round_source(r2),
                        ),
                    )
                )
        if best is None:
            orphans.append(i2)
            findings.append((i2, orphan_finding(r2, window_minutes, has_time=t2 is not None)))
            continue
        t1b = times[best]
        gap = (_naive(t2) - _naive(t1b)).total_seconds() if t2 and t1b else None
        pairs.append(RoundPair(rounds[best], r2, gap, best, i2))
        used.setdefault(best, []).append(i2)

    for i1, users in used.items():
        if len(users) > 1:
            findings.append(
                (
                    i1,
                    Finding(
                        code="round-1-reused",
                        severity=Severity.WARNING,
                        message=(
                            f"round 1 {round_source(rounds[i1])} is the pair of {len(users)} "
                            "round-2 files: " + ", ".join(round_source(rounds[u]) for u in users)
                        ),
                        source=round_source(rounds[i1]),
                    ),
                )
            )
    unpaired = tuple(rounds[i] for i in r1_indexes if i not in used)
    return Pairing(
        pairs=tuple(pairs),
        orphans_r2=tuple(rounds[i] for i in orphans),
        unpaired_r1=unpaired,
        indexed_findings=tuple(findings),
        orphan_indexes=tuple(orphans),
    )


def orphan_finding(r2: StatsRound, window_minutes: float, *, has_time: bool) -> Finding:
    """The ``orphan-round-2`` warning attached to an R2 kept with its raw cumulative values."""
    why = (
        f"no round-1 file of {round_map(r2)} within {window_minutes:g} minutes before it"
        if has_time
        else f"no timestamp and no preceding round 1 of {round_map(r2)} in input order"
    )
    return Finding(
        code="orphan-round-2",
        severity=Severity.WARNING,
        message=f"orphan round 2: {why}; values are cumulative R1+R2, kept raw",
        source=round_source(r2),
    )
