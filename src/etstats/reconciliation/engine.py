"""The reconciliation pipeline: link artifacts into rounds, match players, run every rule."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import attrs

from etstats.artifacts import LoadedArtifact, kind_of
from etstats.model.common import Finding, Severity
from etstats.model.endstats import EndstatsRound
from etstats.model.gametimes import Gametimes
from etstats.model.legacy_gametimes import LegacyGametimes
from etstats.model.stats import StatsRound
from etstats.reconciliation.adapters import (
    enemy_intervals_by_killer,
    legacy_reading,
    stats_reading,
    v1_reading,
)
from etstats.reconciliation.matching import RoundKey, link_lua, local_epoch
from etstats.reconciliation.model import (
    Ambiguity,
    ArtifactRef,
    Comparison,
    ReconcileReport,
    Reconciliation,
    build_lean_reconciliation,
    build_reconciliation,
    lean_reconciliation,
)
from etstats.reconciliation.players import match_players
from etstats.reconciliation.readings import LuaReading, StatsReading
from etstats.reconciliation.rules import internal, player
from etstats.reconciliation.rules import round as round_rules
from etstats.reconciliation.rules.endstats import endstats_checks
from etstats.reconciliation.rules.judge import counting_agree
from etstats.reconciliation.tolerance import FILE_LAG_S


def _as_artifact(item: Any) -> LoadedArtifact:
    if isinstance(item, LoadedArtifact):
        return item
    kind = kind_of(item).value
    prov = getattr(item, "provenance", None)
    name = prov.name if prov is not None else "<memory>"
    if isinstance(item, Gametimes):
        name = f"etstats-{item.map}-R{item.round}-{item.round_start_unix}-{item.server.port}.json"
    elif isinstance(item, LegacyGametimes) and prov is None:
        name = f"gametime-{item.meta.map}-R{item.meta.round}-{item.meta.round_end_unix}.json"
    elif kind == "unknown":
        raise TypeError(f"cannot reconcile a {type(item).__name__}")
    return LoadedArtifact(kind, name, item)


def _orphan_reading(sr: StatsReading) -> StatsReading:
    """An orphan round 2 holds cumulative engine values: keep only per-round ones."""
    players = tuple(
        attrs.evolve(
            p,
            played_s=None,
            alive_percent=None,
            raw_alive_percent=None,
            self_kills=None,
            raw_played_s=None,
        )
        for p in sr.players
    )
    return attrs.evolve(sr, players=players)


@attrs.frozen
class _StatsPlan:
    index: int
    r1_index: int | None
    orphan: bool


def _stats_plans(
    stats: list[LoadedArtifact], window_minutes: float, timezone: str | None = None
) -> tuple[list[_StatsPlan], list[Finding]]:
    from etstats.differential import pair_rounds, utc_file_times

    rounds: list[StatsRound] = [a.stats for a in stats]
    times = utc_file_times(rounds, timezone) if timezone is not None else None
    pairing = pair_rounds(rounds, window_minutes=window_minutes, timestamps=times)
    r1_of = {pair.r2_index: pair.r1_index for pair in pairing.pairs}
    orphans = set(pairing.orphan_indexes)
    plans = [
        _StatsPlan(i, r1_of.get(i), i not in r1_of and (i in orphans or rnd.round_number == 2))
        for i, rnd in enumerate(rounds)
    ]
    return plans, [f for _, f in pairing.indexed_findings]


def _stats_reading_for(
    plan: _StatsPlan, stats: list[LoadedArtifact], *, shared: bool = False
) -> tuple[StatsReading, list[Finding]]:
    """``shared``: look the round-2 differential up in :mod:`etstats.differential.memo` (the
    ingest path, which differenced the pair when it stored the round) instead of computing
    it (the public form: nothing kept after the call)."""
    from etstats.differential import round2_differential
    from etstats.differential.memo import shared_round2_differential

    art = stats[plan.index]
    if plan.r1_index is not None:
        r1 = stats[plan.r1_index]
        differential = shared_round2_differential if shared else round2_differential
        diff = differential(r1.stats, art.stats)
        found = [f for f in diff.findings if f.code == "counter-reset"]
        return stats_reading(
            diff, name=art.name, raw=art.stats, r1=r1.stats, r1_name=r1.name
        ), found
    sr = stats_reading(art.stats, name=art.name)
    return (_orphan_reading(sr) if plan.orphan else sr), []


def _endstats_links(
    stats: list[LoadedArtifact], endstats: list[LoadedArtifact]
) -> tuple[dict[int, int], list[Finding], set[int]]:
    if not endstats or not stats:
        return {}, [], set()
    from etstats.parsing.endstats.linking import link_endstats

    linking = link_endstats([e.endstats for e in endstats], [s.stats for s in stats])
    out = {link.stats_index: link.endstats_index for link in linking.links}
    superseded = {
        i for i, e in enumerate(endstats) if any(e.model is x for x in linking.superseded)
    }
    return out, list(linking.findings), superseded


def _lua_reading(a: LoadedArtifact) -> LuaReading:
    if a.kind == "gametimes":
        return v1_reading(a.gametimes, name=a.name)
    return legacy_reading(a.legacy_gametimes, name=a.name)


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


def _compare_round(
    sr: StatsReading,
    lua: LuaReading | None,
    es: EndstatsRound | None,
    limbo_s: float | None,
    es_name: str = "",
    revives_given: dict[str, int | None] | None = None,
) -> tuple[list[Comparison], Any]:
    revives_given = revives_given or {}
    comps: list[Comparison] = []
    c = round_rules.stats_clock(sr)
    if c is not None:
        comps.append(c)
    endstats_guids = [(h.subject_guid, h.subject_name) for h in es.vs_headers] if es else []
    kills = sum(p.kills for p in sr.players)
    balanced = kills == sum(p.weapon_deaths for p in sr.players)
    match = match_players(
        sr.players,
        lua,
        endstats_guids,
        stats_name=sr.name,
        lua_name=lua.name if lua else "",
        weapon_balance=balanced,
    )
    tk = _team_kills_by_team(sr)
    contexts: dict[int, internal.RoundContext] = {}  # one per team: it depends on the team only
    for sp in sr.players:
        if sp.bot:
            continue
        ctx = contexts.get(sp.team)
        if ctx is None:
            ctx = contexts[sp.team] = internal.RoundContext(
                limbo_s=(lua.limbo_for(sp.team) if lua is not None else None) or limbo_s,
                pause_s=lua.pause_s if lua is not None else None,
                team_kills=_tk_bound(tk, sp.team),
            )
        comps.extend(internal.player_internal(sp, sr, ctx))
    if es is not None:
        comps.extend(endstats_checks(sr, es, es_name, revives_given))
    if lua is not None:
        comps.extend(round_rules.duration(sr, lua))
        comps.extend(round_rules.outcome(sr, lua))
        pc = round_rules.pauses(lua)
        if pc is not None:
            comps.append(pc)
        victims = enemy_intervals_by_killer(lua)
        append = comps.append
        for sp, lp in match.pairs:
            vs = victims.get(lp.guid or "", ())  # records start (dead_s, paused_s, closed_by)
            ctx = contexts.get(sp.team)
            for cmp in (
                player.dead_time(sp, sr, lp, lua),
                player.denied_time(sp, sr, lp, lua, vs),
                player.time_played(sp, sr, lp, lua),
                player.deaths(
                    sp, sr, lp, lua, ctx.team_kills if ctx is not None else _tk_bound(tk, sp.team)
                ),
                player.revives(sp, sr, lp, lua),
                player.lua_dead_le_played(lp, lua),
            ):
                if cmp is not None:
                    append(cmp)
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
    return Reconciliation(
        map=lua.map,
        round=lua.round,
        lua=lua.name,
        lua_kind=lua.kind,
        lua_end_unix=lua.end_unix,
        comparisons=tuple(comps),
    )


_NOT_COUNTING: AbstractContextManager[dict[str, int]] = nullcontext({})
"""Stands for :func:`counting_agree` in the full form: nothing is counted (reusable: the
``{}`` it yields is never written)."""


def _lua_key(a: LoadedArtifact) -> RoundKey:
    if a.kind == "gametimes":
        g: Gametimes = a.gametimes
        return RoundKey(g.map, g.round, float(g.round_end_unix))
    m = a.legacy_gametimes.meta
    return RoundKey(m.map, m.round if m.round in (1, 2) else 2, float(m.round_end_unix))


def _stats_key(a: LoadedArtifact) -> RoundKey:
    from etstats.differential import round_map

    rnd: StatsRound = a.stats
    ts = rnd.provenance.file_timestamp if rnd.provenance is not None else None
    return RoundKey(
        round_map(rnd), rnd.round_number, local_epoch(ts) if ts is not None else float("nan")
    )


class ReconcilePlan:
    """Artifacts linked into rounds; comparisons are computed lazily by :meth:`iter_rounds`.

    Use it directly to reconcile a large collection in constant memory per round; everything
    except the rounds (unmatched artifacts, ambiguities, offsets, findings) is known up front.
    """

    def __init__(
        self,
        artifacts: Iterable[Any],
        *,
        utc_offset_seconds: int | Sequence[int] | None = None,
        limbo_s: float | None = None,
        window_minutes: float = 45.0,
        lag_s: float = FILE_LAG_S,
        timezone: str | None = None,
    ) -> None:
        items = [_as_artifact(a) for a in artifacts]
        self.stats = [a for a in items if a.kind == "stats"]
        self.endstats = [a for a in items if a.kind == "endstats"]
        self.luas = [a for a in items if a.kind in ("gametimes", "gametimes-legacy")]
        self.limbo_s = limbo_s
        self.plans, findings = (
            _stats_plans(self.stats, window_minutes, timezone) if self.stats else ([], [])
        )
        self.es_links, es_findings, superseded = _endstats_links(self.stats, self.endstats)
        findings.extend(es_findings)
        s_keys = [_stats_key(a) for a in self.stats]
        l_keys = [_lua_key(a) for a in self.luas]
        offsets = None
        if utc_offset_seconds is not None:
            offsets = (
                [utc_offset_seconds]
                if isinstance(utc_offset_seconds, int)
                else list(utc_offset_seconds)
            )
        self.linking = link_lua(s_keys, l_keys, offsets=offsets, lag_s=lag_s)
        lk = self.linking
        self.ambiguities = tuple(
            [
                Ambiguity(
                    self.stats[si].name,
                    tuple(self.luas[li].name for li in lis),
                    "several Lua rounds fit this stats round",
                )
                for si, lis in lk.ambiguous_stats.items()
            ]
            + [
                Ambiguity(
                    self.luas[li].name,
                    tuple(self.stats[si].name for si in sis),
                    "several stats rounds fit this Lua round",
                )
                for li, sis in lk.ambiguous_lua.items()
            ]
        )
        used_lua = {li for li, _ in lk.links.values()}
        self.lua_only = [li for li in range(len(self.luas)) if li not in used_lua]
        unmatched: list[ArtifactRef] = []
        amb_lua = set(lk.ambiguous_lua) | {li for lis in lk.ambiguous_stats.values() for li in lis}
        for li in self.lua_only:
            k = l_keys[li]
            unmatched.append(
                ArtifactRef(
                    kind=self.luas[li].kind,
                    name=self.luas[li].name,
                    map=k.map,
                    round=k.round,
                    time=str(int(k.time)),
                    reason="ambiguous"
                    if li in amb_lua
                    else (
                        "no stats round within the link window"
                        if self.stats
                        else "no stats files given"
                    ),
                )
            )
        if self.luas:
            for si, a in enumerate(self.stats):
                if si not in lk.links:
                    ts = a.stats.provenance.file_timestamp if a.stats.provenance else None
                    unmatched.append(
                        ArtifactRef(
                            kind="stats",
                            name=a.name,
                            map=s_keys[si].map,
                            round=s_keys[si].round,
                            time=ts.isoformat() if ts else None,
                            reason="ambiguous"
                            if si in lk.ambiguous_stats
                            else "no Lua round within the link window",
                        )
                    )
        used_es = set(self.es_links.values())
        for ei, e in enumerate(self.endstats):
            if ei not in used_es:
                unmatched.append(
                    ArtifactRef(
                        kind="endstats",
                        name=e.name,
                        map=e.endstats.map_name,
                        round=e.endstats.round_number,
                        reason="superseded split write"
                        if ei in superseded
                        else "no stats round within 30 s",
                    )
                )
        self.unmatched = tuple(unmatched)
        self.findings = [f for f in findings if f.severity is not Severity.INFO]
        self.offsets = lk.offsets
        self.offset_source = lk.offset_source if self.luas else "none"

    def iter_rounds(self, *, lean: bool = False) -> Iterator[Reconciliation]:
        """One :class:`Reconciliation` per stats round, then one per unlinked Lua round.

        ``lean``: the same rules, but agreeing comparisons are counted rather than built
        (except the checks kept in full, ``dead-time``): each round comes as a
        :class:`~etstats.reconciliation.model.LeanReconciliation` (the ingest path's stored
        form). The verdict, the non-agreeing comparisons and the findings are the same. A
        round 2's differential is then looked up in :mod:`etstats.differential.memo`, where
        the ingest path left it.
        """
        for plan in self.plans:
            sr, found = _stats_reading_for(plan, self.stats, shared=lean)
            self.findings.extend(found)
            li_lag = self.linking.links.get(plan.index)
            lua = _lua_reading(self.luas[li_lag[0]]) if li_lag else None
            ei = self.es_links.get(plan.index)
            es = self.endstats[ei].endstats if ei is not None else None
            given: dict[str, int | None] = {}
            if es is not None:
                for p in self.stats[plan.index].stats.players:
                    given[p.guid.upper()] = p.tab.revives_given if p.tab else None
            with counting_agree() if lean else _NOT_COUNTING as counted:
                comps, match = _compare_round(
                    sr,
                    lua,
                    es,
                    self.limbo_s,
                    es_name=self.endstats[ei].name if ei is not None else "",
                    revives_given=given,
                )
            fields = (
                sr.map,
                sr.round,
                sr.name,
                sr.r1_name,
                self.endstats[ei].name if ei is not None else None,
                lua.name if lua else None,
                lua.kind if lua else None,
                sr.time.isoformat() if sr.time else None,
                lua.end_unix if lua else None,
                li_lag[1] if li_lag else None,
                match.links,
            )
            if lean:  # straight to the lean form (no full Reconciliation made first)
                yield build_lean_reconciliation(*fields, comps, match.findings, counted)
            else:
                yield build_reconciliation(*fields, tuple(comps), match.findings)
        for li in self.lua_only:
            with counting_agree() if lean else _NOT_COUNTING as counted:
                full = _lua_only(_lua_reading(self.luas[li]))
            yield lean_reconciliation(full, counted) if lean else full

    def report(self, rounds: Iterable[Reconciliation] = ()) -> ReconcileReport:
        return ReconcileReport(
            rounds=tuple(rounds),
            unmatched=self.unmatched,
            ambiguities=self.ambiguities,
            utc_offset_seconds=self.offsets,
            offset_source=self.offset_source,
            findings=tuple(self.findings),
        )


def reconcile(
    artifacts: Iterable[Any],
    *,
    utc_offset_seconds: int | Sequence[int] | None = None,
    limbo_s: float | None = None,
    window_minutes: float = 45.0,
    lag_s: float = FILE_LAG_S,
    timezone: str | None = None,
) -> ReconcileReport:
    """Reconcile a mix of stats rounds, endstats rounds and gametimes (legacy or v1).

    :param artifacts: :class:`LoadedArtifact` values or parsed models.
    :param utc_offset_seconds: the server's UTC offset(s) in seconds east of UTC; inferred
        from the data when ``None``.
    :param limbo_s: respawn wave period (seconds) to assume when no Lua source states it.
    :param window_minutes: R1/R2 pairing window (minutes).
    :param lag_s: expected delay (seconds) between the Lua round end and the stats file name.
    :param timezone: IANA timezone of the stats file names; when given, R1/R2 pairing uses
        real (UTC) minutes, so a round 2 across a daylight-saving change still pairs. Without
        it the file-name wall clocks are compared as written.
    """
    plan = ReconcilePlan(
        artifacts,
        utc_offset_seconds=utc_offset_seconds,
        limbo_s=limbo_s,
        window_minutes=window_minutes,
        lag_s=lag_s,
        timezone=timezone,
    )
    rounds = list(plan.iter_rounds())
    return plan.report(rounds)


__all__ = ["ReconcilePlan", "reconcile"]
