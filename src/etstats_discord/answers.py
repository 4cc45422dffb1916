"""What each cog command answers, as message payloads (no discord import; blocking).

Users name things by what they see: ``last``, a map name, a date (``2026-01-31``), a round
number; never internal ids. Every answer goes through :func:`etstats_discord.limits.pack`, so
it is within Discord's limits and long answers continue in more messages. Times are Discord
time tags (each reader sees their own timezone).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from typing import Any

from etstats.errors import EtStatsError
from etstats.queries import UnknownStatistic, Window, stat_names
from etstats.queries.types import Career, RoundSummary
from etstats.storage.base import Storage, StoredRound
from etstats_discord import limits, posts
from etstats_discord.limits import md
from etstats_discord.mapresult import map_post, session_post

Messages = list[dict[str, Any]]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WINDOWS = {"all": None, "session": "session", "7d": 7, "30d": 30, "90d": 90, "365d": 365}
"""``leaderboard`` windows: all time, the latest session, or the last N days."""


class QueryError(EtStatsError):
    """The question cannot be answered as asked (shown to the user as written)."""


def _info(title: str, text: str, fields: list[dict[str, Any]] | None = None) -> Messages:
    return limits.pack(title, text, fields or [], colour=0x5865F2, footer="etstats")


def _stored(storage: Storage, round_id: int) -> StoredRound:
    return posts.load_round(storage, round_id)


def _day(text: str) -> tuple[int, int]:
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"{md(text)} is not a date like 2026-01-31") from None
    start = int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())
    return start, start + 86400


def find_round(
    storage: Storage,
    what: str | None,
    *,
    round_number: int | None = None,
    completes_map: bool = False,
) -> RoundSummary:
    """The round a user names: nothing or ``last`` (the latest), a map name, a date (the
    latest round of that UTC day), optionally with a round number."""
    words = (what or "").split()
    day = next((w for w in words if _DATE.match(w)), None)
    nums = [int(w) for w in words if w.isdigit() and len(w) <= 2]
    number = 2 if completes_map else round_number or (nums[0] if nums else None)
    names = [w for w in words if w != day and not (w.isdigit() and len(w) <= 2) and w != "last"]
    since, until = _day(day) if day else (None, None)
    found = storage.list_rounds(
        map_name=names[0] if names else None,
        round_number=number,
        since_unix=since,
        until_unix=until,
        limit=20,
    )
    # a round known only from its endstats file has no scoreboard: prefer one with players
    found = sorted(found, key=lambda r: r.players == 0)[:1]
    if not found and names:  # a part of the map name ("adler" for etl_adlernest)
        recent = storage.list_rounds(
            round_number=number, since_unix=since, until_unix=until, limit=200
        )
        found = [r for r in recent if names[0].casefold() in r.map_name.casefold()][:1]
    if not found:
        raise QueryError(f"No round matches {md(what or 'last')}.")
    return found[0]


def answer_round(storage: Storage, what: str | None = None, number: int | None = None) -> Messages:
    r = find_round(storage, what, round_number=number)
    return posts.round_post(storage, _stored(storage, r.id))


def answer_map(storage: Storage, what: str | None = None) -> Messages:
    r = find_round(storage, what, completes_map=True)
    return map_post(storage, _stored(storage, r.id))


def answer_session(storage: Storage, when: str | None = None) -> Messages:
    """``last`` (default) or a date: that UTC day's latest session."""
    if not when or when == "last":  # sessions are made of rounds with players only
        session = storage.latest_session()
    else:
        since, until = _day(when)
        summaries = [s for s in storage.sessions(limit=500) if since <= s.start_unix < until]
        session = (
            storage.session(summaries[0].id, server=summaries[0].server) if summaries else None
        )
    if session is None:
        raise QueryError(f"No session found for {md(when or 'last')}.")
    return session_post(storage, session)


def _career(storage: Storage, query: str, discord_id: str | None) -> Career:
    if discord_id is not None:
        ref = storage.player_for_account("discord", discord_id)
        if ref is None:
            raise QueryError(
                "That Discord account is not linked to a player yet: use "
                "`/etstats link <your name>`."
            )
        guid = ref.guid
    else:
        match = storage.find_players(query)
        if not match.players:
            raise QueryError(f'No player matches "{md(query)}".')
        if len(match.players) > 1:
            names = ", ".join(f"{md(p.name)} (`{p.guid[:8]}`)" for p in match.players[:10])
            raise QueryError(
                f'"{md(query)}" matches several players: {names}. Ask again '
                "with more of the name or a GUID prefix."
            )
        guid = match.players[0].guid
    career = storage.career(guid)
    if career is None:
        raise QueryError("No rounds are stored for that player.")
    return career


