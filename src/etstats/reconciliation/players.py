"""Player matching: the stats file's 8-character GUID prefix to the Lua 32-character GUID.

Keys are compared case-insensitively on the first 8 characters. A prefix carried by two stats
lines or by two Lua players is a collision: those players are reported and never compared.
Bots (Omni-bot GUIDs, ``[BOT]`` names, Lua players without a GUID) are reported, not matched.
Names are evidence only: a name that differs between sources is a finding, not a mismatch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from attrs import frozen

from etstats.model.common import Finding, Severity
from etstats.reconciliation.causes import cause
from etstats.reconciliation.model import Comparison, PlayerLink, SourceValue, build_player_link
from etstats.reconciliation.readings import LuaPlayerReading, LuaReading, StatsPlayerReading
from etstats.reconciliation.rules.judge import judge


@frozen
class PlayerMatch:
    links: tuple[PlayerLink, ...]
    pairs: tuple[tuple[StatsPlayerReading, LuaPlayerReading], ...]
    findings: tuple[Finding, ...]
    roster: tuple[Comparison, ...]


def _is_bot_lua(p: LuaPlayerReading) -> bool:
    return (
        p.guid is None
        or p.guid.upper().startswith("OMNIBOT")
        or p.name.lstrip().upper().startswith("[BOT]")
    )


def match_players(
    stats: Sequence[StatsPlayerReading],
    lua: LuaReading | None,
    endstats_guids: Sequence[tuple[str, str]] = (),
    *,
    stats_name: str = "",
    lua_name: str = "",
    weapon_balance: bool = False,
) -> PlayerMatch:
    """Match the players of one round (see the module docstring).

    ``weapon_balance``: the stats lines' weapon kills equal their weapon deaths, so a player
    without a line neither killed nor died to a weapon (evidence for ``no-weapon-activity``).
    """
    s_by: dict[str, list[StatsPlayerReading]] = {}
    for sp in stats:
        s_by.setdefault(sp.key.upper(), []).append(sp)
    l_by: dict[str, list[LuaPlayerReading]] = {}
    lua_bots: list[LuaPlayerReading] = []
    for lp in lua.players if lua is not None else ():
        key = lp.key  # a property: read once
        if key is None or _is_bot_lua(lp):
            lua_bots.append(lp)
        else:
            l_by.setdefault(key, []).append(lp)
    e_by = {g[:8].upper(): (g, n) for g, n in endstats_guids if g}
    findings: list[Finding] = []
    links: list[PlayerLink] = []
    pairs: list[tuple[StatsPlayerReading, LuaPlayerReading]] = []
    roster: list[Comparison] = []
    empty: list[Any] = []
    for key in sorted(set(s_by) | set(l_by)):
        ss, ls = s_by.get(key, empty), l_by.get(key, empty)
        bot = ss[0].bot if len(ss) == 1 else any(s.bot for s in ss)
        if len(ss) == 1 and len(ls) == 1:  # the usual case: one line, one Lua player
            sp0, lp0 = ss[0], ls[0]
            names = (sp0.name,) if sp0.name == lp0.name else tuple(sorted((sp0.name, lp0.name)))
        else:
            names = tuple(sorted({s.name for s in ss} | {lp.name for lp in ls}))
        collision = len(ss) > 1 or len(ls) > 1
        link = build_player_link(
            key,
            names,
            ls[0].guid if len(ls) == 1 else None,
            bool(ss),
            bool(ls),
            key in e_by,
            bot,
            collision,
            ss[0].team if ss else (ls[0].team if ls else None),
        )
        links.append(link)
        if bot:
            continue
        if collision:
            guids = sorted({lp.guid or "" for lp in ls})
            findings.append(
                Finding(
                    code="guid-prefix-collision",
                    severity=Severity.WARNING,
                    message=f"{len(ss)} stats line(s) and {len(ls)} Lua player(s) share GUID "
                    f"prefix {key}: not compared",
                    source=stats_name,
                    player_guid=key,
                    expected="one player per prefix",
                    actual=", ".join(guids) or None,
                )
            )
            roster.append(
                judge(
                    "player-identity",
                    "one player per 8-character GUID prefix",
                    (
                        SourceValue("stats:GUID8", len(ss), "count", artifact=stats_name),
                        SourceValue("lua:guid[:8]", len(ls), "count", artifact=lua_name),
                    ),
                    float(max(len(ss), len(ls)) - 1),
                    0.0,
                    causes=(
                        cause(
                            "guid-prefix-collision",
                            0,
                            max(len(ss), len(ls)),
                            f"prefix {key} is shared",
                        ),
                    ),
                    unit="count",
                    player=key,
                    player_name=names[0] if names else None,
                )
            )
            continue
        if ss and ls:
            sp, lp = ss[0], ls[0]
            pairs.append((sp, lp))
            if sp.name != lp.name:
                findings.append(
                    Finding(
                        code="player-renamed",
                        severity=Severity.INFO,
                        message=f"{key}: name {sp.name!r} in the stats file, {lp.name!r} in Lua "
                        "(matched by GUID)",
                        source=stats_name,
                        player_guid=key,
                        expected=sp.name,
                        actual=lp.name,
                    )
                )
            continue
        if lua is None:
            continue
        if ls:
            lp = ls[0]
            causes = []
            if lp.deaths_detail is not None:
                quiet = lp.kills in (0, None) and all(
                    kind in ("self", "world") for _, _, _, kind, _ in lp.deaths_detail
                )
                why = "Lua: no kills and no deaths to a weapon"
            else:
                quiet = weapon_balance
                why = "the stats lines' weapon kills equal their weapon deaths"
            if quiet:
                causes.append(cause("no-weapon-activity", 1, 1, f"{why}: weapon mask 0, no line"))
            roster.append(
                judge(
                    "roster",
                    "every Lua player has a stats-file line",
                    (
                        SourceValue("stats:line", 0, "presence", artifact=stats_name),
                        SourceValue("lua:player", 1, "presence", artifact=lua_name),
                    ),
                    1.0,
                    0.0,
                    causes=causes,
                    unit="presence",
                    player=key,
                    player_name=lp.name,
                )
            )
        else:
            sp = ss[0]
            roster.append(
                judge(
                    "roster",
                    "every stats-file player appears in the Lua data",
                    (
                        SourceValue("stats:line", 1, "presence", artifact=stats_name),
                        SourceValue("lua:player", 0, "presence", artifact=lua_name),
                    ),
                    1.0,
                    0.0,
                    unit="presence",
                    player=key,
                    player_name=sp.name,
                )
            )
    for lp in lua_bots:
        links.append(
            PlayerLink(
                key=(lp.guid or "")[:8].upper() or f"slot:{lp.name}",
                names=(lp.name,),
                guid=lp.guid,
                in_lua=True,
                bot=True,
                team=lp.team,
            )
        )
    return PlayerMatch(
        links=tuple(links), pairs=tuple(pairs), findings=tuple(findings), roster=tuple(roster)
    )


__all__ = ["PlayerMatch", "match_players"]
