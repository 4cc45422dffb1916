"""Endstats text → :class:`etstats.model.endstats.EndstatsRound` (spec section 9).

Each non-blank line has exactly three TAB-separated cells:

* ``VS_HEADER\\t<name>\\t<GUID>`` starts a versus block with a known subject;
* a line whose first cell is a known award name is an award;
* a line whose 2nd and 3rd cells are decimal integers is a versus row;
* any other three-cell line is an award with an unknown name (kept, ``unknown-award`` info).

Anything else (a line with another number of cells, an empty award name) is not an endstats
file: :class:`etstats.errors.ParseError` with the line number. Quirks of the writer become
findings: ``duplicate-award``, ``mislabelled-award``, ``awards-after-versus``,
``award-value-unparsed``, ``versus-subject-unknown``, ``versus-before-header``.
"""

from __future__ import annotations

import re
from collections import Counter

from etstats.errors import ParseError
from etstats.model.common import Finding, Severity
from etstats.model.endstats import (
    AWARD_ORDER,
    VS_HEADER,
    AwardUnit,
    AwardValue,
    EndstatsAward,
    EndstatsRound,
    SubjectSource,
    VersusHeader,
    VersusRow,
)
from etstats.parsing.endstats.versus import infer_blocks

_NUM = r"(-?\d+(?:\.\d+)?)"
_INT_CELL = re.compile(r"[0-9]{1,9}")
_VALUE_FORMS: tuple[tuple[re.Pattern[str], tuple[AwardUnit, ...]], ...] = (
    (re.compile(rf"{_NUM}"), (AwardUnit.NUMBER,)),
    (re.compile(rf"{_NUM} seconds"), (AwardUnit.SECONDS,)),
    (re.compile(rf"{_NUM} percent"), (AwardUnit.PERCENT,)),
    (re.compile(rf"{_NUM} percent, {_NUM} min"), (AwardUnit.PERCENT, AwardUnit.MINUTES)),
    (re.compile(rf"{_NUM} kills in {_NUM}s"), (AwardUnit.KILLS, AwardUnit.SECONDS)),
    (re.compile(rf"{_NUM} m"), (AwardUnit.METRES,)),
    (re.compile(rf"Damage received vs death ratio: {_NUM}x"), (AwardUnit.RATIO,)),
)

MISLABELLED = "Most objectives stolen"
"""Label under which the script writes the useless-kills count (spec 9.3)."""


def parse_award_value(text: str) -> tuple[AwardValue, ...]:
    """Numbers and units of an award value text; ``()`` when the text has no known form.

    ``"113 seconds"`` → (113 s); ``"50.47 percent"`` → (50.47 %); ``"3 kills in 2.15s"`` →
    (3 kills, 2.15 s); ``"1.23 m"`` → (1.23 m); ``"12.50 percent, 3.20 min"`` → (12.5 %,
    3.2 min); ``"Damage received vs death ratio: 3.41x"`` → (3.41 ratio); ``"3214"`` →
    (3214 number).
    """
    for pattern, units in _VALUE_FORMS:
        m = pattern.fullmatch(text)
        if m is not None:
            return tuple(AwardValue(float(g), u) for g, u in zip(m.groups(), units, strict=True))
    return ()


def decode_endstats(data: bytes) -> tuple[str, bool]:
    """Text of the file: UTF-8 when valid, else Latin-1 (every byte is a character).

    :returns: the text and whether Latin-1 was used.
    """
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("latin-1"), True


def _finding(
    code: str, severity: Severity, message: str, source: str, line: int | None = None
) -> Finding:
    return Finding(code=code, severity=severity, message=message, source=source, line=line)


