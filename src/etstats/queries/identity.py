"""Player identity in core storage: alt GUIDs merged into a player, a preferred display name,
and external accounts (a Discord user id) linked to a player.

Tables (migration 0003): ``player_aliases`` (alt GUID -> canonical GUID; never a chain: a merge
re-points the alt's own alts), ``player_names`` and ``player_accounts``. GUIDs are stored upper
case, as stats files write them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from etstats.errors import EtStatsError
from etstats.queries.statdefs import NOT_BOT
from etstats.queries.types import IdentityLink, PlayerRef

GUID_KIND = "guid"
NAME_KIND = "name"


class IdentityError(EtStatsError):
    """An identity change that cannot be made (merging a player into itself, empty values)."""


def norm_guid(guid: str) -> str:
    text = guid.strip().upper()
    if not text:
        raise IdentityError("guid: expected a GUID; got an empty value")
    return text


def canonical(tx: Any, guid: str) -> str:
    """The canonical GUID of ``guid`` (itself unless merged into another)."""
    g = norm_guid(guid)
    row = tx.fetchone("SELECT player_guid FROM player_aliases WHERE guid = ?", (g,))
    return str(row[0]) if row else g


def guids_of(tx: Any, player_guid: str) -> list[str]:
    """The canonical GUID of ``player_guid`` first, then its merged alts (sorted)."""
    main = canonical(tx, player_guid)
    alts = tx.fetchall(
        "SELECT guid FROM player_aliases WHERE player_guid = ? ORDER BY guid", (main,)
    )
    return [main, *(str(a[0]) for a in alts)]


def display_name(tx: Any, player_guid: str) -> str | None:
    row = tx.fetchone("SELECT display_name FROM player_names WHERE player_guid = ?", (player_guid,))
    return None if row is None else str(row[0])


def names_seen(tx: Any, guids: list[str]) -> list[str]:
    """Clean names seen under these GUIDs, most lines first, then by name."""
    marks = ", ".join("?" * len(guids))
    # player_name_lines: the running line counts per (GUID, name) kept by migration 0006
    rows = tx.fetchall(
        f"SELECT name, SUM(lines) FROM player_name_lines WHERE guid IN ({marks}) "
        "GROUP BY name ORDER BY SUM(lines) DESC, name",
        guids,
    )
    return [str(r[0]) for r in rows]


def player_ref(tx: Any, player_guid: str) -> PlayerRef:
    guids = guids_of(tx, player_guid)
    name = display_name(tx, guids[0])
    if name is None:
        seen = names_seen(tx, guids)
        name = seen[0] if seen else guids[0]
    return PlayerRef(guid=guids[0], name=name)


def refs_from_counts(tx: Any, counts: dict[tuple[str, str], int]) -> dict[str, PlayerRef]:
    """Display refs from name counts already at hand (``(player guid, name) -> lines``, e.g. a
    session's lines): the preferred name, else the name used most there (ties: by name)."""
    wanted = sorted({g for g, _ in counts})
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    preferred = dict(
        tx.fetchall(
            f"SELECT player_guid, display_name FROM player_names WHERE player_guid IN ({marks})",
            wanted,
        )
    )
    best: dict[str, tuple[int, str]] = {}
    for (pg, name), n in counts.items():
        key = (-n, name)
        if pg not in best or key < best[pg]:
            best[pg] = key
    return {g: PlayerRef(g, str(preferred.get(g) or best[g][1])) for g in wanted}


def refs(
    tx: Any, player_guids: list[str], cond: str = "", params: Sequence[Any] = ()
) -> dict[str, PlayerRef]:
    """Display refs of many canonical GUIDs in three queries (preferred name, else the most
    used name over the player's GUIDs; with ``cond``, an ``AND ...`` on ``p``, over the lines
    it admits, e.g. a leaderboard's window)."""
    if not player_guids:
        return {}
    wanted = sorted(set(player_guids))
    marks = ", ".join("?" * len(wanted))
    preferred = dict(
        tx.fetchall(
            f"SELECT player_guid, display_name FROM player_names WHERE player_guid IN ({marks})",
            wanted,
        )
    )
    alts = tx.fetchall(
        f"SELECT guid, player_guid FROM player_aliases WHERE player_guid IN ({marks})", wanted
    )
    owner = {g: g for g in wanted} | {str(a): str(p) for a, p in alts}
    every = sorted(owner)
    # one index range per GUID (player_round_stats_guid covers guid and name); a condition on
    # the line's GUID and name only (all time, bots out) is answered by player_name_lines
    source = "player_round_stats p"
    count = "COUNT(*)"
    if not params and cond in ("", f" AND {NOT_BOT}"):
        source, count = "player_name_lines p", "SUM(p.lines)"
    rows = [
        (owner[str(g)], n, c)
        for g, n, c in tx.fetchall(
            f"SELECT p.guid, p.name, {count} FROM {source} "
            f"WHERE p.guid IN ({', '.join('?' * len(every))}){cond} GROUP BY p.guid, p.name",
            (*every, *params),
        )
    ]
    counts: dict[tuple[str, str], int] = {}
    for pg, name, n in rows:
        counts[(pg, str(name))] = counts.get((pg, str(name)), 0) + int(n)
    best: dict[str, tuple[int, str]] = {}
    for (pg, name), n in counts.items():
        key = (-n, name)
        if pg not in best or key < best[pg]:
            best[pg] = key
    return {g: PlayerRef(g, str(preferred.get(g) or best.get(g, (0, g))[1])) for g in wanted}


def links(tx: Any, player_guid: str | None) -> list[IdentityLink]:
    where = ""
    params_t: tuple[str, ...] = ()
    if player_guid is not None:
        where, params_t = " WHERE player_guid = ?", (canonical(tx, player_guid),)
    rows = tx.fetchall(
        f"SELECT 'guid', guid, player_guid, created_unix FROM player_aliases{where} "
        f"UNION ALL SELECT 'name', display_name, player_guid, created_unix "
        f"FROM player_names{where} "
        f"UNION ALL SELECT kind, external_id, player_guid, created_unix "
        f"FROM player_accounts{where}",
        params_t * 3,
    )
    out = [IdentityLink(str(k), str(v), str(p), int(t)) for k, v, p, t in rows]
    return sorted(out, key=lambda link: (link.player_guid, link.kind, link.value))


def player_for_account(tx: Any, kind: str, external_id: str) -> PlayerRef | None:
    row = tx.fetchone(
        "SELECT player_guid FROM player_accounts WHERE kind = ? AND external_id = ?",
        (kind.strip().lower(), external_id.strip()),
    )
    return None if row is None else player_ref(tx, str(row[0]))


def merge_guid(tx: Any, alt_guid: str, player_guid: str, now_unix: int) -> IdentityLink:
    alt, main = canonical(tx, alt_guid), canonical(tx, player_guid)
    if alt == main:
        raise IdentityError(f"guid: {norm_guid(alt_guid)} is already player {main}")
    # no chains: the alt's own alts, name and accounts move to the main player
    tx.execute("UPDATE player_aliases SET player_guid = ? WHERE player_guid = ?", (main, alt))
    tx.execute("UPDATE player_accounts SET player_guid = ? WHERE player_guid = ?", (main, alt))
    tx.execute("DELETE FROM player_names WHERE player_guid = ?", (alt,))
    tx.execute(
        "INSERT INTO player_aliases (guid, player_guid, created_unix) VALUES (?, ?, ?)",
        (alt, main, now_unix),
    )
    return IdentityLink(GUID_KIND, alt, main, now_unix)


def set_display_name(tx: Any, player_guid: str, name: str, now_unix: int) -> IdentityLink:
    main, clean = canonical(tx, player_guid), name.strip()
    if not clean:
        raise IdentityError("name: expected a display name; got an empty value")
    tx.execute("DELETE FROM player_names WHERE player_guid = ?", (main,))
    tx.execute(
        "INSERT INTO player_names (player_guid, display_name, created_unix) VALUES (?, ?, ?)",
        (main, clean, now_unix),
    )
    return IdentityLink(NAME_KIND, clean, main, now_unix)


def link_account(
    tx: Any, kind: str, external_id: str, player_guid: str, now_unix: int
) -> IdentityLink:
    kind, ext = kind.strip().lower(), external_id.strip()
    if not kind or not ext or kind in (GUID_KIND, NAME_KIND):
        raise IdentityError(
            f"account: expected a kind such as discord and an id; got {kind!r} {ext!r}"
        )
    main = canonical(tx, player_guid)
    tx.execute("DELETE FROM player_accounts WHERE kind = ? AND external_id = ?", (kind, ext))
    tx.execute(
        "INSERT INTO player_accounts (kind, external_id, player_guid, created_unix) "
        "VALUES (?, ?, ?, ?)",
        (kind, ext, main, now_unix),
    )
    return IdentityLink(kind, ext, main, now_unix)


def unlink(tx: Any, kind: str, value: str) -> bool:
    kind = kind.strip().lower()
    if kind == GUID_KIND:
        cur = tx.execute("DELETE FROM player_aliases WHERE guid = ?", (norm_guid(value),))
    elif kind == NAME_KIND:
        cur = tx.execute("DELETE FROM player_names WHERE player_guid = ?", (canonical(tx, value),))
    else:
        cur = tx.execute(
            "DELETE FROM player_accounts WHERE kind = ? AND external_id = ?", (kind, value.strip())
        )
    return bool(cur.rowcount)
