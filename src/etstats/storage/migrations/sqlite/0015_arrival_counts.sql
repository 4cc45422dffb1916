-- etstats schema v14 (SQLite): artifacts per server and kind, kept by triggers, so the
-- pipeline health (the overview page, /v1/diagnostics/pipeline) reads a few rows instead of
-- grouping every archived artifact (0.4 s at 300,000 artifacts; docs/performance.md, "Read
-- routes at 100,000 rounds, tenth session"). Artifacts are archived and their status
-- updated, never deleted; the delete trigger exists for completeness (it finds the new latest
-- receipt of the group by a scan of the group's artifacts).
CREATE TABLE artifact_arrivals (
    server_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    artifacts INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    last_received_unix INTEGER NOT NULL,
    PRIMARY KEY (server_id, kind)
);

CREATE TRIGGER artifact_arrivals_insert AFTER INSERT ON artifacts
BEGIN
    INSERT INTO artifact_arrivals (server_id, kind, artifacts, rejected, last_received_unix)
    VALUES (NEW.server_id, NEW.kind, 1, NEW.status = 'rejected', NEW.received_unix)
    ON CONFLICT (server_id, kind) DO UPDATE SET artifacts = artifacts + 1,
        rejected = rejected + excluded.rejected,
        last_received_unix = MAX(last_received_unix, excluded.last_received_unix);
END;

CREATE TRIGGER artifact_arrivals_delete AFTER DELETE ON artifacts
BEGIN
    UPDATE artifact_arrivals SET artifacts = artifacts - 1,
        rejected = rejected - (OLD.status = 'rejected'),
        last_received_unix = COALESCE((SELECT MAX(a.received_unix) FROM artifacts a
            WHERE a.server_id = OLD.server_id AND a.kind = OLD.kind), 0)
    WHERE server_id = OLD.server_id AND kind = OLD.kind;
    DELETE FROM artifact_arrivals
    WHERE server_id = OLD.server_id AND kind = OLD.kind AND artifacts = 0;
END;

-- A status change within the group (the common update: pending to accepted or rejected, and
-- back to pending on a rebuild) only moves the rejected count, and only when it crosses it.
CREATE TRIGGER artifact_arrivals_status AFTER UPDATE OF status ON artifacts
WHEN (OLD.status = 'rejected') <> (NEW.status = 'rejected')
    AND OLD.server_id = NEW.server_id AND OLD.kind = NEW.kind
    AND OLD.received_unix = NEW.received_unix
BEGIN
    UPDATE artifact_arrivals
    SET rejected = rejected + (NEW.status = 'rejected') - (OLD.status = 'rejected')
    WHERE server_id = NEW.server_id AND kind = NEW.kind;
END;

-- A change of group or receipt time (no code path does it): out of the old group, into the new.
CREATE TRIGGER artifact_arrivals_moved AFTER UPDATE OF server_id, kind, received_unix ON artifacts
WHEN OLD.server_id <> NEW.server_id OR OLD.kind <> NEW.kind
    OR OLD.received_unix <> NEW.received_unix
BEGIN
    UPDATE artifact_arrivals SET artifacts = artifacts - 1,
        rejected = rejected - (OLD.status = 'rejected'),
        last_received_unix = COALESCE((SELECT MAX(a.received_unix) FROM artifacts a
            WHERE a.server_id = OLD.server_id AND a.kind = OLD.kind
            AND NOT (a.sha256 = NEW.sha256)), 0)
    WHERE server_id = OLD.server_id AND kind = OLD.kind;
    DELETE FROM artifact_arrivals
    WHERE server_id = OLD.server_id AND kind = OLD.kind AND artifacts = 0;
    INSERT INTO artifact_arrivals (server_id, kind, artifacts, rejected, last_received_unix)
    VALUES (NEW.server_id, NEW.kind, 1, NEW.status = 'rejected', NEW.received_unix)
    ON CONFLICT (server_id, kind) DO UPDATE SET artifacts = artifacts + 1,
        rejected = rejected + excluded.rejected,
        last_received_unix = MAX(last_received_unix, excluded.last_received_unix);
END;

INSERT INTO artifact_arrivals (server_id, kind, artifacts, rejected, last_received_unix)
SELECT server_id, kind, COUNT(*), SUM(status = 'rejected'), MAX(received_unix)
FROM artifacts GROUP BY server_id, kind;
