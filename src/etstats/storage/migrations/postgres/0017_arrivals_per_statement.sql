-- etstats schema v17 (PostgreSQL): the artifact counts of migration 0015 kept per INSERT
-- statement instead of per row. The row trigger called a plpgsql upsert for every archived
-- artifact (about 55 µs of server CPU each); this statement trigger reads the statement's new
-- rows (a transition table) and upserts one row per (server, kind) of them, so the bulk
-- path's one INSERT per batch (etstats.storage.postgres.PgTx.insert_artifacts) costs one
-- grouped upsert. A single arrival's INSERT still fires it once. The counts are the same:
-- an artifact skipped by ON CONFLICT DO NOTHING is not in the transition table, as it fired
-- no row trigger. Updates and deletes keep their row triggers (rare; see 0015).
CREATE FUNCTION etstats_artifacts_arrived() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    INSERT INTO artifact_arrivals AS t (server_id, kind, artifacts, rejected, last_received_unix)
    SELECT server_id, kind, COUNT(*), SUM((status = 'rejected')::int), MAX(received_unix)
    FROM arrived GROUP BY server_id, kind
    ON CONFLICT (server_id, kind) DO UPDATE SET artifacts = t.artifacts + excluded.artifacts,
        rejected = t.rejected + excluded.rejected,
        last_received_unix = GREATEST(t.last_received_unix, excluded.last_received_unix);
    RETURN NULL;
END
$body$;

DROP TRIGGER artifact_arrivals_insert ON artifacts;
CREATE TRIGGER artifact_arrivals_insert AFTER INSERT ON artifacts
    REFERENCING NEW TABLE AS arrived
    FOR EACH STATEMENT EXECUTE FUNCTION etstats_artifacts_arrived();
