"""Validation findings for legacy gametimes files and webhook bodies (never raised).

Every rule and code is documented in docs/formats/gametimes-legacy.md. Pure functions over the
models: they can be re-run on objects built by hand or read back from JSON.
"""

from __future__ import annotations

import re

from etstats.model.common import Finding, Severity
from etstats.model.legacy_gametimes import LegacyMeta, LegacySpawnStat, WebhookRound

CLOCK_MIXING_VERSIONS = ((1, 6, 0), (1, 6, 2))
"""Inclusive range of script versions whose spawn stats mix two clocks (spec section 3.11)."""

SPAWN_SLACK_SECONDS = 5
"""Tolerance (seconds) when comparing dead/respawn times with the round's length."""

KNOWN_END_REASONS = frozenset({"objective", "surrender", "time_expired"})

_UNSAFE_MAP_CHARS = re.compile(r"[^A-Za-z0-9_-]")


def _f(code: str, severity: Severity, message: str, source: str, **kw: str | None) -> Finding:
    return Finding(code=code, severity=severity, message=message, source=source, **kw)  # type: ignore[arg-type]


def safe_map_name(name: str) -> str:
    """The map name as the Lua script writes it into the file name."""
    return _UNSAFE_MAP_CHARS.sub("_", name)


def _round_findings(value: int | None, where: str, source: str) -> list[Finding]:
    if value == 0:
        return [
            _f(
                "legacy-round-zero",
                Severity.WARNING,
                f"{where} round is 0: the script could not tell R1 from R2 "
                "(slomix's bot maps 0 to 2)",
                source,
                field="round",
                actual="0",
            )
        ]
    if value is not None and value not in (1, 2):
        return [
            _f(
                "legacy-round-invalid",
                Severity.WARNING,
                f"{where} round is not 1 or 2",
                source,
                field="round",
                expected="1 or 2",
                actual=str(value),
            )
        ]
    return []


def check_payload(w: WebhookRound, source: str) -> list[Finding]:
    """Findings about a webhook body on its own."""
    out = _round_findings(w.round, "payload", source)
    if (
        w.warmup_start_unix is not None
        and w.round_start_unix is not None
        and (w.warmup_start_unix in (0, w.round_start_unix))
    ):
        out.append(
            _f(
                "legacy-warmup-meaningless",
                Severity.INFO,
                "Lua_WarmupStart is 0 or equals Lua_RoundStart: the script's Lua VM is "
                "reloaded when play starts, so warmup was not measured",
                source,
                field="Lua_WarmupStart",
                actual=str(w.warmup_start_unix),
            )
        )
    limit = None
    if w.timelimit_minutes is not None and w.timelimit_minutes > 0:
        limit = round(w.timelimit_minutes * 60)
    if limit is not None and w.playtime_seconds is not None:
        if w.playtime_seconds > limit:
            out.append(
                _f(
                    "legacy-duration-over-timelimit",
                    Severity.WARNING,
                    "play time exceeds the time limit (an unmeasured pause or a late "
                    "start; v1.6.2+ hides this with a cap)",
                    source,
                    field="Lua_Playtime",
                    expected=f"<= {limit}",
                    actual=str(w.playtime_seconds),
                )
            )
        elif w.playtime_seconds == limit and (w.warmup_seconds or 0) > 0:
            out.append(
                _f(
                    "legacy-duration-capped",
                    Severity.WARNING,
                    "play time equals the time limit and warmup is non-zero: the v1.6.2 "
                    "cap probably fired; the measured play time was about "
                    f"{limit + (w.warmup_seconds or 0)} s",
                    source,
                    field="Lua_Playtime",
                    actual=str(w.playtime_seconds),
                )
            )
    if None not in (w.round_start_unix, w.round_end_unix, w.playtime_seconds, w.pause_seconds):
        wall = (w.round_end_unix or 0) - (w.round_start_unix or 0)
        expected = max(0, wall - (w.pause_seconds or 0))
        if wall >= 0 and abs(expected - (w.playtime_seconds or 0)) > 1:
            out.append(
                _f(
                    "legacy-duration-inconsistent",
                    Severity.WARNING,
                    "Lua_Playtime is not Lua_RoundEnd - Lua_RoundStart - pauses",
                    source,
                    field="Lua_Playtime",
                    expected=str(expected),
                    actual=str(w.playtime_seconds),
                )
            )
    if w.pauses is not None and w.pause_count is not None and len(w.pauses) != w.pause_count:
        out.append(
            _f(
                "legacy-pause-mismatch",
                Severity.WARNING,
                "Lua_Pauses count differs from the events in Lua_Pauses_JSON",
                source,
                field="Lua_Pauses",
                expected=str(len(w.pauses)),
                actual=str(w.pause_count),
            )
        )
    elif w.pauses and w.pause_seconds is not None:
        total = sum(p.seconds for p in w.pauses)
        if abs(total - w.pause_seconds) > len(w.pauses):
            out.append(
                _f(
                    "legacy-pause-mismatch",
                    Severity.WARNING,
                    "Lua_Pauses seconds differ from the sum of Lua_Pauses_JSON",
                    source,
                    field="Lua_Pauses",
                    expected=f"{total:g}",
                    actual=str(w.pause_seconds),
                )
            )
    if w.end_reason is not None and w.end_reason not in KNOWN_END_REASONS:
        out.append(
            _f(
                "legacy-end-reason-unknown",
                Severity.INFO,
                "end reason is not objective, surrender or time_expired",
                source,
                field="Lua_EndReason",
                actual=w.end_reason[:80],
            )
        )
    return out


