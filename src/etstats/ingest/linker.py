"""Round linking: which stats, Lua and endstats artifacts describe the same round.

Pure functions over link facts; no database. The rules (docs/storage.md, "Round linking"):

* Only artifacts of the same server, map and round number are ever linked.
* A Lua file (round end ``E``) and a stats file (file-name time ``S``, converted to UTC with
  the server's configured timezone) are linked by the one stats<->Lua linker
  (:func:`etstats.linking.link_stats_lua` with :meth:`etstats.linking.Clock.configured_timezone`):
  ``S - E`` lies in :data:`etstats.linking.LUA_WINDOW` **and** each is the other's only
  candidate. Two candidates mean two plays of the map within seconds, and then nothing is
  linked (never guess).
* An endstats file (file-name time ``T``) joins the stats file with ``S - T`` in
  :data:`ENDSTATS_WINDOW` when that stats file is its only candidate; if several endstats files
  join one stats file (split writes), the one with most awards, then most versus rows, then
  most bytes, then the smallest hash is used. Without a stats candidate it may join a Lua-only
  round the same way.
* Copies of one round (same kind and same times: a CRLF copy, a backup, a copy cut at a line
  boundary) collapse to one by the winner rule: fewer reading errors, then a recognised file
  name, then more bytes, then the smallest hash (:attr:`Member.quality`).
* The round's natural key is (server, map, round number, round start UTC). The start is the
  Lua ``round_start_unix`` when a Lua file is linked, else the stats (or endstats) file-name
  time, recorded as ``start_source`` so readers know which it is.

The result depends only on the *set* of facts, so any arrival order converges.
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from etstats.linking import Clock, Stamp, link_stats_lua

ENDSTATS_WINDOW = (-5, 30)
"""Seconds: accepted ``stats file time - endstats file time`` (and endstats - Lua end)."""
NEIGHBOURHOOD_SECONDS = 60
"""Anchors further apart than this never interact (> every window)."""


@frozen
class Member:
    """One artifact's link facts. ``role`` is ``stats``, ``lua`` or ``endstats``."""

    sha256: str
    role: str
    anchor_unix: int
    start_unix: int | None = None
    rank: tuple[int, int, int] = (0, 0, 0)
    """Endstats preference: (awards, versus rows, size in bytes)."""
    errors: int = 0
    """Reading-error findings of the parsed file (damaged bytes): an intact copy wins."""
    name_parses: bool = True
    """Whether its file name is a recognised artifact name (see ``name_parses``)."""
    size_bytes: int = 0
    """Size of the raw bytes: a copy cut at a line boundary is smaller than the whole file."""

    @property
    def quality(self) -> tuple[int, bool, int, str]:
        """Sort key among copies of one round: smallest wins (the winner rule)."""
        return (self.errors, not self.name_parses, -self.size_bytes, self.sha256)


@frozen
class PlannedRound:
    """A round the linker wants to exist."""

    round_start_unix: int
    start_source: str
    """``lua``, ``stats-file-name`` or ``endstats-file-name``."""
    stats: str | None = None
    lua: str | None = None
    endstats: str | None = None
    round_end_unix: int | None = None
    stats_file_unix: int | None = None

    @property
    def members(self) -> tuple[str, ...]:
        return tuple(s for s in (self.stats, self.lua, self.endstats) if s is not None)


@frozen
class LinkPlan:
    """Planned rounds plus the artifacts left out of every round and why."""

    rounds: tuple[PlannedRound, ...]
    left_out: tuple[tuple[str, str], ...] = ()
    """(sha256, reason) pairs, e.g. a superseded split endstats file."""


def _in(delta: int, window: tuple[int, int]) -> bool:
    return window[0] <= delta <= window[1]


def _dedupe(members: list[Member], left: list[tuple[str, str]]) -> list[Member]:
    """One member per (anchor, start): copies of the same round, best :attr:`Member.quality`
    first; the others are left out with the reason the winner won."""
    seen: dict[tuple[int, int | None], Member] = {}
    for m in sorted(members, key=lambda m: m.quality):
        key = (m.anchor_unix, m.start_unix)
        if key in seen:
            win = seen[key]
            left.append(
                (
                    m.sha256,
                    f"set aside: another copy of this {m.role} round "
                    f"({win.sha256[:12]}) wins: {_why(win, m)}",
                )
            )
        else:
            seen[key] = m
    return sorted(seen.values(), key=lambda m: (m.anchor_unix, m.sha256))


def _why(win: Member, lose: Member) -> str:
    if win.errors != lose.errors:
        return f"fewer reading errors ({win.errors} against {lose.errors}: this copy is damaged)"
    if win.name_parses != lose.name_parses:
        return "its file name is a recognised artifact name"
    if win.size_bytes != lose.size_bytes:
        return (
            f"larger file ({win.size_bytes} against {lose.size_bytes} bytes: this copy may be cut)"
        )
    return "smaller SHA-256 (equal in every other respect)"


