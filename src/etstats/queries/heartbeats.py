"""Server heartbeats and the "no round stored while players were on" fact (one place).

``lua/etstats.lua`` sends a signed heartbeat (player count, map, its clock) every few minutes
to ``etstats serve``, which keeps the latest one per server (:func:`record_heartbeat`). A
store fed only by ``watch``/``push`` has no heartbeats, so the fact exists only for servers
that sent one. :func:`server_silence` is the single definition, used by the outbox worker's
admin alert (:mod:`etstats.outbox.silence`) and the HTTP pipeline-health view. Times are Unix
seconds; ages are hours where the name says so.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

DEFAULT_SILENCE_HOURS = 2.0
"""Default N of "players seen within N hours but no round stored for N hours"."""

_SELECT = (
    "SELECT h.server, h.sent_unix, h.received_unix, h.players, h.map_name, "
    "h.players_seen_unix, h.alert_key, h.first_received_unix, "
    "(SELECT MAX(a.received_unix) FROM artifacts a JOIN servers s ON s.id = a.server_id "
    "WHERE s.name = h.server AND a.status = 'accepted') "
    "FROM server_heartbeats h"
)


@frozen
class ServerHeartbeat:
    """The latest heartbeat of one server, with when its last round was stored."""

    server: str
    sent_unix: int
    """The game server's clock when it sent the heartbeat."""
    received_unix: int
    """The receiver's clock when the heartbeat arrived."""
    players: int
    """Connected human players at that heartbeat."""
    map_name: str | None
    players_seen_unix: int | None
    """When a heartbeat last counted at least one player (``None``: never)."""
    alert_key: str | None
    """The open "no round" alert episode (``None``: no alert is open)."""
    first_received_unix: int
    """When the receiver got this server's first heartbeat (the watch starts there)."""
    last_round_unix: int | None
    """When an artifact of this server was last stored as (part of) a round (receiver
    clock); ``None``: never."""


@frozen
class ServerSilence:
    """:class:`ServerHeartbeat` judged at ``now`` against ``hours``."""

    heartbeat: ServerHeartbeat
    hours: float
    players_recently: bool
    """Players were seen within the last ``hours``."""
    silent: bool
    """Players were seen within the last ``hours``, more than ``hours`` after the last stored
    round (see :func:`judge`)."""
    hours_since_last_round: float | None


def record_heartbeat(
    tx: Any, server: str, *, sent_unix: int, received_unix: int, players: int, map_name: str | None
) -> bool:
    """Keep this heartbeat if it is the server's newest (by ``sent_unix``; a late retry of an
    older one changes nothing). Returns whether it was kept."""
    seen = sent_unix if players > 0 else None
    row = tx.fetchone(
        "INSERT INTO server_heartbeats (server, sent_unix, received_unix, first_received_unix, "
        "players, map_name, players_seen_unix) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (server) DO UPDATE SET "
        "sent_unix = excluded.sent_unix, received_unix = excluded.received_unix, "
        "players = excluded.players, map_name = excluded.map_name, "
        "players_seen_unix = COALESCE(excluded.players_seen_unix, "
        "server_heartbeats.players_seen_unix) "
        "WHERE excluded.sent_unix >= server_heartbeats.sent_unix RETURNING server",
        (server, sent_unix, received_unix, received_unix, players, map_name, seen),
    )
    return row is not None


def set_alert_key(tx: Any, server: str, key: str | None) -> None:
    """Open (``key``) or close (``None``) the server's "no round" alert episode."""
    tx.execute("UPDATE server_heartbeats SET alert_key = ? WHERE server = ?", (key, server))


def heartbeats(tx: Any) -> list[ServerHeartbeat]:
    """Every server's latest heartbeat, by server name."""
    rows = tx.fetchall(f"{_SELECT} ORDER BY h.server")
    return [
        ServerHeartbeat(
            str(r[0]),
            int(r[1]),
            int(r[2]),
            int(r[3]),
            None if r[4] is None else str(r[4]),
            None if r[5] is None else int(r[5]),
            None if r[6] is None else str(r[6]),
            int(r[7]),
            None if r[8] is None else int(r[8]),
        )
        for r in rows
    ]


def judge(beat: ServerHeartbeat, *, now_unix: float, hours: float) -> ServerSilence:
    """Whether ``beat``'s server had players for ``hours`` without a round being stored.

    Silent means: players were seen within the last ``hours``, and the latest time they were
    seen lies more than ``hours`` after the last stored round (or after the first heartbeat,
    for a server that never stored one). So the end of an evening (players leave soon after
    the last round) never counts, and a round arriving ends the silence at once.
    """
    window_s = hours * 3600
    seen = beat.players_seen_unix
    if seen is not None:
        seen = min(seen, beat.received_unix)  # a game-server clock ahead of ours
    recent = seen is not None and now_unix - seen <= window_s
    last = beat.last_round_unix
    baseline = beat.first_received_unix if last is None else last
    silent = recent and seen is not None and seen - baseline > window_s
    since = None if last is None else round((now_unix - last) / 3600, 2)
    return ServerSilence(beat, hours, recent, silent, since)


def server_silence(
    storage: Any, *, now_unix: float, hours: float = DEFAULT_SILENCE_HOURS
) -> list[ServerSilence]:
    """Every server that sent a heartbeat, judged at ``now_unix`` (Unix seconds): the one
    definition of "no round stored for ``hours`` hours while the server had players"."""
    return [judge(b, now_unix=now_unix, hours=hours) for b in storage.heartbeats()]
