-- etstats schema v16 (SQLite): the raw bytes of each artifact in a table of their own.
-- An artifact's status columns change twice per `etstats rebuild` (the clear, then its
-- batch), and SQLite rewrites a changed row whole, overflow pages included: with the bytes
-- in the same row, every rebuild wrote the whole archive twice (docs/performance.md, "SQLite
-- rebuild: the archive written once (tenth session)"). The bytes are copied once here; on a
-- large store this takes about the archive's size again in free disk for the WAL until the
-- next checkpoint, and the file keeps the old pages as free pages (reused by later ingests;
-- `VACUUM` returns them).
CREATE TABLE artifact_bytes (
    sha256 TEXT PRIMARY KEY REFERENCES artifacts (sha256) ON DELETE CASCADE,
    data BLOB NOT NULL
);
INSERT INTO artifact_bytes (sha256, data) SELECT sha256, data FROM artifacts;
ALTER TABLE artifacts DROP COLUMN data;
