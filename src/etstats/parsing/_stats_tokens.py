"""Tokenizer of c0rnp0rn stats text: lines in, header/players and reading findings out.

Private: use :mod:`etstats.parsing.stats_file`. This module knows only the text layout; the
semantic checks (headshots <= hits, clocks vs outcome, ...) live in :mod:`etstats.validate`.
Every quirk becomes a :class:`Finding`; only structural impossibilities (no usable header)
raise :class:`ParseError`.
"""

from __future__ import annotations

import re

from etstats.errors import ParseError
from etstats.model.common import Finding
from etstats.model.stats import (
    FLOAT_TAB_FIELDS,
    TAB_BUILDERS,
    TAB_LAYOUTS,
    WEAPON_COUNT,
    WEAPON_NAMES,
    PlayerStats,
    StatsHeader,
    TabStats,
    WeaponStats,
    build_player_stats,
    build_stats_header,
)
from etstats.validate.codes import make_finding

_CANON_INT = re.compile(r"0|-?[1-9][0-9]{0,17}")
_LOOSE_INT = re.compile(r"[-+]?[0-9]{1,18}")
_CANON_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})\.[0-9]")
_LOOSE_FLOAT = re.compile(r"[-+]?(?:[0-9]{1,18}(?:\.[0-9]{0,12})?|\.[0-9]{1,12})")
_CLOCK = re.compile(r"(0|[1-9][0-9]{0,8}):([0-5][0-9])")
_TAB_FLOAT_POS: dict[int, tuple[bool, ...]] = {
    n: tuple(name in FLOAT_TAB_FIELDS for name in names) for n, names in TAB_LAYOUTS.items()
}
_INTS: dict[str, int] = {str(i): i for i in range(10_000)}
"""Canonical text -> value of the integers 0..9999: one dict lookup both converts a token and
proves it canonical (a miss falls back to the regexes). 98 % of real numbers are below 10,000."""
_FLOATS: dict[str, float] = {f"{i // 10}.{i % 10}": i / 10 for i in range(10_000)}
"""The same for the one-decimal floats 0.0..999.9 (every real TAB float). ``i / 10`` is the
float ``float("<i // 10>.<i % 10>")`` gives (both correctly rounded), and is cheaper to make."""
_POS_INT = re.compile(r"[1-9][0-9]{0,17}")
"""A positive integer as the script writes it (the whole-line reader's masks and big numbers)."""
_CLOCKS: dict[str, int] = {f"{m}:{s:02d}": m * 60 + s for m in range(60) for s in range(60)}
"""Canonical ``M:SS`` text -> seconds for 0:00..59:59 (every real clock), one lookup instead
of the ``_CLOCK`` regex; other texts go to the regex."""
_TUPLE_FIELDS = ("hits", "shots", "kills", "deaths", "headshots")
_WEAPON_FIELD_NAMES = tuple(tuple(f"{w}.{f}" for f in _TUPLE_FIELDS) for w in WEAPON_NAMES)
"""Per WS index, the finding field names of its five numbers (``WS_MP40.hits``, ...)."""
MAX_MASK = (1 << WEAPON_COUNT) - 1
"""Largest valid weapon mask (bits 0..27)."""


