"""Outbox statements shared by the SQLite and PostgreSQL transactions (a mixin of
:class:`etstats.storage.sql.SqlTx`). Parameterised SQL only; column names come from
:data:`etstats.outbox.model.OUTBOX_COLUMNS`, never from input."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from etstats.outbox.model import OUTBOX_COLUMNS, UPDATABLE, OutboxEntry
from etstats.storage.base import ROUND_COLUMNS, StoredRound

_SELECT = f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM outbox"  # noqa: S608 - fixed names


class OutboxTxMixin:
    """Outbox reads and writes inside one transaction."""

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        raise NotImplementedError

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def outbox_enqueue(
        self, target: str, kind: str, renderer_version: int, keys: Sequence[str], ref: str, now: int
    ) -> int:
        """Create or touch the row of this subject; returns its id.

        ``keys`` name the subject (any of them found under the same target, kind and renderer
        version is the same subject: a round keeps its row when a late artifact joins it, and
        after ``rebuild`` gives it a new id). A touched row gets a new generation, so the worker
        renders it again (and edits the message only if the rendering changed).
        """
        if not keys:
            raise ValueError("an outbox subject needs at least one key")
        hit = self.outbox_lookup(target, kind, renderer_version, keys)
        if hit is None:
            row = self.fetchone(
                "INSERT INTO outbox (target, subject, kind, renderer_version, ref, "
                "created_unix, updated_unix) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (target, subject, kind, renderer_version) DO NOTHING RETURNING id",
                (target, keys[0], kind, renderer_version, ref, now, now),
            )
            if row is None:  # the subject key exists without its key row (should not happen)
                row = self.fetchone(
                    "SELECT id FROM outbox WHERE target = ? AND subject = ? AND kind = ? "
                    "AND renderer_version = ?",
                    (target, keys[0], kind, renderer_version),
                )
                if row is None:  # pragma: no cover - the INSERT conflicted on this very row
                    raise RuntimeError("outbox row vanished")
                self._touch(int(row[0]), ref, now)
            outbox_id = int(row[0])
        else:
            outbox_id = hit.id
            self._touch(outbox_id, ref, now)
        for key in keys:
            self.execute(
                "INSERT INTO outbox_keys (target, kind, renderer_version, key, outbox_id) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (target, kind, renderer_version, key, outbox_id),
            )
        return outbox_id

    def outbox_lookup(
        self, target: str, kind: str, renderer_version: int, keys: Sequence[str]
    ) -> OutboxEntry | None:
        """The row of the subject any of ``keys`` names (the oldest if several), or ``None``."""
        if not keys:
            return None
        marks = ", ".join("?" for _ in keys)
        row = self.fetchone(
            f"{_SELECT} WHERE id = (SELECT min(outbox_id) FROM outbox_keys "  # noqa: S608
            f"WHERE target = ? AND kind = ? AND renderer_version = ? AND key IN ({marks}))",
            (target, kind, renderer_version, *keys),
        )
        return None if row is None else OutboxEntry.from_row(row)

    def _touch(self, outbox_id: int, ref: str, now: int) -> None:
        self.execute(
            "UPDATE outbox SET generation = generation + 1, ref = ?, updated_unix = ?, "
            "state = CASE WHEN state IN ('sent', 'failed') THEN 'pending' ELSE state END "
            "WHERE id = ?",
            (ref, now, outbox_id),
        )

    def outbox_get(self, outbox_id: int) -> OutboxEntry | None:
        row = self.fetchone(f"{_SELECT} WHERE id = ?", (outbox_id,))
        return None if row is None else OutboxEntry.from_row(row)

    def outbox_due(self, target: str, now: float, limit: int = 50) -> list[OutboxEntry]:
        """Pending rows of ``target`` whose retry time has come, oldest first."""
        rows = self.fetchall(
            f"{_SELECT} WHERE target = ? AND state = 'pending' AND next_attempt_unix <= ? "
            "ORDER BY id LIMIT ?",
            (target, now, limit),
        )
        return [OutboxEntry.from_row(r) for r in rows]

    def outbox_next_due(self, target: str) -> float | None:
        """Earliest retry time (Unix seconds) of ``target``'s pending rows; ``None`` if none."""
        row = self.fetchone(
            "SELECT min(next_attempt_unix) FROM outbox WHERE target = ? AND state = 'pending'",
            (target,),
        )
        return None if row is None or row[0] is None else float(row[0])

    def outbox_update(self, outbox_id: int, now: int, **values: Any) -> None:
        """Set worker columns (:data:`UPDATABLE`) of one row."""
        bad = set(values) - UPDATABLE
        if bad:
            raise ValueError(f"not updatable: {sorted(bad)}")
        sets = ", ".join(f"{k} = ?" for k in values)
        self.execute(
            f"UPDATE outbox SET {sets}, updated_unix = ? WHERE id = ?",  # noqa: S608
            (*values.values(), now, outbox_id),
        )

    def outbox_finish(self, outbox_id: int, generation: int, now: int, **values: Any) -> None:
        """Record that ``generation`` is shown: ``sent`` unless a newer enqueue came since."""
        self.outbox_update(
            outbox_id,
            now,
            delivered_generation=generation,
            attempts=0,
            next_attempt_unix=0,
            last_error=None,
            sending_since_unix=None,
            **values,
        )
        self.execute(
            "UPDATE outbox SET state = CASE WHEN generation = ? THEN 'sent' "
            "ELSE 'pending' END WHERE id = ?",
            (generation, outbox_id),
        )

    def outbox_defer_target(self, target: str, until: float) -> None:
        """Move every pending row of ``target`` due before ``until`` (Unix seconds) to it: the
        target is down, so its rows wait together instead of failing one by one."""
        self.execute(
            "UPDATE outbox SET next_attempt_unix = ? WHERE target = ? "
            "AND state = 'pending' AND next_attempt_unix < ?",
            (until, target, until),
        )

    def outbox_counts(self) -> dict[tuple[str, str], int]:
        """Rows per (target, state)."""
        rows = self.fetchall(
            "SELECT target, state, count(*) FROM outbox "
            "GROUP BY target, state ORDER BY target, state"
        )
        return {(str(t), str(s)): int(n) for t, s, n in rows}

    def outbox_find(self, target: str | None, key: str) -> list[OutboxEntry]:
        """Rows (of ``target``, or of every target) having ``key`` among their subject keys."""
        rows = self.fetchall(
            f"{_SELECT} WHERE id IN (SELECT outbox_id FROM outbox_keys WHERE key = ? "  # noqa: S608
            "AND (CAST(? AS TEXT) IS NULL OR target = ?)) ORDER BY id",
            (key, target, target),
        )
        return [OutboxEntry.from_row(r) for r in rows]

    def outbox_keys(self, outbox_id: int) -> list[str]:
        return [
            str(r[0])
            for r in self.fetchall(
                "SELECT key FROM outbox_keys WHERE outbox_id = ? ORDER BY key", (outbox_id,)
            )
        ]

    def round_by_id(self, round_id: int) -> StoredRound | None:
        """The round with this id (``None`` if it is gone)."""
        row = self.fetchone(
            f"SELECT id, {', '.join(ROUND_COLUMNS)} FROM rounds WHERE id = ?",  # noqa: S608
            (round_id,),
        )
        return None if row is None else StoredRound(*row)

    # -- heartbeats (etstats.queries.heartbeats holds the SQL) -------------------------------
    def record_heartbeat(
        self, server: str, *, sent_unix: int, received_unix: int, players: int, map_name: str | None
    ) -> bool:
        """Keep a server's heartbeat if it is its newest; returns whether it was kept."""
        from etstats.queries.heartbeats import record_heartbeat

        return record_heartbeat(
            self,
            server,
            sent_unix=sent_unix,
            received_unix=received_unix,
            players=players,
            map_name=map_name,
        )

    def set_heartbeat_alert(self, server: str, key: str | None) -> None:
        """Open (``key``) or close (``None``) a server's "no round" alert episode."""
        from etstats.queries.heartbeats import set_alert_key

        set_alert_key(self, server, key)

    # -- targets ---------------------------------------------------------------------------
    def target_disabled(self, name: str) -> str | None:
        """Why ``name`` is disabled (``None``: it is not)."""
        row = self.fetchone("SELECT disabled_reason FROM delivery_targets WHERE name = ?", (name,))
        return None if row is None or row[0] is None else str(row[0])

    def set_target_disabled(self, name: str, reason: str | None, now: int) -> None:
        """Disable (``reason``) or re-enable (``None``) a target; disabled rows come back."""
        self.execute(
            "INSERT INTO delivery_targets (name, disabled_reason, disabled_unix, created_unix) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
            "disabled_reason = excluded.disabled_reason, disabled_unix = excluded.disabled_unix",
            (name, reason, now if reason else None, now),
        )
        if reason is None:
            self.execute(
                "UPDATE outbox SET state = 'pending', next_attempt_unix = 0 "
                "WHERE target = ? AND state = 'disabled'",
                (name,),
            )
