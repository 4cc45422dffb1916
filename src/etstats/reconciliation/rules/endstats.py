"""Endstats vs stats file: award values against the named player's line, VS_HEADER roster.

Award winners are given by name only (colour codes stripped by the script), so names are the
key here; an award whose name matches no line, or several, is not compared.

* ``award-denied``: "Most playtime denied" (seconds) vs that player's TAB[28] (both per round);
* ``award-revives``: "Most revives" vs that player's TAB[37] revives given (both per round);
* ``endstats-roster``: every ``VS_HEADER`` GUID has a stats line (by 8-character prefix).
"""

from __future__ import annotations

from etstats.model.common import strip_colours
from etstats.model.endstats import AwardUnit, EndstatsRound
from etstats.reconciliation.model import Comparison, SourceValue
from etstats.reconciliation.readings import StatsPlayerReading, StatsReading
from etstats.reconciliation.rules.judge import judge

_AWARDS = (
    ("award-denied", "Most playtime denied", AwardUnit.SECONDS, "denied_s", "TAB[28]"),
    ("award-revives", "Most revives", AwardUnit.NUMBER, "revives_given", "TAB[37]"),
)


def _norm(name: str) -> str:
    return strip_colours(name).strip().lower()


def endstats_checks(
    sr: StatsReading, es: EndstatsRound, es_name: str, revives_given: dict[str, int | None]
) -> list[Comparison]:
    """Comparisons for one linked endstats file. ``revives_given``: key -> TAB[37]."""
    out: list[Comparison] = []
    by_name: dict[str, list[StatsPlayerReading]] = {}
    for p in sr.players:
        by_name.setdefault(_norm(p.name), []).append(p)
    for check, award_name, unit, attr, field in _AWARDS:
        award = es.award(award_name)
        if award is None:
            continue
        value = award.value_in(unit) if unit is not AwardUnit.NUMBER else award.value
        players = by_name.get(_norm(award.player_name), [])
        if value is None or len(players) != 1:
            continue
        p = players[0]
        stat = p.denied_s if attr == "denied_s" else revives_given.get(p.key)
        if stat is None:
            continue
        out.append(
            judge(
                check,
                f"endstats {award_name!r} = the winner's {field}",
                (
                    SourceValue(
                        f"stats:{field}",
                        float(stat),
                        "s" if unit is AwardUnit.SECONDS else "count",
                        artifact=sr.name,
                    ),
                    SourceValue(
                        f"endstats:{award_name}",
                        float(value),
                        "s" if unit is AwardUnit.SECONDS else "count",
                        raw=award.value_text,
                        artifact=es_name,
                    ),
                ),
                float(stat) - float(value),
                0.0,
                unit="s" if unit is AwardUnit.SECONDS else "count",
                player=p.key,
                player_name=p.name,
            )
        )
    keys = {p.key for p in sr.players}
    for h in es.vs_headers:
        key = h.subject_guid[:8].upper()
        if key in keys:
            continue
        out.append(
            judge(
                "endstats-roster",
                "every VS_HEADER player has a stats-file line",
                (
                    SourceValue("stats:line", 0, "presence", artifact=sr.name),
                    SourceValue("endstats:VS_HEADER", 1, "presence", artifact=es_name),
                ),
                1.0,
                0.0,
                unit="presence",
                player=key,
                player_name=h.subject_name,
            )
        )
    return out


__all__ = ["endstats_checks"]
