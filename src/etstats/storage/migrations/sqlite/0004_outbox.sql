-- etstats schema v4 (SQLite): the durable outbox of posts to delivery targets (docs/discord.md).
-- One row per (target, subject, kind, renderer version): the idempotency key. Ingest only
-- enqueues (inside its own transaction); a drain worker sends and records the message ids.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    subject TEXT NOT NULL,
    kind TEXT NOT NULL,
    renderer_version INTEGER NOT NULL,
    ref TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'failed', 'disabled', 'skipped')),
    generation INTEGER NOT NULL DEFAULT 1,
    delivered_generation INTEGER NOT NULL DEFAULT 0,
    message_ids TEXT NOT NULL DEFAULT '[]',
    fingerprint TEXT,
    sending_since_unix REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_unix REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    created_unix INTEGER NOT NULL,
    updated_unix INTEGER NOT NULL,
    UNIQUE (target, subject, kind, renderer_version)
);
CREATE INDEX outbox_due ON outbox (target, state, next_attempt_unix);

CREATE TABLE outbox_keys (
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    renderer_version INTEGER NOT NULL,
    key TEXT NOT NULL,
    outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    PRIMARY KEY (target, kind, renderer_version, key)
);

CREATE TABLE delivery_targets (
    name TEXT PRIMARY KEY,
    disabled_reason TEXT,
    disabled_unix INTEGER,
    created_unix INTEGER NOT NULL
);
