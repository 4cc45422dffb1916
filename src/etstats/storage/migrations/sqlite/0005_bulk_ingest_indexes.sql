-- etstats schema v6: indexes for bulk ingest at scale (docs/performance.md, "Ingest").
-- artifacts_receipt: `rebuild` walks the archive in pages by (received_unix, sha256).
-- rounds_r1: deleting a round sets r1_round_id = NULL in its round 2s; without an index
-- that foreign-key action scans every round.
CREATE INDEX artifacts_receipt ON artifacts (received_unix, sha256);
CREATE INDEX rounds_r1 ON rounds (r1_round_id);
