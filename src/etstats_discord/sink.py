"""A Discord webhook as an outbox sink: render, send once, edit in place, reconcile.

Per outbox row (docs/discord.md, "Exactly once"):

1. render the subject (round post, map result, alert) within Discord's limits;
2. an identical rendering of what the channel already shows sends nothing;
3. messages that exist are edited (PATCH); missing ones are created with ``wait=true`` and
   their ids stored at once (the journal), so a restart edits instead of posting again;
4. a create that may have happened without an answer (timeout, dropped connection, kill -9)
   leaves the row marked; the next attempt lists the channel's recent messages (with a bot
   token) and adopts the one carrying the row's marker, deleting any duplicate;
5. 401/403/404 disable the target; a 400 is re-rendered once in the compact shape.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from etstats.outbox.model import OutboxEntry
from etstats.outbox.sinks import Journal, Outcome
from etstats.storage.base import Storage
from etstats_discord import limits, posts
from etstats_discord.config import TargetConfig
from etstats_discord.errors import (
    AmbiguousSend,
    MessageGone,
    PayloadRejected,
    TargetGone,
    Unavailable,
)
from etstats_discord.sender import WebhookSender

log = logging.getLogger(__name__)

EDIT_TOO_OLD = 30046
"""Discord refuses edits of messages older than an hour past some count: keep the old one."""


def marker(entry_id: int, part: int) -> str:
    """The footer tag of part ``part`` (0-based) of outbox row ``entry_id``."""
    return f"etstats · #{entry_id}.{part + 1}"


def fingerprint(payloads: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(payloads, sort_keys=True).encode("utf-8")).hexdigest()


class DiscordSink:
    """Deliver outbox rows of one configured target through a :class:`WebhookSender`."""

    def __init__(
        self,
        config: TargetConfig,
        *,
        sender: WebhookSender | None = None,
        wall: Callable[[], float] | None = None,
        **sender_options: Any,
    ) -> None:
        import time

        self.config = config
        self.name = config.name
        self.alerts = config.alerts
        self.kinds = config.kinds
        self._files: dict[tuple[int, int], dict[str, bytes]] = {}
        """(outbox id, part) -> files to upload with that message (the session graph)."""
        self.renderer_version = posts.RENDERER_VERSION
        self.wall = wall or time.time
        self.sender = sender or WebhookSender(
            config.webhook_url,
            api_base=config.api_base,
            bot_token=config.bot_token,
            budget_seconds=config.budget_seconds,
            timeout=config.timeout_seconds,
            **sender_options,
        )

    def close(self) -> None:
        self.sender.close()

    # -- rendering ------------------------------------------------------------------------
    def render(
        self, storage: Storage, entry: OutboxEntry, keys: list[str], *, compact: bool = False
    ) -> list[dict[str, Any]]:
        if entry.kind == "alert":
            messages = [limits.alert_message(entry.ref)]
        elif entry.kind == "round":
            rnd = posts.find_round(storage, keys, entry.ref)
            messages = posts.round_post(storage, rnd, compact=compact)
        elif entry.kind == "map":
            from etstats_discord.mapresult import map_post

            rnd = posts.find_round(storage, keys, entry.ref)
            messages = map_post(storage, rnd, compact=compact)
        elif entry.kind == "session":
            from etstats_discord.mapresult import session_post

            head, sid, _rounds = entry.ref.rsplit(":", 2)
            server = head.split(":", 1)[1]
            session = storage.session(int(sid), server=server)
            if session is None:
                raise posts.SubjectGone(f"no session {sid} on {server}")
            messages = session_post(storage, session, compact=compact)
            if self.config.graphs and not compact:
                from etstats_discord.graph import FILENAME, session_png

                png = session_png(session)
                if png is not None:  # shown under the summary; not part of the fingerprint
                    messages[0]["embeds"][0]["image"] = {"url": f"attachment://{FILENAME}"}
                    messages[0]["attachments"] = [{"id": 0, "filename": FILENAME}]
                    self._files[(entry.id, 0)] = {FILENAME: png}
        else:
            raise posts.SubjectGone(f"no renderer for {entry.kind} posts")
        for i, m in enumerate(messages):
            for e in m.get("embeds", []):
                e["footer"] = {"text": marker(entry.id, i)}
        return messages

    def wants(self, entry: OutboxEntry) -> bool:
        return entry.kind == "alert" if entry.kind == "alert" else entry.kind in self.config.kinds

    # -- delivery -------------------------------------------------------------------------
    def deliver(self, storage: Storage, entry: OutboxEntry, journal: Journal) -> Outcome:
        if not self.wants(entry):
            return Outcome("skipped", error=f"{self.name} does not show {entry.kind} posts")
        with storage.transaction() as tx:
            keys = tx.outbox_keys(entry.id)
        try:
            return self._deliver(storage, entry, journal, keys, compact=False)
        except PayloadRejected as exc:
            self._forget_files(entry.id)
            log.warning("Discord rejected post %s (%s); trying the compact shape", entry.id, exc)
            try:
                out = self._deliver(storage, entry, journal, keys, compact=True)
            except PayloadRejected as again:
                return Outcome(
                    "failed",
                    error=str(again),
                    alert=f"Discord rejected a {entry.kind} post twice: {again}",
                )
            return Outcome(
                out.status,
                out.message_ids,
                out.fingerprint,
                out.retry_after,
                out.error,
                alert=f"Discord rejected a {entry.kind} post ({exc}); "
                "it was sent in the compact shape",
            )
        except TargetGone as exc:
            return Outcome("disable", error=str(exc))
        except AmbiguousSend as exc:
            return Outcome("retry", retry_after=1.0, error=str(exc), target_down=True)
        except Unavailable as exc:
            return Outcome("retry", retry_after=exc.retry_after, error=str(exc), target_down=True)
        except posts.SubjectGone as exc:
            return Outcome("retry", error=str(exc))
        finally:
            self._forget_files(entry.id)

    def _forget_files(self, entry_id: int) -> None:
        for key in [k for k in self._files if k[0] == entry_id]:
            del self._files[key]

    def _deliver(
        self,
        storage: Storage,
        entry: OutboxEntry,
        journal: Journal,
        keys: list[str],
        *,
        compact: bool,
    ) -> Outcome:
        payloads = self.render(storage, entry, keys, compact=compact)
        for p in payloads:
            bad = limits.violations(p)
            if bad:  # a renderer bug: never send what Discord would reject
                raise PayloadRejected(f"rendered post breaks limits: {'; '.join(bad)}")
        fp = fingerprint(payloads)
        ids = entry.ids
        alert = None
        if entry.sending_since_unix is not None:
            ids, alert = self._reconcile(entry, ids, journal)
        elif fp == entry.fingerprint and len(ids) == len(payloads):
            return Outcome("shown", tuple(ids), fp)  # the channel already shows this
        for i, payload in enumerate(payloads):
            files = self._files.pop((entry.id, i), None)
            if i < len(ids):
                try:
                    self.sender.edit(ids[i], payload, files)
                    continue
                except MessageGone:  # deleted in the channel: show it again
                    ids = ids[:i]
                except PayloadRejected as exc:
                    if exc.code == EDIT_TOO_OLD:
                        continue
                    raise
            journal.sending()
            msg = self.sender.execute(payload, files)
            ids.append(str(msg["id"]))
            journal.created(ids)
        for stale in ids[len(payloads) :]:  # the post became shorter
            self.sender.delete(stale)
        ids = ids[: len(payloads)]
        return Outcome("shown", tuple(ids), fp, alert=alert)

    def _reconcile(
        self, entry: OutboxEntry, ids: list[str], journal: Journal
    ) -> tuple[list[str], str | None]:
        """After an interrupted create: adopt the message it made (if any), delete extras."""
        since = (entry.sending_since_unix or self.wall()) - 5.0
        found = self.sender.recent_messages(since)
        if found is None:
            return ids, (
                f"A {entry.kind} post to {self.name} may have been posted twice "
                "(no answer to a create; set a bot token to reconcile exactly)."
            )
        part = len(ids)
        tag = marker(entry.id, part)
        mine = sorted(
            (
                m
                for m in found
                if any((e.get("footer") or {}).get("text") == tag for e in m.get("embeds", []))
            ),
            key=lambda m: int(m["id"]),
        )
        if mine:
            ids = [*ids, str(mine[0]["id"])]
            journal.created(ids)
            for extra in mine[1:]:
                self.sender.delete(str(extra["id"]))
        return ids, None


def open_sink(config: TargetConfig, **options: Any) -> DiscordSink:
    """A sink for ``config`` (what the plugin's :class:`etstats.outbox.OutboxTarget` opens)."""
    return DiscordSink(config, **options)
