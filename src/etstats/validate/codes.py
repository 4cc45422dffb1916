"""Registry of the stats-file finding codes: one stable kebab-case code, one severity each.

Every :class:`~etstats.model.common.Finding` the stats parser or validator produces uses a code
from :data:`STATS_CODES`; docs/formats/stats.md lists the same codes (a test keeps both in sync).
"""

from __future__ import annotations

from attrs import frozen

from etstats.model.common import Finding, Severity, build_finding

E = Severity.ERROR
W = Severity.WARNING
I = Severity.INFO  # noqa: E741 - the three severities read best as E/W/I


@frozen
class CodeInfo:
    """A finding code's fixed severity and one-line meaning."""

    severity: Severity
    meaning: str


STATS_CODES: dict[str, CodeInfo] = {
    # --- produced while reading the text (tokenizer) ---------------------------------------
    "byte-order-mark": CodeInfo(I, "the file starts with a UTF-8 byte-order mark (removed)"),
    "latin1-line": CodeInfo(I, "a line is not valid UTF-8 and was decoded as Latin-1"),
    "missing-final-newline": CodeInfo(I, "the last line has no newline"),
    "truncated-file": CodeInfo(
        E, "the file ends inside a line: cut while being written or copied (never stored)"
    ),
    "blank-line": CodeInfo(I, "an empty line after the header (skipped)"),
    "invalid-number": CodeInfo(
        E, "a numeric field is not an integer/decimal the script could write (value set to 0)"
    ),
    "non-canonical-number": CodeInfo(
        I, "a number is readable but not written as the script writes it (e.g. leading zero)"
    ),
    "invalid-clock": CodeInfo(E, "f7 or f8 is not a strict M:SS clock (value unknown)"),
    "invalid-playtime": CodeInfo(E, "f9 is not an integer (playtime unknown)"),
    "malformed-player-line": CodeInfo(
        E, "a player line has fewer than 5 backslash-separated parts (line skipped)"
    ),
    "name-contains-backslash": CodeInfo(
        W, "a player line has more than 5 backslash parts; the extra parts were kept in the name"
    ),
    "weapon-block-spacing": CodeInfo(
        I, "the weapon block does not end with exactly one space or has repeated spaces"
    ),
    "weapon-mask-mismatch": CodeInfo(
        E, "the weapon block's token count is not 1 + 5 x popcount(mask) (complete tuples kept)"
    ),
    "weapon-mask-out-of-range": CodeInfo(
        E, "the weapon mask is negative or has bits >= 28 (unknown weapons dropped)"
    ),
    "no-tab-section": CodeInfo(W, "a player line has no TAB section (tab is None)"),
    "tab-layout-unknown": CodeInfo(
        E, "the TAB section has a field count other than 33, 36, 37 or 38 (tab is None)"
    ),
    # --- header checks (validator) -----------------------------------------------------------
    "header-only": CodeInfo(I, "the file has no player lines (legitimate: nobody fired)"),
    "round-number-invalid": CodeInfo(E, "f4 is not 1 or 2"),
    "round-mismatch": CodeInfo(W, "f4 differs from the file name's round (the name wins)"),
    "map-mismatch": CodeInfo(W, "f2 differs from the file name's map"),
    "defender-out-of-range": CodeInfo(E, "f5 (defender) is not 1 or 2"),
    "winner-out-of-range": CodeInfo(E, "f6 (winner) is not 0, 1 or 2"),
    "r1-outcome-inconsistent": CodeInfo(
        W, "round 1: f8 contradicts f5/f6 (attackers won needs f8 < f7, a hold needs f8 = f7)"
    ),
    "r2-clock-unusable": CodeInfo(
        W, "round 2: f8 is 0:00 or greater than f7 (reset clock or the fallback bug)"
    ),
    "playtime-negative": CodeInfo(W, "f9 is negative (file written on the shutdown path)"),
    "playtime-zero": CodeInfo(W, "f9 is 0 (playtime unknown)"),
    "playtime-maybe-seconds": CodeInfo(
        I, "f9 is 1..10,000: legacy readers take such a value as seconds, not milliseconds"
    ),
    # --- player checks (validator) -----------------------------------------------------------
    "guid-missing": CodeInfo(W, "a player has an empty GUID"),
    "guid-malformed": CodeInfo(W, "a GUID is not 8 uppercase hex digits (nor OMNIBOT-prefixed)"),
    "guid-duplicate": CodeInfo(W, "two player lines share one (non-bot) GUID"),
    "team-invalid": CodeInfo(E, "team is not 1 (Axis), 2 (Allies) or 3 (spectator)"),
    "no-weapons": CodeInfo(I, "a player line has weapon mask 0 (the script normally omits it)"),
    "negative-value": CodeInfo(E, "a count (weapon tuple, rounds, TAB integer) is negative"),
    "headshots-exceed-hits": CodeInfo(E, "a weapon has more headshot hits than hits"),
    "hits-exceed-shots": CodeInfo(W, "a non-splash weapon has more hits than shots"),
    "bullets-mismatch": CodeInfo(W, "38-field line: bullets_fired differs from the sum of shots"),
    "bullets-unreliable": CodeInfo(
        I, "33/36/37-field file: bullets_fired is inflated by the script (use the sum of shots)"
    ),
    "dpm-always-zero": CodeInfo(I, "TAB[21] dpm is 0.0 for every player (script bug; recompute)"),
    "denied-time-unreliable": CodeInfo(
        W, "36-field file: TAB[28] denied_playtime values of this variant are implausible"
    ),
    "dead-time-exceeds-played": CodeInfo(
        W, "time_dead_minutes > time_played_minutes (dead-time overcount of c0rnp0rn3/7)"
    ),
    "dead-ratio-over-100": CodeInfo(W, "time_dead_ratio > 100 % (dead-time overcount)"),
    "time-played-percent-out-of-range": CodeInfo(W, "time_played_percent is not in 0..100"),
    "time-played-exceeds-round": CodeInfo(
        W, "time_played_minutes exceeds the round's clock (R2: R1 + R2 clocks) by > 60 s"
    ),
    "headshot-kills-exceed-kills": CodeInfo(W, "headshot_kills is greater than the weapon kills"),
    "kd-ratio-inconsistent": CodeInfo(
        I, "kd_ratio differs from round1(kills/deaths) (kills + 1 without deaths) by > 0.05"
    ),
}
"""Every stats finding code with its severity and meaning."""


def make_finding(
    code: str,
    message: str,
    *,
    source: str = "",
    line: int | None = None,
    field: str | None = None,
    expected: str | None = None,
    actual: str | None = None,
    player_guid: str | None = None,
) -> Finding:
    """A :class:`Finding` for a registered ``code`` (its severity comes from the registry)."""
    return build_finding(
        code,
        STATS_CODES[code].severity,
        message,
        source,
        line,
        field,
        expected,
        actual,
        player_guid,
    )


__all__ = ["STATS_CODES", "CodeInfo", "make_finding"]