def _career_lines(c: Career) -> list[str]:
    t = c.totals
    played = f"{t.time_played_minutes / 60:.1f} h"
    lines = [
        f"**{t.rounds}** rounds · {played} played",
        f"Kills **{t.kills}** · deaths {t.deaths} · K/D {posts._num(t.kd, '{:.2f}')}",
        f"Damage {t.damage_given} given, {t.damage_received} received · "
        f"DPM **{posts._num(t.dpm)}**",
        f"Accuracy {posts._num(t.accuracy and t.accuracy * 100, '{:.1f}%')} · "
        f"headshots {t.headshot_kills} · revives {t.revives_given} · gibs {t.gibs}",
    ]
    if c.first_unix and c.last_unix:
        lines.append(f"Seen <t:{c.first_unix}:d> – <t:{c.last_unix}:R>")
    return lines


def answer_player(storage: Storage, query: str = "", discord_id: str | None = None) -> Messages:
    c = _career(storage, query, discord_id)
    fields = []
    if c.by_map:
        maps = [
            f"{md(m.map_name)}: {m.totals.rounds} rounds, DPM {posts._num(m.totals.dpm)}"
            for m in sorted(c.by_map, key=lambda m: -m.totals.rounds)[:10]
        ]
        fields.append({"name": "Most played maps", "value": "\n".join(maps), "inline": False})
    if len(c.names) > 1:
        fields.append(
            {
                "name": "Also known as",
                "value": ", ".join(md(n) for n in c.names[:15]),
                "inline": False,
            }
        )
    return _info(md(c.player.name), "\n".join(_career_lines(c)), fields)


def answer_compare(storage: Storage, a: str, b: str) -> Messages:
    ca, cb = _career(storage, a, None), _career(storage, b, None)
    rows = [
        ("Rounds", ca.totals.rounds, cb.totals.rounds),
        ("Kills", ca.totals.kills, cb.totals.kills),
        ("K/D", ca.totals.kd, cb.totals.kd),
        ("DPM", ca.totals.dpm, cb.totals.dpm),
        (
            "Accuracy %",
            ca.totals.accuracy and ca.totals.accuracy * 100,
            cb.totals.accuracy and cb.totals.accuracy * 100,
        ),
        ("Revives", ca.totals.revives_given, cb.totals.revives_given),
        ("Gibs", ca.totals.gibs, cb.totals.gibs),
    ]
    wa, wb = limits.cell(ca.player.name, 12), limits.cell(cb.player.name, 12)
    table = [f"{'':<10} {wa:>12} {wb:>12}"] + [
        f"{label:<10} {posts._num(x, '{:.1f}' if isinstance(x, float) else '{}'):>12} "
        f"{posts._num(y, '{:.1f}' if isinstance(y, float) else '{}'):>12}"
        for label, x, y in rows
    ]
    return _info(
        f"{md(ca.player.name)} vs {md(cb.player.name)}",
        "All-time totals.",
        limits.code_fields("Side by side", table),
    )


def _window(storage: Storage, window: str) -> Window:
    if window not in WINDOWS:
        raise QueryError(f"Window is one of: {', '.join(WINDOWS)}.")
    days = WINDOWS[window]
    if days is None:
        return Window()
    if days == "session":
        latest = storage.latest_session()
        if latest is None:
            raise QueryError("No session is stored yet.")
        return Window(session_id=latest.id, server=latest.server)
    return Window.last_days(float(days), int(time.time()))


def answer_leaderboard(storage: Storage, stat: str, window: str = "all") -> Messages:
    try:
        board = storage.leaderboard(stat, window=_window(storage, window), limit=20)
    except UnknownStatistic:
        raise QueryError(f"Unknown statistic. Try one of: {', '.join(stat_names())}.") from None
    if not board.entries:
        return _info(
            f"Leaderboard: {stat}",
            f"Nobody has enough rounds in this window yet (at least {board.min_rounds} rounds).",
        )
    fmt = "{:.0f}" if all(float(e.value).is_integer() for e in board.entries) else "{:.2f}"
    table = [f"{'#':>2} {'Player':<16} {stat[:8]:>8} {'Rnds':>5}"] + [
        f"{e.rank:>2} {limits.cell(e.name, 16):<16} {fmt.format(e.value):>8} {e.rounds:>5}"
        for e in board.entries
    ]
    return _info(
        f"Leaderboard: {stat} ({window})",
        f"At least {board.min_rounds} rounds to be ranked.",
        limits.code_fields("Top players", table),
    )


def answer_records(storage: Storage) -> Messages:
    records = storage.records()
    if not records:
        return _info("Records", "No records yet.")
    lines = [
        f"**{r.stat}** ({r.scope}): {md(r.name)} {posts._num(r.value, '{:.1f}')} on "
        f"{md(r.map_name)}, <t:{r.when_unix}:d>"
        for r in records
    ]
    return _info(
        "Records",
        "",
        [
            {"name": "Best single round and best map", "value": v, "inline": False}
            for v in limits.chunks(lines, limits.FIELD_VALUE)
        ],
    )


