"""Write synthetic rounds straight into a store (through its public write API) for read tests."""

from __future__ import annotations

import json
from collections.abc import Sequence

from attrs import field, frozen

from etstats.storage.base import Storage, StorageTx


@frozen
class Line:
    """One player's line; weapons are (index, hits, shots, kills, deaths, headshots)."""

    guid: str
    name: str
    team: int
    kills: int = 0
    deaths: int = 0
    damage_given: int = 0
    damage_received: int = 0
    gibs: int = 0
    revives_given: int = 0
    headshot_kills: int = 0
    time_played_minutes: float = 10.0
    time_dead_minutes: float = 2.0
    dynamites_planted: int = 0
    weapons: tuple[tuple[int, int, int, int, int, int], ...] = ()
    scope: str = "round"


@frozen
class Rnd:
    """One round; ``pair_with`` is the index (in the list written) of its round 1."""

    map_name: str
    round_number: int
    start_unix: int
    lines: tuple[Line, ...]
    end_unix: int | None = None
    defender: int = 1
    winner: int = 2
    limit_seconds: int = 600
    clock_seconds: int = 300
    server: str = "srv"
    pair_with: int | None = None
    scope: str = field(default="round")


def player_row(rid: int, i: int, ln: Line, scope: str) -> tuple[object, ...]:
    tab = {"dynamites_planted": ln.dynamites_planted, "kill_assists": 1}
    return (
        rid,
        i,
        ln.guid,
        ln.name,
        ln.name,
        ln.team,
        1,
        ln.kills,
        ln.deaths,
        ln.damage_given,
        ln.damage_received,
        0,
        0,
        ln.gibs,
        0,
        0,
        0,
        ln.headshot_kills,
        ln.revives_given,
        0,
        ln.time_played_minutes,
        ln.time_dead_minutes,
        0,
        json.dumps(tab),
        scope,
    )


def write_rounds(
    store: Storage, rounds: Sequence[Rnd], order: Sequence[int] | None = None
) -> dict[int, int]:
    """Write ``rounds`` (in ``order`` of indexes, default as given); returns index -> id.
    A round 2 is linked to its round 1 once both are written, whatever the order."""
    ids: dict[int, int] = {}
    for k in order if order is not None else range(len(rounds)):
        r = rounds[k]
        with store.transaction() as tx:
            sid = tx.ensure_server(r.server)
            rid = tx.save_round(
                None,
                {
                    "server_id": sid,
                    "map_name": r.map_name,
                    "round_number": r.round_number,
                    "round_start_unix": r.start_unix,
                    "start_source": "stats-file-name",
                    "round_end_unix": r.end_unix,
                    "stats_file_unix": r.start_unix,
                    "winner_team": r.winner,
                    "defender_team": r.defender,
                    "time_limit_seconds": r.limit_seconds,
                    "clock_seconds": r.clock_seconds,
                    "values_scope": r.scope,
                },
            )
            # an orphan round 2's lines hold its cumulative scope, as the ingest writes them
            scopes = [ln.scope if r.scope == "round" else r.scope for ln in r.lines]
            players = [player_row(rid, i, ln, scopes[i]) for i, ln in enumerate(r.lines)]
            weapons = [(rid, i, *w, scopes[i]) for i, ln in enumerate(r.lines) for w in ln.weapons]
            tx.replace_round_rows(rid, {"player_round_stats": players, "weapon_stats": weapons})
        ids[k] = rid
    with store.transaction() as tx:
        for k, r in enumerate(rounds):
            if r.pair_with is not None and k in ids and r.pair_with in ids:
                tx.set_round_scope(ids[k], "round", ids[r.pair_with])
    return ids


def clear(store: Storage) -> None:
    """Delete every round and identity link (between Hypothesis examples)."""
    store.clear_derived()
    with store.transaction() as tx:
        for table in ("player_aliases", "player_names", "player_accounts"):
            tx.execute(f"DELETE FROM {table}")  # type: ignore[attr-defined]  # noqa: S608


def bare_round(tx: StorageTx, server: str, start_unix: int) -> int:
    """A round 1 on supply with no artifacts (its lines are written directly by the test),
    per-round values, starting at ``start_unix``; returns its id."""
    return tx.save_round(
        None,
        {
            "server_id": tx.ensure_server(server),
            "map_name": "supply",
            "round_number": 1,
            "round_start_unix": start_unix,
            "start_source": "stats-file-name",
            "stats_file_unix": start_unix,
            "values_scope": "round",
        },
    )