def check_meta(meta: LegacyMeta, source: str) -> list[Finding]:
    """Findings about ``meta`` on its own (spawn-stat plausibility is in :func:`check_spawns`)."""
    out = _round_findings(meta.round, "meta", source)
    if meta.round_end_unix < meta.round_start_unix:
        out.append(
            _f(
                "legacy-end-before-start",
                Severity.ERROR,
                "round_end_unix is before round_start_unix",
                source,
                field="round_end_unix",
                expected=f">= {meta.round_start_unix}",
                actual=str(meta.round_end_unix),
            )
        )
    elif meta.pause_seconds is not None:
        expected = max(0, meta.wall_seconds - meta.pause_seconds)
        if abs(expected - meta.actual_duration_seconds) > 1:
            out.append(
                _f(
                    "legacy-duration-inconsistent",
                    Severity.WARNING,
                    "actual_duration_seconds is not end - start - pauses",
                    source,
                    field="actual_duration_seconds",
                    expected=str(expected),
                    actual=str(meta.actual_duration_seconds),
                )
            )
    if meta.match_id is not None and meta.match_id != str(meta.round_end_unix):
        out.append(
            _f(
                "legacy-match-id-unexpected",
                Severity.INFO,
                "match_id is not round_end_unix as text",
                source,
                field="match_id",
                expected=str(meta.round_end_unix),
                actual=meta.match_id[:80],
            )
        )
    if meta.server_port not in (None, "") and meta.port is None:
        out.append(
            _f(
                "legacy-bad-port",
                Severity.INFO,
                "server_port is not a port number",
                source,
                field="server_port",
                actual=meta.server_port,
            )
        )
    seen: set[str] = set()
    for s in meta.spawn_stats:
        if s.guid in seen:
            out.append(
                _f(
                    "legacy-duplicate-guid",
                    Severity.WARNING,
                    "two spawn_stats entries share a GUID",
                    source,
                    field="guid",
                    player_guid=s.guid,
                )
            )
        seen.add(s.guid)
        expected_avg = s.dead_seconds // s.deaths if s.deaths > 0 else 0
        if s.avg_respawn != expected_avg:
            out.append(
                _f(
                    "legacy-avg-respawn-mismatch",
                    Severity.WARNING,
                    "avg_respawn is not floor(dead_seconds / deaths)",
                    source,
                    field="avg_respawn",
                    expected=str(expected_avg),
                    actual=str(s.avg_respawn),
                    player_guid=s.guid,
                )
            )
    return out


def _round_bound_seconds(meta: LegacyMeta) -> int:
    """Longest time anyone can have been dead this round, in seconds (see the docs)."""
    played = meta.actual_duration_seconds + (meta.pause_seconds or 0)
    return max(meta.wall_seconds, played) + max(meta.warmup_seconds or 0, 0)


def spawn_anomalies(s: LegacySpawnStat, meta: LegacyMeta) -> list[str]:
    """Reasons why a spawn stat is impossible under correct (single-clock) tracking."""
    bound = _round_bound_seconds(meta) + SPAWN_SLACK_SECONDS
    reasons = []
    if s.dead_seconds > bound:
        reasons.append(f"dead_seconds {s.dead_seconds} > round length {bound}")
    if s.max_respawn > bound:
        reasons.append(f"max_respawn {s.max_respawn} > round length {bound}")
    if s.max_respawn > s.dead_seconds:
        reasons.append(f"max_respawn {s.max_respawn} > dead_seconds {s.dead_seconds}")
    if s.deaths > 0 and s.spawns > s.deaths and s.dead_seconds >= s.deaths * (s.max_respawn + 1):
        # Respawned after every death, so no open tail: dead time is a sum of `deaths`
        # closed intervals, each < max_respawn + 1 seconds.
        reasons.append(
            f"dead_seconds {s.dead_seconds} >= deaths x (max_respawn + 1) = "
            f"{s.deaths * (s.max_respawn + 1)} although every death was followed "
            "by a spawn"
        )
    return reasons