def read_endstats(text: str, *, source: str) -> tuple[EndstatsRound, list[Finding]]:
    """Parse endstats text; returns the round (no provenance/findings) and the findings."""
    findings: list[Finding] = []
    awards: list[EndstatsAward] = []
    # (line, opponent, kills, deaths, header index or None)
    rows: list[tuple[int, str, int, int, int | None]] = []
    headers: list[VersusHeader] = []
    seen_versus = False
    nul = text.find("\x00")
    if nul >= 0:  # binary data; PostgreSQL text cannot even hold it
        raise ParseError(
            "NUL byte: binary data, not an endstats file",
            source=source,
            line=text.count("\n", 0, nul) + 1,
            column=nul - (text.rfind("\n", 0, nul) + 1) + 1,
            expected="text without NUL bytes",
            actual="U+0000",
        )
    lines = text.split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw[:-1] if raw.endswith("\r") else raw
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != 3:
            raise ParseError(
                "not an endstats line",
                source=source,
                line=number,
                expected="3 TAB-separated cells",
                actual=line,
            )
        first, second, third = cells
        if first == VS_HEADER:
            headers.append(VersusHeader(second, third, line=number))
            seen_versus = True
        elif (
            first not in AWARD_ORDER and _INT_CELL.fullmatch(second) and _INT_CELL.fullmatch(third)
        ):
            block = len(headers) - 1 if headers else None
            rows.append((number, first, int(second), int(third), block))
            seen_versus = True
        else:
            if not first.strip():
                raise ParseError(
                    "empty award name",
                    source=source,
                    line=number,
                    field="award",
                    expected="an award name",
                    actual=line,
                )
            award = EndstatsAward(first, second, third, parse_award_value(third), line=number)
            awards.append(award)
            if seen_versus:
                findings.append(
                    _finding(
                        "awards-after-versus",
                        Severity.WARNING,
                        f"award {first!r} follows versus rows (several writes appended to "
                        "one file?)",
                        source,
                        number,
                    )
                )
            if not award.known:
                findings.append(
                    _finding(
                        "unknown-award",
                        Severity.INFO,
                        f"unknown award name {first!r}; kept as written",
                        source,
                        number,
                    )
                )
            if not award.values:
                findings.append(
                    _finding(
                        "award-value-unparsed",
                        Severity.INFO,
                        f"value {third!r} of award {first!r} has no known form; text kept",
                        source,
                        number,
                    )
                )
    findings.extend(_award_quirks(awards, source))
    versus = _build_versus(rows, headers, source, findings)
    rnd = EndstatsRound(awards=tuple(awards), versus=tuple(versus), vs_headers=tuple(headers))
    return rnd, findings


def _award_quirks(awards: list[EndstatsAward], source: str) -> list[Finding]:
    out: list[Finding] = []
    counts = Counter(a.name for a in awards)
    seen: set[str] = set()
    for a in awards:
        if counts[a.name] > 1 and a.name in seen:
            same = (
                "same winner and value"
                if any(
                    b.name == a.name
                    and b.player_name == a.player_name
                    and b.value_text == a.value_text
                    for b in awards
                    if b is not a
                )
                else "different winner or value"
            )
            message = f"award {a.name!r} written again ({same})"
            if a.name == "Longest killing spree":
                message += "; the script's useful-kills slot re-emits it"
            out.append(_finding("duplicate-award", Severity.WARNING, message, source, a.line))
        seen.add(a.name)
    # The useless-kills count is written under "Most objectives stolen" after the later awards.
    highest = -1
    for a in awards:
        order = AWARD_ORDER.get(a.name)
        if order is None:
            continue
        if a.name == MISLABELLED and highest > AWARD_ORDER[MISLABELLED]:
            out.append(
                _finding(
                    "mislabelled-award",
                    Severity.WARNING,
                    f"{MISLABELLED!r} written out of order: it is the useless-kills count "
                    "(script bug), not objectives stolen",
                    source,
                    a.line,
                )
            )
        highest = max(highest, order)
    return out


def _build_versus(
    rows: list[tuple[int, str, int, int, int | None]],
    headers: list[VersusHeader],
    source: str,
    findings: list[Finding],
) -> list[VersusRow]:
    out: list[VersusRow] = []
    headerless = [r for r in rows if r[4] is None]
    if headers:
        if headerless:
            findings.append(
                _finding(
                    "versus-before-header",
                    Severity.WARNING,
                    f"{len(headerless)} versus rows precede the first VS_HEADER; subject unknown",
                    source,
                    headerless[0][0],
                )
            )
        for number, opp, kills, deaths, hidx in rows:
            if hidx is None:
                out.append(VersusRow(opp, kills, deaths, line=number))
            else:
                name, guid = headers[hidx].subject_name, headers[hidx].subject_guid
                out.append(
                    VersusRow(
                        opp,
                        kills,
                        deaths,
                        subject_name=name,
                        subject_guid=guid,
                        subject_source=SubjectSource.HEADER,
                        block=hidx,
                        line=number,
                    )
                )
        return out
    inferred = infer_blocks([(r[1], r[2], r[3]) for r in rows])
    if inferred is None:
        findings.append(
            _finding(
                "versus-subject-unknown",
                Severity.INFO,
                f"{len(rows)} versus rows without VS_HEADER: block subjects not uniquely "
                "deducible; left unknown",
                source,
                rows[0][0],
            )
        )
        return [VersusRow(r[1], r[2], r[3], line=r[0]) for r in rows]
    return [
        VersusRow(
            r[1],
            r[2],
            r[3],
            subject_name=subject,
            subject_source=SubjectSource.INFERRED,
            block=block,
            line=r[0],
        )
        for r, (block, subject) in zip(rows, inferred, strict=True)
    ]
