"""The reconciliation pipeline: link artifacts into rounds, match players, run every rule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from etstats.model.common import Finding, Severity
from etstats.model.endstats import EndstatsRound
from etstats.model.gametimes import Gametimes
from etstats.model.legacy_gametimes import LegacyGametimes
from etstats.model.stats import StatsRound
from etstats.reconcile.loader import LoadedArtifact
from etstats.reconcile.matching import RoundKey, link_lua, local_epoch
from etstats.reconcile.model import (
    Ambiguity,
    ArtifactRef,
    Comparison,
    ReconcileReport,
    Reconciliation,
)
from etstats.reconcile.players import match_players
from etstats.reconcile.readings import (
    LuaReading,
    StatsReading,
    enemy_intervals_by_killer,
    legacy_reading,
    stats_reading,
    v1_reading,
)
from etstats.reconcile.rules import internal, player
from etstats.reconcile.rules import round as round_rules
from etstats.reconcile.tolerance import FILE_LAG_S


def _as_artifact(item: Any) -> LoadedArtifact:
    if isinstance(item, LoadedArtifact):
        return item
    prov = getattr(item, "provenance", None)
    name = prov.name if prov is not None else "<memory>"
    if isinstance(item, StatsRound):
        return LoadedArtifact("stats", name, item)
    if isinstance(item, EndstatsRound):
        return LoadedArtifact("endstats", name, item)
    if isinstance(item, Gametimes):
        return LoadedArtifact("gametimes", f"etstats-{item.map}-R{item.round}-"
                              f"{item.round_start_unix}-{item.server.port}.json", item)
    if isinstance(item, LegacyGametimes):
        return LoadedArtifact("gametimes-legacy", name if prov is not None else
                              f"gametime-{item.meta.map}-R{item.meta.round}-"
                              f"{item.meta.round_end_unix}.json", item)
    raise TypeError(f"cannot reconcile a {type(item).__name__}")


def _orphan_reading(sr: StatsReading) -> StatsReading:
    """An orphan round 2 holds cumulative engine values: keep only per-round ones."""
    players = tuple(attrs.evolve(p, played_s=None, alive_percent=None, raw_alive_percent=None,
                                 self_kills=None, raw_played_s=None) for p in sr.players)
    return attrs.evolve(sr, players=players)


def _stats_readings(stats: list[LoadedArtifact], window_minutes: float
                    ) -> tuple[list[StatsReading], list[Finding]]:
    from etstats.differential import pair_rounds, round2_differential

    rounds: list[StatsRound] = [a.obj for a in stats]
    pairing = pair_rounds(rounds, window_minutes=window_minutes)
    readings: list[StatsReading | None] = [None] * len(rounds)
    findings: list[Finding] = [f for _, f in pairing.indexed_findings]
    for pair in pairing.pairs:
        diff = round2_differential(pair.r1, pair.r2)
        findings.extend(f for f in diff.findings if f.code == "counter-reset")
        readings[pair.r2_index] = stats_reading(
            diff, name=stats[pair.r2_index].name, raw=pair.r2, r1=pair.r1,
            r1_name=stats[pair.r1_index].name)
    orphans = set(pairing.orphan_indexes)
    for i, rnd in enumerate(rounds):
        if readings[i] is None:
            sr = stats_reading(rnd, name=stats[i].name)
            readings[i] = _orphan_reading(sr) if i in orphans or (
                rnd.round_number == 2) else sr
    return [r for r in readings if r is not None], findings


def _endstats_links(stats: list[LoadedArtifact], endstats: list[LoadedArtifact]
                    ) -> tuple[dict[int, int], list[Finding], set[int]]:
    if not endstats or not stats:
        return {}, [], set()
    from etstats.parsing.endstats.linking import link_endstats

    linking = link_endstats([e.obj for e in endstats], [s.obj for s in stats])
    out = {link.stats_index: link.endstats_index for link in linking.links}
    superseded = {i for i, e in enumerate(endstats) if any(e.obj is x for x in linking.superseded)}
    return out, list(linking.findings), superseded


def _lua_reading(a: LoadedArtifact) -> LuaReading:
    if a.kind == "gametimes":
        return v1_reading(a.obj, name=a.name)
    return legacy_reading(a.obj, name=a.name)


def _team_kills_by_team(sr: StatsReading) -> dict[int, int]:
    out: dict[int, int] = {}
    for p in sr.players:
        out[p.team] = out.get(p.team, 0) + (p.team_kills or 0)
    return out


def _tk_bound(tk: dict[int, int], team: int) -> int:
    """Team kills that may have hit a player of ``team``: his team's, plus those of players
    whose line says spectator (their team at the kill is unknown)."""
    if team in (1, 2):
        return tk.get(team, 0) + tk.get(3, 0)
    return sum(tk.values())


def _compare_round(sr: StatsReading, lua: LuaReading | None, es: EndstatsRound | None,
                   limbo_s: float | None) -> tuple[list[Comparison], Any]:
    comps: list[Comparison] = []
    c = round_rules.stats_clock(sr)
    if c is not None:
        comps.append(c)
    endstats_guids = [(h.subject_guid, h.subject_name) for h in es.vs_headers] if es else []
    kills = sum(p.kills for p in sr.players)
    balanced = kills == sum(p.weapon_deaths for p in sr.players)
    match = match_players(sr.players, lua, endstats_guids, stats_name=sr.name,
                          lua_name=lua.name if lua else "", weapon_balance=balanced)
    tk = _team_kills_by_team(sr)
    for sp in sr.players:
        if sp.bot:
            continue
        ctx = internal.RoundContext(
            limbo_s=(lua.limbo_for(sp.team) if lua is not None else None) or limbo_s,
            pause_s=lua.pause_s if lua is not None else None,
            team_kills=_tk_bound(tk, sp.team))
        comps.extend(internal.player_internal(sp, sr, ctx))
    if lua is not None:
        comps.extend(round_rules.duration(sr, lua))
        comps.extend(round_rules.outcome(sr, lua))
        pc = round_rules.pauses(lua)
        if pc is not None:
            comps.append(pc)
        victims = enemy_intervals_by_killer(lua)
        for sp, lp in match.pairs:
            vs = [(d.dead_s, d.paused_s, d.closed_by) for d in victims.get(lp.guid or "", [])]
            for cmp in (player.dead_time(sp, sr, lp, lua),
                        player.denied_time(sp, sr, lp, lua, vs),
                        player.time_played(sp, sr, lp, lua),
                        player.deaths(sp, sr, lp, lua, _tk_bound(tk, sp.team)),
                        player.revives(sp, sr, lp, lua),
                        player.lua_dead_le_played(lp, lua)):
                if cmp is not None:
                    comps.append(cmp)
        comps.extend(match.roster)
    elif match.roster:
        comps.extend(match.roster)
    return comps, match


def _lua_only(lua: LuaReading) -> Reconciliation:
    comps: list[Comparison] = []
    pc = round_rules.pauses(lua)
    if pc is not None:
        comps.append(pc)
    for lp in lua.players:
        c = player.lua_dead_le_played(lp, lua)
        if c is not None:
            comps.append(c)
    return Reconciliation(map=lua.map, round=lua.round, lua=lua.name, lua_kind=lua.kind,
                          lua_end_unix=lua.end_unix, comparisons=tuple(comps))


def reconcile(
    artifacts: Iterable[Any],
    *,
    utc_offset_seconds: int | Sequence[int] | None = None,
    limbo_s: float | None = None,
    window_minutes: float = 45.0,
    lag_s: float = FILE_LAG_S,
) -> ReconcileReport:
    """Reconcile a mix of stats rounds, endstats rounds and gametimes (legacy or v1).

    :param artifacts: :class:`LoadedArtifact` values or parsed models.
    :param utc_offset_seconds: the server's UTC offset(s) in seconds east of UTC; inferred
        from the data when ``None``.
    :param limbo_s: respawn wave period (seconds) to assume when no Lua source states it.
    :param window_minutes: R1/R2 pairing window (minutes).
    :param lag_s: expected delay (seconds) between the Lua round end and the stats file name.
    """
    items = [_as_artifact(a) for a in artifacts]
    stats = [a for a in items if a.kind == "stats"]
    endstats = [a for a in items if a.kind == "endstats"]
    luas = [a for a in items if a.kind in ("gametimes", "gametimes-legacy")]
    readings, findings = _stats_readings(stats, window_minutes) if stats else ([], [])
    es_links, es_findings, superseded = _endstats_links(stats, endstats)
    findings.extend(es_findings)
    lua_readings = [_lua_reading(a) for a in luas]
    s_keys = [RoundKey(r.map, r.round, local_epoch(r.time) if r.time else float("nan"))
              for r in readings]
    l_keys = [RoundKey(lr.map, lr.round, float(lr.end_unix)) for lr in lua_readings]
    offsets = None
    if utc_offset_seconds is not None:
        offsets = ([utc_offset_seconds] if isinstance(utc_offset_seconds, int)
                   else list(utc_offset_seconds))
    linking = link_lua(s_keys, l_keys, offsets=offsets, lag_s=lag_s)
    ambiguities = [
        Ambiguity(readings[si].name, tuple(lua_readings[li].name for li in lis),
                  "several Lua rounds fit this stats round")
        for si, lis in linking.ambiguous_stats.items()
    ] + [
        Ambiguity(lua_readings[li].name, tuple(readings[si].name for si in sis),
                  "several stats rounds fit this Lua round")
        for li, sis in linking.ambiguous_lua.items()
    ]
    rounds: list[Reconciliation] = []
    used_lua: set[int] = set()
    used_es: set[int] = set()
    for si, sr in enumerate(readings):
        li_lag = linking.links.get(si)
        lua = lua_readings[li_lag[0]] if li_lag else None
        if li_lag:
            used_lua.add(li_lag[0])
        ei = es_links.get(si)
        es = endstats[ei].obj if ei is not None else None
        if ei is not None:
            used_es.add(ei)
        limbo = limbo_s
        comps, match = _compare_round(sr, lua, es, limbo)
        rounds.append(Reconciliation(
            map=sr.map, round=sr.round, stats=sr.name, stats_r1=sr.r1_name,
            endstats=endstats[ei].name if ei is not None else None,
            lua=lua.name if lua else None, lua_kind=lua.kind if lua else None,
            stats_time=sr.time.isoformat() if sr.time else None,
            lua_end_unix=lua.end_unix if lua else None,
            link_lag_seconds=li_lag[1] if li_lag else None,
            players=match.links, comparisons=tuple(comps), findings=match.findings))
    unmatched: list[ArtifactRef] = []
    amb_lua = set(linking.ambiguous_lua) | {li for lis in linking.ambiguous_stats.values()
                                            for li in lis}
    for li, lr in enumerate(lua_readings):
        if li in used_lua:
            continue
        rounds.append(_lua_only(lr))
        unmatched.append(ArtifactRef(
            kind=lr.kind, name=lr.name, map=lr.map, round=lr.round, time=str(lr.end_unix),
            reason="ambiguous" if li in amb_lua else (
                "no stats round within the link window" if stats else "no stats files given")))
    if luas:
        for si, sr in enumerate(readings):
            if si not in linking.links:
                unmatched.append(ArtifactRef(
                    kind="stats", name=sr.name, map=sr.map, round=sr.round,
                    time=sr.time.isoformat() if sr.time else None,
                    reason="ambiguous" if si in linking.ambiguous_stats else
                    "no Lua round within the link window"))
    for ei, e in enumerate(endstats):
        if ei not in used_es:
            unmatched.append(ArtifactRef(
                kind="endstats", name=e.name, map=e.obj.map_name, round=e.obj.round_number,
                reason="superseded split write" if ei in superseded else
                "no stats round within 30 s"))
    findings = [f for f in findings if f.severity is not Severity.INFO]
    return ReconcileReport(rounds=tuple(rounds), unmatched=tuple(unmatched),
                           ambiguities=tuple(ambiguities),
                           utc_offset_seconds=linking.offsets,
                           offset_source=linking.offset_source if luas else "none",
                           findings=tuple(findings))


__all__ = ["reconcile"]
