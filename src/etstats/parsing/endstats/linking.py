"""Link endstats files to the stats file of the same round (spec 9.4).

An endstats file's name carries the map, round number and a timestamp taken when the awards
were computed, 1–3 s **before** the stats file's timestamp. :func:`link_endstats` links each
endstats round to the stats round with the same map and round number whose time differs by at
most ``window_seconds`` (default 30 s, either direction). It never guesses:

* several stats rounds in the window → ``endstats-ambiguous`` finding, not linked;
* several endstats rounds for one stats round (split writes) → the one with the most awards,
  then the most versus rows, then the most bytes wins; the others are reported as
  ``endstats-split-write`` and listed in :attr:`EndstatsLinking.superseded`; a tie on all
  three → ``endstats-ambiguous`` and none is linked;
* no stats round in the window, or no map/round/time known → ``endstats-unlinked``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from attrs import frozen

from etstats.differential.pairing import Timestamps, round_map, round_source, round_time
from etstats.model.common import Finding, Severity
from etstats.model.endstats import EndstatsRound
from etstats.model.stats import StatsRound

DEFAULT_WINDOW_SECONDS: float = 30.0


@frozen
class EndstatsLink:
    """An endstats round linked to its stats round."""

    endstats: EndstatsRound
    stats: StatsRound
    gap_seconds: float
    """Stats file time minus endstats file time, in seconds (normally 1 to 3)."""
    endstats_index: int
    stats_index: int


@frozen
class EndstatsLinking:
    """Result of :func:`link_endstats`."""

    links: tuple[EndstatsLink, ...]
    unlinked: tuple[EndstatsRound, ...]
    """Endstats rounds with no (unambiguous) stats round, superseded ones excluded."""
    superseded: tuple[EndstatsRound, ...]
    """Split-write endstats rounds that lost to a fuller file of the same round."""
    indexed_findings: tuple[tuple[int, Finding], ...] = ()
    """Findings with the index (in the endstats input) of the endstats round concerned."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for _, f in self.indexed_findings)


def _endstats_time(es: EndstatsRound, index: int, timestamps: Timestamps | None) -> datetime | None:
    if timestamps is not None:
        explicit: datetime | None = None
        if isinstance(timestamps, Mapping):
            explicit = timestamps.get(index)
        elif index < len(timestamps):
            explicit = timestamps[index]
        if explicit is not None:
            return explicit
    return es.provenance.file_timestamp if es.provenance is not None else None


def _source(es: EndstatsRound) -> str:
    return es.provenance.name if es.provenance is not None else "<memory>"


def _rank(es: EndstatsRound) -> tuple[int, int, int]:
    size = es.provenance.size_bytes if es.provenance is not None else 0
    return (len(es.awards), len(es.versus), size)


def _naive(ts: datetime) -> datetime:
    return ts.replace(tzinfo=None) if ts.tzinfo is not None else ts


def link_endstats(
    endstats: Sequence[EndstatsRound],
    rounds: Sequence[StatsRound],
    *,
    window_seconds: float = DEFAULT_WINDOW_SECONDS,
    endstats_timestamps: Timestamps | None = None,
    stats_timestamps: Timestamps | None = None,
) -> EndstatsLinking:
    """Link endstats rounds to stats rounds (rules in the module docstring).

    :param endstats: parsed endstats rounds (map and round come from their provenance).
    :param rounds: parsed stats rounds.
    :param window_seconds: largest allowed |stats time − endstats time|, in seconds.
    :param endstats_timestamps: explicit endstats times (sequence or index mapping).
    :param stats_timestamps: explicit stats times (sequence or index mapping).
    """
    findings: list[tuple[int, Finding]] = []
    stats_times = [round_time(r, i, stats_timestamps) for i, r in enumerate(rounds)]
    chosen: dict[int, list[tuple[int, float]]] = {}
    unlinked: list[int] = []
    for ei, es in enumerate(endstats):
        t = _endstats_time(es, ei, endstats_timestamps)
        mp, rn = es.map_name, es.round_number
        if t is None or mp is None or rn is None:
            unlinked.append(ei)
            findings.append(
                (
                    ei,
                    _f(
                        "endstats-unlinked",
                        Severity.WARNING,
                        "endstats round has no file-name map, round or time",
                        es,
                    ),
                )
            )
            continue
        cands: list[tuple[int, float]] = []
        for si, rnd in enumerate(rounds):
            st = stats_times[si]
            if st is None or round_map(rnd) != mp or rnd.round_number != rn:
                continue
            gap = (_naive(st) - _naive(t)).total_seconds()
            if abs(gap) <= window_seconds:
                cands.append((si, gap))
        if not cands:
            unlinked.append(ei)
            findings.append(
                (
                    ei,
                    _f(
                        "endstats-unlinked",
                        Severity.WARNING,
                        f"no stats file of {mp} round {rn} within {window_seconds:g} s",
                        es,
                    ),
                )
            )
        elif len(cands) > 1:
            unlinked.append(ei)
            names = ", ".join(round_source(rounds[si]) for si, _ in cands)
            findings.append(
                (
                    ei,
                    _f(
                        "endstats-ambiguous",
                        Severity.WARNING,
                        f"{len(cands)} stats files of {mp} round {rn} within "
                        f"{window_seconds:g} s ({names}); not linked",
                        es,
                    ),
                )
            )
        else:
            chosen.setdefault(cands[0][0], []).append((ei, cands[0][1]))

    links: list[EndstatsLink] = []
    superseded: list[int] = []
    for si, group in chosen.items():
        ranked = sorted(group, key=lambda g: _rank(endstats[g[0]]), reverse=True)
        best_ei, gap = ranked[0]
        if len(ranked) > 1 and _rank(endstats[ranked[1][0]]) == _rank(endstats[best_ei]):
            for ei, _ in group:
                unlinked.append(ei)
                findings.append(
                    (
                        ei,
                        _f(
                            "endstats-ambiguous",
                            Severity.WARNING,
                            f"{len(group)} endstats files for "
                            f"{round_source(rounds[si])} tie on awards, versus "
                            "rows and size; none linked",
                            endstats[ei],
                        ),
                    )
                )
            continue
        links.append(EndstatsLink(endstats[best_ei], rounds[si], gap, best_ei, si))
        for ei, _ in ranked[1:]:
            superseded.append(ei)
            findings.append(
                (
                    ei,
                    _f(
                        "endstats-split-write",
                        Severity.INFO,
                        f"another endstats file of {round_source(rounds[si])} "
                        f"({_source(endstats[best_ei])}) has more content; "
                        "this one is superseded",
                        endstats[ei],
                    ),
                )
            )
    links.sort(key=lambda link: link.endstats_index)
    return EndstatsLinking(
        links=tuple(links),
        unlinked=tuple(endstats[i] for i in sorted(unlinked)),
        superseded=tuple(endstats[i] for i in sorted(superseded)),
        indexed_findings=tuple(sorted(findings, key=lambda f: f[0])),
    )


def _f(code: str, severity: Severity, message: str, es: EndstatsRound) -> Finding:
    return Finding(code=code, severity=severity, message=message, source=_source(es))