def check_spawns(
    meta: LegacyMeta, version: tuple[int, int, int] | None, source: str
) -> list[Finding]:
    """The clock-mixing defect (by version, or from the data) and impossible spawn stats."""
    out = []
    low, high = CLOCK_MIXING_VERSIONS
    known_bad = version is not None and low <= version <= high
    for s in meta.spawn_stats:
        if known_bad:
            out.append(
                _f(
                    "legacy-clock-mixing",
                    Severity.WARNING,
                    f"spawn stats from Lua v{'.'.join(map(str, version or ()))} mix "
                    "process uptime (deaths) with level time (spawns): dead_seconds, "
                    "avg_respawn and max_respawn are unusable",
                    source,
                    field="dead_seconds",
                    player_guid=s.guid,
                )
            )
            continue
        reasons = spawn_anomalies(s, meta)
        if not reasons:
            continue
        if version is None:
            out.append(
                _f(
                    "legacy-clock-mixing",
                    Severity.WARNING,
                    "script version unknown and the spawn stat has the clock-mixing "
                    "signature of v1.6.0-1.6.2: " + "; ".join(reasons),
                    source,
                    field="dead_seconds",
                    player_guid=s.guid,
                )
            )
        else:
            out.append(
                _f(
                    "legacy-spawn-implausible",
                    Severity.WARNING,
                    "impossible spawn stat: " + "; ".join(reasons),
                    source,
                    field="dead_seconds",
                    player_guid=s.guid,
                )
            )
    return out


def check_cross(meta: LegacyMeta, w: WebhookRound, source: str) -> list[Finding]:
    """Disagreements between ``meta`` and the payload of the same file."""
    out = []
    pairs: tuple[tuple[str, object, object], ...] = (
        ("map", meta.map, w.map),
        ("round", meta.round, w.round),
        ("round_start_unix", meta.round_start_unix, w.round_start_unix),
        ("round_end_unix", meta.round_end_unix, w.round_end_unix),
        ("actual_duration_seconds", meta.actual_duration_seconds, w.playtime_seconds),
        ("pause_count", meta.pause_count, w.pause_count),
        ("pause_seconds", meta.pause_seconds, w.pause_seconds),
        ("warmup_seconds", meta.warmup_seconds, w.warmup_seconds),
    )
    for name, mine, theirs in pairs:
        if mine is not None and theirs is not None and mine != theirs:
            out.append(
                _f(
                    "legacy-meta-payload-mismatch",
                    Severity.WARNING,
                    f"meta.{name} disagrees with the payload",
                    source,
                    field=name,
                    expected=str(mine)[:80],
                    actual=str(theirs)[:80],
                )
            )
    summary = w.spawn_summary
    if summary is not None and (meta.spawn_stats or summary.players > 0):
        stats = meta.spawn_stats
        deaths = sum(s.deaths for s in stats)
        expected = (
            len(stats),
            sum(s.spawns for s in stats),
            sum(s.dead_seconds for s in stats) // deaths if deaths else 0,
            max((s.max_respawn for s in stats), default=0),
        )
        actual = (summary.players, summary.spawns, summary.avg_respawn, summary.max_respawn)
        if expected != actual:
            out.append(
                _f(
                    "legacy-spawn-summary-mismatch",
                    Severity.WARNING,
                    "Lua_SpawnSummary does not match meta.spawn_stats (players, spawns, avg, max)",
                    source,
                    field="Lua_SpawnSummary",
                    expected=str(expected),
                    actual=str(actual),
                )
            )
    return out


def check_filename(
    meta: LegacyMeta, file_map: str | None, file_round: int | None, file_ts: int | None, source: str
) -> list[Finding]:
    """Disagreements between the file name ``gametime-<map>-R<round>-<ts>.json`` and meta."""
    out = []
    checks: tuple[tuple[str, object, object], ...] = (
        ("map", safe_map_name(meta.map), file_map),
        ("round", meta.round, file_round),
        ("round_end_unix", meta.round_end_unix if meta.round_end_unix > 0 else None, file_ts),
    )
    for name, mine, theirs in checks:
        if mine is not None and theirs is not None and mine != theirs:
            out.append(
                _f(
                    "legacy-filename-mismatch",
                    Severity.WARNING,
                    f"the file name's {name} disagrees with meta",
                    source,
                    field=name,
                    expected=str(mine)[:80],
                    actual=str(theirs)[:80],
                )
            )
    return out


def all_findings(meta: LegacyMeta, w: WebhookRound | None, source: str) -> list[Finding]:
    """Every model-level finding of a legacy file (file-name checks excluded)."""
    out = check_meta(meta, source)
    out += check_spawns(meta, None if w is None else w.version, source)
    if w is not None:
        out += check_payload(w, source)
        out += check_cross(meta, w, source)
    return out