class Tokenizer:
    """Reads header and player lines of one file, collecting findings in :attr:`findings`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.findings: list[Finding] = []

    # --- helpers ------------------------------------------------------------------------
    def _find(
        self,
        code: str,
        message: str,
        line: int | None,
        field: str | None = None,
        expected: str | None = None,
        actual: str | None = None,
        guid: str | None = None,
    ) -> None:
        self.findings.append(
            make_finding(
                code,
                message,
                source=self.source,
                line=line,
                field=field,
                expected=expected,
                actual=actual,
                player_guid=guid,
            )
        )

    def integer(self, text: str, line: int, field: str, guid: str | None = None) -> int:
        """An integer field; 0 (and an ``invalid-number`` finding) when unreadable."""
        value = _INTS.get(text)  # canonical 0..9999: no regex needed
        if value is not None:
            return value
        if _CANON_INT.fullmatch(text):
            return int(text)
        if _LOOSE_INT.fullmatch(text):
            self._find(
                "non-canonical-number",
                f"{field} {text!r} is not written as the script does",
                line,
                field,
                "an integer without sign or leading zeros",
                text,
                guid,
            )
            return int(text)
        self._find(
            "invalid-number",
            f"{field} is not an integer; 0 used",
            line,
            field,
            "an integer of at most 18 digits",
            text,
            guid,
        )
        return 0

    def decimal(self, text: str, line: int, field: str, guid: str | None = None) -> float:
        """A one-decimal float field; 0.0 (and an ``invalid-number`` finding) when unreadable."""
        number = _FLOATS.get(text)  # canonical 0.0..999.9: no regex needed
        if number is not None:
            return number
        if _CANON_FLOAT.fullmatch(text):
            return float(text)
        if _LOOSE_FLOAT.fullmatch(text):
            self._find(
                "non-canonical-number",
                f"{field} {text!r} is not written with one decimal",
                line,
                field,
                "a number with exactly one decimal",
                text,
                guid,
            )
            return float(text)
        self._find(
            "invalid-number",
            f"{field} is not a decimal number; 0.0 used",
            line,
            field,
            "a number with one decimal",
            text,
            guid,
        )
        return 0.0

    def clock(self, text: str, field: str) -> int | None:
        """An ``M:SS`` clock in seconds, or ``None`` (with an ``invalid-clock`` finding)."""
        seconds = _CLOCKS.get(text)
        if seconds is not None:
            return seconds
        match = _CLOCK.fullmatch(text)
        if match is None:
            self._find(
                "invalid-clock",
                f"{field} is not an M:SS clock; value unknown",
                1,
                field,
                "M:SS (minutes unpadded, seconds 00-59)",
                text,
            )
            return None
        return int(match[1]) * 60 + int(match[2])

    def blank_line(self, line: int) -> None:
        """Record an empty player line (skipped)."""
        self._find("blank-line", "empty line skipped", line)

    # --- header -------------------------------------------------------------------------
    def header(self, text: str) -> StatsHeader:
        """Line 1. Raises :class:`ParseError` unless it has 8 or 9 backslash fields."""
        fields = text.split("\\")
        count = len(fields)
        if count < 8 or count > 9:
            if not text:
                reason = "no header line (the first line is empty)"
            elif count == 5 and "\t" in text:
                reason = "no header line (the first line looks like a player line)"
            else:
                reason = "header has too few fields" if count < 8 else "header has too many fields"
            raise ParseError(
                reason,
                source=self.source,
                line=1,
                column=1,
                field="header",
                expected="8 or 9 backslash-separated fields",
                actual=f"{count} field(s): {text}",
            )
        playtime: int | None = None
        if count == 9:
            f9 = fields[8]
            if _CANON_INT.fullmatch(f9) or _LOOSE_INT.fullmatch(f9):
                playtime = self.integer(f9, 1, "f9")
            else:
                self._find(
                    "invalid-playtime",
                    "f9 is not an integer; playtime unknown",
                    1,
                    "f9",
                    "an integer number of milliseconds",
                    f9,
                )
        round_number = _INTS.get(fields[3])  # as integer() does, without the call (per file)
        if round_number is None:
            round_number = self.integer(fields[3], 1, "f4")
        defender = _INTS.get(fields[4])
        if defender is None:
            defender = self.integer(fields[4], 1, "f5")
        winner = _INTS.get(fields[5])
        if winner is None:
            winner = self.integer(fields[5], 1, "f6")
        limit = self.clock(fields[6], "f7")
        clock = self.clock(fields[7], "f8")
        return build_stats_header(
            fields[0],
            fields[1],
            fields[2],
            round_number,
            defender,
            winner,
            limit,
            clock,
            playtime,
            count,
        )

    # --- player lines -------------------------------------------------------------------
    def player(self, text: str, line: int) -> PlayerStats | None:
        """One player line (``None`` and a finding when it cannot be split into 5 parts)."""
        pre, tab_sep, tab_text = text.partition("\t")
        parts = pre.split("\\")
        if len(parts) < 5:
            self._find(
                "malformed-player-line",
                "player line has too few backslash parts; skipped",
                line,
                None,
                "GUID\\name\\rounds\\team\\weapons",
                f"{len(parts)} part(s)",
            )
            return None
        guid = parts[0]
        if len(parts) > 5:
            name = "\\".join(parts[1:-3])
            self._find(
                "name-contains-backslash",
                "extra backslash parts were kept in the name",
                line,
                "name",
                "5 parts",
                f"{len(parts)} parts",
                guid,
            )
        else:
            name = parts[1]
        rounds = self.integer(parts[-3], line, "rounds", guid)
        team = self.integer(parts[-2], line, "team", guid)
        weapons = self.weapons(parts[-1], line, guid)
        tab: TabStats | None = None
        if tab_sep:
            tab = self.tab(tab_text, line, guid)
        else:
            self._find(
                "no-tab-section",
                "player line has no TAB section",
                line,
                "tab",
                "a TAB-separated section",
                "none",
                guid,
            )
        return build_player_stats(guid, name, rounds, team, weapons, tab, line)

    def weapons(self, block: str, line: int, guid: str) -> tuple[WeaponStats, ...]:
        """The weapon block ``mask h s k d hs ... `` (complete tuples only)."""
        tokens = [t for t in block.split(" ") if t]
        if block != " ".join(tokens) + " ":
            self._find(
                "weapon-block-spacing",
                "weapon block spacing differs from the script's",
                line,
                "weapons",
                "tokens separated by one space, one trailing space",
                block[-40:],
                guid,
            )
        if not tokens:
            self._find(
                "invalid-number",
                "weapon mask missing; no weapons read",
                line,
                "weapon_mask",
                "an integer",
                "",
                guid,
            )
            return ()
        if not (_CANON_INT.fullmatch(tokens[0]) or _LOOSE_INT.fullmatch(tokens[0])):
            self.integer(tokens[0], line, "weapon_mask", guid)  # records invalid-number
            return ()
        mask = self.integer(tokens[0], line, "weapon_mask", guid)
        if mask < 0 or mask > MAX_MASK:
            self._find(
                "weapon-mask-out-of-range",
                "weapon mask outside 0..2^28-1",
                line,
                "weapon_mask",
                f"0..{MAX_MASK}",
                tokens[0],
                guid,
            )
            if mask < 0:
                return ()
        indexes = [j for j in range(mask.bit_length()) if mask >> j & 1]
        rest = tokens[1:]
        if len(rest) != 5 * len(indexes):
            self._find(
                "weapon-mask-mismatch",
                "weapon tuples do not match the mask; complete tuples kept",
                line,
                "weapons",
                f"{5 * len(indexes)} numbers after the mask",
                f"{len(rest)} numbers",
                guid,
            )
        out = []
        for i, j in enumerate(indexes):
            chunk = rest[5 * i : 5 * i + 5]
            if len(chunk) < 5:
                break
            if j >= WEAPON_COUNT:
                continue
            values = [
                self.integer(t, line, fname, guid)
                for t, fname in zip(chunk, _WEAPON_FIELD_NAMES[j], strict=True)
            ]
            out.append(WeaponStats(j, *values))
        return tuple(out)

    def tab(self, text: str, line: int, guid: str) -> TabStats | None:
        """The TAB section; ``None`` (with ``tab-layout-unknown``) for an unknown count."""
        fields = text.split("\t")
        count = len(fields)
        names = TAB_LAYOUTS.get(count)
        if names is None:
            self._find(
                "tab-layout-unknown",
                f"TAB section has {count} fields; not read",
                line,
                "tab",
                "33, 36, 37 or 38 fields",
                f"{count} fields",
                guid,
            )
            return None
        values = [
            self.decimal(v, line, n, guid) if f else self.integer(v, line, n, guid)
            for v, f, n in zip(fields, _TAB_FLOAT_POS[count], names, strict=True)
        ]
        return TAB_BUILDERS[count](*values)  # every value converted and typed above
