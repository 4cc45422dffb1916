"""The admin alert "no round stored for N hours while the server had players", once per
episode (docs/discord.md, "Admin alerts").

The fact itself is :func:`etstats.queries.heartbeats.server_silence` (the HTTP health view
shows the same). An episode is the time since a server's last stored round: it is opened
(one alert) when the server turns silent and closed when a round of it is stored, which edits
the alert to say so. The open episode is kept in the store (``server_heartbeats.alert_key``),
so a restarted worker neither alerts again nor forgets to close it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from etstats.errors import ConfigError
from etstats.outbox.enqueue import enqueue_alert
from etstats.outbox.sinks import Sink
from etstats.queries.heartbeats import DEFAULT_SILENCE_HOURS, ServerSilence, server_silence
from etstats.storage.base import Storage

log = logging.getLogger(__name__)

HOURS_ENV = "ETSTATS_NO_ROUND_HOURS"
"""N of the alert, in hours (default :data:`DEFAULT_SILENCE_HOURS`)."""


def silence_hours(value: str | None = None) -> float:
    """N from ``$ETSTATS_NO_ROUND_HOURS`` (or ``value``); raises ConfigError if not > 0."""
    raw = os.environ.get(HOURS_ENV, "") if value is None else value
    if not raw.strip():
        return DEFAULT_SILENCE_HOURS
    try:
        hours = float(raw)
    except ValueError:
        hours = -1.0
    if not 0 < hours < 24 * 365:
        raise ConfigError(f"{HOURS_ENV} must be a number of hours above 0")
    return hours


def episode_key(s: ServerSilence) -> str:
    """Names one episode: the server and the stored round (or first heartbeat) it counts
    from. A round stored later names a new episode."""
    beat = s.heartbeat
    since = beat.first_received_unix if beat.last_round_unix is None else beat.last_round_unix
    return f"no-round:{beat.server}:{since}"


def _hours(h: float) -> str:
    return f"{h:g} hour" + ("" if h == 1 else "s")


def silence_text(s: ServerSilence) -> str:
    """The alert of an open episode (plain text, Discord time tags; no mentions)."""
    beat = s.heartbeat
    last = (
        "No round of it was ever stored"
        if beat.last_round_unix is None
        else f"Last round stored <t:{beat.last_round_unix}:f> (<t:{beat.last_round_unix}:R>)"
    )
    where = f" on `{beat.map_name}`" if beat.map_name else ""  # a file name (the receiver checks)
    return (
        f"No round stored for {_hours(s.hours)} while `{beat.server}` had players. "
        f"{last}; players seen <t:{beat.players_seen_unix}:R> ({beat.players}{where} at the "
        f"last heartbeat, <t:{beat.received_unix}:R>). "
        "Check the stats-file delivery (`etstats watch` / `etstats push`) and `etstats serve`."
    )


def resolved_text(s: ServerSilence, since: int) -> str:
    """The alert once its episode (counted from ``since``, Unix seconds) closed: a round was
    stored."""
    when = s.heartbeat.last_round_unix
    return (
        f"Resolved: a round of `{s.heartbeat.server}` was stored <t:{when}:f>. "
        f"(No round had been stored since <t:{since}:f> while players were on.)"
    )


def _since(key: str | None) -> int | None:
    """The Unix seconds an episode key counts from (``None``: no key, or not one of ours)."""
    tail = (key or "").rsplit(":", 1)[-1]
    return int(tail) if tail.isascii() and tail.isdigit() else None


def alert_silent_servers(
    storage: Storage, sinks: Mapping[str, Sink], now: float, *, hours: float | None = None
) -> int:
    """Open and close "no round" episodes at ``now`` (Unix seconds): one alert per episode to
    every alert target, edited when the episode closes. Returns the alerts written."""
    hours = silence_hours() if hours is None else hours
    targets = [name for name, s in sinks.items() if s.alerts]
    written = 0
    for s in server_silence(storage, now_unix=now, hours=hours):
        beat, key = s.heartbeat, episode_key(s)
        opened_at = _since(beat.alert_key)
        stored = beat.last_round_unix
        if opened_at is not None and stored is not None and stored > opened_at:  # a new round
            text, dedupe, new_key = resolved_text(s, opened_at), beat.alert_key, None
        elif beat.alert_key is None and s.silent:
            text, dedupe, new_key = silence_text(s), key, key
        else:
            continue
        if not targets:
            log.warning("no-round alert (no admin target configured): %s", text)
        with storage.transaction() as tx:
            for name in targets:
                enqueue_alert(tx, name, text, dedupe=dedupe, now=int(now))
            tx.set_heartbeat_alert(beat.server, new_key)
        written += 1
    return written