def _link_lua(stats: list[Member], luas: list[Member]) -> tuple[dict[str, Member], set[str]]:
    """Stats and Lua members of one group linked by the one linker, under the server's
    configured timezone (the anchors are UTC already).

    Returns each linked stats hash's Lua member and the hashes that took part in an
    ambiguity.
    """
    got = link_stats_lua(
        [Stamp(None, m.anchor_unix) for m in stats],
        [Stamp(None, m.anchor_unix) for m in luas],
        Clock.configured_timezone(),
    )
    amb_stats, amb_lua = got.ambiguous()
    ambiguous = {stats[i].sha256 for i in amb_stats} | {luas[i].sha256 for i in amb_lua}
    return {stats[si].sha256: luas[li] for si, (li, _) in got.links.items()}, ambiguous


def plan_rounds(members: Iterable[Member]) -> LinkPlan:
    """Link one (server, map, round number) group's artifacts into rounds."""
    left: list[tuple[str, str]] = []
    all_m = list(members)
    stats = _dedupe([m for m in all_m if m.role == "stats"], left)
    luas = _dedupe([m for m in all_m if m.role == "lua"], left)
    ends = sorted(
        (m for m in all_m if m.role == "endstats"), key=lambda m: (m.anchor_unix, m.sha256)
    )

    lua_of, amb = _link_lua(stats, luas)
    for sha in sorted(amb):
        left.append((sha, "ambiguous: several stats/Lua candidates within the window"))
    paired_lua = {m.sha256 for m in lua_of.values()}
    lua_only = [m for m in luas if m.sha256 not in paired_lua]

    # endstats -> stats, then endstats -> Lua-only rounds
    end_to_stats = {
        e.sha256: [s for s in stats if _in(s.anchor_unix - e.anchor_unix, ENDSTATS_WINDOW)]
        for e in ends
    }
    chosen: dict[str, Member] = {}
    standalone: list[Member] = []
    for e in ends:
        cands = end_to_stats[e.sha256]
        target: Member | None = None
        if len(cands) == 1:
            target = cands[0]
        elif not cands:
            lcands = [m for m in lua_only if _in(e.anchor_unix - m.anchor_unix, ENDSTATS_WINDOW)]
            if len(lcands) == 1:
                target = lcands[0]
        else:
            left.append((e.sha256, "ambiguous: several stats files within the endstats window"))
        if target is None:
            standalone.append(e)
            continue
        best = chosen.get(target.sha256)
        if best is None or (e.rank, _neg(e.sha256)) > (best.rank, _neg(best.sha256)):
            if best is not None:
                left.append((best.sha256, f"superseded by endstats {e.sha256[:12]}"))
            chosen[target.sha256] = e
        else:
            left.append((e.sha256, f"superseded by endstats {best.sha256[:12]}"))

    planned: list[PlannedRound] = []
    for s in stats:
        lua = lua_of.get(s.sha256)
        end = chosen.get(s.sha256)
        start = lua.start_unix if lua and lua.start_unix is not None else s.anchor_unix
        planned.append(
            PlannedRound(
                round_start_unix=start,
                start_source="lua" if lua else "stats-file-name",
                stats=s.sha256,
                lua=lua.sha256 if lua else None,
                endstats=end.sha256 if end else None,
                round_end_unix=lua.anchor_unix if lua else None,
                stats_file_unix=s.anchor_unix,
            )
        )
    for m in lua_only:
        end = chosen.get(m.sha256)
        planned.append(
            PlannedRound(
                round_start_unix=m.start_unix if m.start_unix is not None else m.anchor_unix,
                start_source="lua",
                lua=m.sha256,
                endstats=end.sha256 if end else None,
                round_end_unix=m.anchor_unix,
            )
        )
    for e in standalone:
        planned.append(PlannedRound(e.anchor_unix, "endstats-file-name", endstats=e.sha256))

    rounds: list[PlannedRound] = []
    keys: dict[int, PlannedRound] = {}
    for r in sorted(planned, key=lambda r: (r.stats is None, r.lua is None, r.members)):
        if r.round_start_unix in keys:
            for sha in r.members:
                left.append((sha, f"round key taken by {keys[r.round_start_unix].members[0][:12]}"))
            continue
        keys[r.round_start_unix] = r
        rounds.append(r)
    rounds.sort(key=lambda r: (r.round_start_unix, r.members))
    return LinkPlan(tuple(rounds), tuple(sorted(set(left))))


def _neg(sha: str) -> tuple[int, ...]:
    """Sort key preferring the smallest hash among equal ranks."""
    return tuple(-ord(c) for c in sha)
