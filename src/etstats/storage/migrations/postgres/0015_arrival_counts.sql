-- etstats schema v14 (PostgreSQL): artifacts per server and kind, kept by triggers, so the
-- pipeline health (the overview page, /v1/diagnostics/pipeline) reads a few rows instead of
-- grouping every archived artifact (docs/performance.md, "Read routes at 100,000 rounds,
-- tenth session"). Row triggers: an insert adds one to its group; an update fires only when
-- it moves the rejected count or the group (the WHEN clause is evaluated without calling the
-- function, so the status updates of every ingest cost nothing more); artifacts are never
-- deleted, the delete trigger exists for completeness.
CREATE TABLE artifact_arrivals (
    server_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    artifacts BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    last_received_unix BIGINT NOT NULL,
    PRIMARY KEY (server_id, kind)
);

CREATE FUNCTION etstats_artifact_arrived() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE artifact_arrivals SET artifacts = artifacts - 1,
            rejected = rejected - (OLD.status = 'rejected')::int,
            last_received_unix = COALESCE((SELECT MAX(a.received_unix) FROM artifacts a
                WHERE a.server_id = OLD.server_id AND a.kind = OLD.kind
                AND (TG_OP = 'DELETE' OR a.sha256 <> NEW.sha256)), 0)
        WHERE server_id = OLD.server_id AND kind = OLD.kind;
        DELETE FROM artifact_arrivals
        WHERE server_id = OLD.server_id AND kind = OLD.kind AND artifacts = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO artifact_arrivals AS t (server_id, kind, artifacts, rejected, last_received_unix)
        VALUES (NEW.server_id, NEW.kind, 1, (NEW.status = 'rejected')::int, NEW.received_unix)
        ON CONFLICT (server_id, kind) DO UPDATE SET artifacts = t.artifacts + 1,
            rejected = t.rejected + excluded.rejected,
            last_received_unix = GREATEST(t.last_received_unix, excluded.last_received_unix);
    END IF;
    RETURN NULL;
END
$body$;

CREATE FUNCTION etstats_artifact_status_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE artifact_arrivals
    SET rejected = rejected + (NEW.status = 'rejected')::int - (OLD.status = 'rejected')::int
    WHERE server_id = NEW.server_id AND kind = NEW.kind;
    RETURN NULL;
END
$body$;

CREATE FUNCTION etstats_artifacts_truncated() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    DELETE FROM artifact_arrivals;
    RETURN NULL;
END
$body$;

CREATE TRIGGER artifact_arrivals_insert AFTER INSERT ON artifacts
    FOR EACH ROW EXECUTE FUNCTION etstats_artifact_arrived();
CREATE TRIGGER artifact_arrivals_delete AFTER DELETE ON artifacts
    FOR EACH ROW EXECUTE FUNCTION etstats_artifact_arrived();
CREATE TRIGGER artifact_arrivals_status AFTER UPDATE OF status ON artifacts
    FOR EACH ROW WHEN ((OLD.status = 'rejected') IS DISTINCT FROM (NEW.status = 'rejected')
        AND OLD.server_id = NEW.server_id AND OLD.kind = NEW.kind
        AND OLD.received_unix = NEW.received_unix)
    EXECUTE FUNCTION etstats_artifact_status_changed();
CREATE TRIGGER artifact_arrivals_moved AFTER UPDATE OF server_id, kind, received_unix ON artifacts
    FOR EACH ROW WHEN (OLD.server_id <> NEW.server_id OR OLD.kind <> NEW.kind
        OR OLD.received_unix <> NEW.received_unix)
    EXECUTE FUNCTION etstats_artifact_arrived();
CREATE TRIGGER artifact_arrivals_truncate AFTER TRUNCATE ON artifacts
    FOR EACH STATEMENT EXECUTE FUNCTION etstats_artifacts_truncated();

INSERT INTO artifact_arrivals (server_id, kind, artifacts, rejected, last_received_unix)
SELECT server_id, kind, COUNT(*), SUM((status = 'rejected')::int), MAX(received_unix)
FROM artifacts GROUP BY server_id, kind;