def answer_link(storage: Storage, discord_id: str, query: str, confirm: bool) -> Messages:
    """Step 1 (``confirm`` false): show who ``query`` is; step 2: link the account."""
    match = storage.find_players(query)
    if len(match.players) != 1:
        raise QueryError(
            f'"{md(query)}" must name exactly one player (found '
            f"{len(match.players)}); use more of the name or a GUID prefix."
        )
    p = match.players[0]
    if not confirm:
        return _info(
            "Link your account?",
            f"This links your Discord account to "
            f"**{md(p.name)}** (GUID `{p.guid[:8]}`…). Run the command again with "
            "`confirm: True` to do it.",
        )
    storage.link_account("discord", discord_id, p.guid)
    return _info(
        "Linked",
        f"Your Discord account now shows as **{md(p.name)}**. "
        "`/etstats player me` shows your stats.",
    )


def answer_unlink(storage: Storage, discord_id: str) -> Messages:
    done = storage.unlink("discord", discord_id)
    return _info(
        "Unlinked" if done else "Not linked",
        "Your Discord account is no longer linked."
        if done
        else "Your Discord account was not linked to a player.",
    )


def answer_status(storage: Storage) -> Messages:
    """Admin status: last round per server, outbox depth, failing targets, store health.
    Never the store URL or any password."""
    counts = storage.store_counts()
    servers = [str(row[1]) for row in storage.table_rows("servers")]
    arrivals = []
    for name in servers[:20]:
        last = storage.list_rounds(server=name, limit=1)
        if last:
            arrivals.append(
                f"{md(name)}: {md(last[0].map_name)} round {last[0].round_number}"
                f", <t:{last[0].start_unix}:R>"
            )
    with storage.transaction() as tx:
        outbox = tx.outbox_counts()
        targets = sorted({t for t, _ in outbox})
        disabled = {t: tx.target_disabled(t) for t in targets}
    depth = [
        f"{md(t)}: "
        + ", ".join(f"{n} {s}" for (tt, s), n in outbox.items() if tt == t)
        + (" · **disabled**" if disabled[t] else "")
        for t in targets
    ]
    health = (
        f"schema version {storage.schema_version()} · {counts.rounds} rounds · "
        f"{counts.player_lines} player lines · "
        + ", ".join(f"{n} {k} files" for k, n in sorted(counts.artifacts.items()))
    )
    fields = [
        {"name": "Last round per server", "value": "\n".join(arrivals) or "none", "inline": False},
        {"name": "Outbox", "value": "\n".join(depth) or "empty", "inline": False},
        {"name": "Store", "value": health, "inline": False},
    ]
    beats = _heartbeat_lines(storage)
    if beats:
        fields.insert(1, {"name": "Heartbeats", "value": "\n".join(beats), "inline": False})
    return _info("etstats status", "", fields)


def _heartbeat_lines(storage: Storage, most: int = 20) -> list[str]:
    """Servers that send heartbeats: players at the last one and the no-round fact (the same
    function as the admin alert)."""
    from etstats.outbox.silence import silence_hours
    from etstats.queries.heartbeats import server_silence

    out = []
    for s in server_silence(storage, now_unix=time.time(), hours=silence_hours())[:most]:
        b = s.heartbeat
        where = f" on {md(b.map_name)}" if b.map_name else ""
        warning = (
            f" · ⚠️ **no round stored for {s.hours:g} h while players were on**" if s.silent else ""
        )
        out.append(f"{md(b.server)}: {b.players} players{where}, <t:{b.received_unix}:R>{warning}")
    return out


def answer_redeliver(storage: Storage, what: str | None) -> Messages:
    """Re-render and edit (or re-post) every post of a round, its map and session."""
    r = find_round(storage, what)
    rnd = _stored(storage, r.id)
    keys = [f"sha:{sha}" for sha in rnd.linked.values()] + [
        f"sess:{sha}" for sha in rnd.linked.values()
    ]
    touched = 0
    with storage.transaction() as tx:
        for key in keys:
            for entry in tx.outbox_find(None, key):
                tx.outbox_update(
                    entry.id,
                    int(time.time()),
                    fingerprint=None,
                    state="pending",
                    next_attempt_unix=0,
                )
                touched += 1
    if not touched:
        raise QueryError(f"Nothing was delivered for {md(r.map_name)} round {r.round_number}.")
    return _info(
        "Redelivery queued",
        f"{touched} post(s) of {md(r.map_name)} round "
        f"{r.round_number} (<t:{r.start_unix}:f>) will be shown again.",
    )


def answer_reconcile(storage: Storage, what: str | None) -> Messages:
    """Admin: re-reconcile a round from its archived files."""
    from etstats_discord import embeds
    from etstats_discord.reconcile_summary import reconcile_summary

    r = find_round(storage, what)
    embed = embeds.reconcile_embed(reconcile_summary(storage, r.id))
    embed["title"] = f"Reconciliation: {md(r.map_name)} round {r.round_number}"
    embed["description"] = limits.chunks(
        [f"🕒 <t:{r.start_unix}:f>", embed.get("description", "")], limits.DESCRIPTION
    )[0]
    return [{"embeds": [embed], "allowed_mentions": dict(limits.NO_MENTIONS)}]
