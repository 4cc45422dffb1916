-- etstats schema v10 (PostgreSQL): records (best single round per statistic) answered from
-- partial expression indexes, one per statistic of etstats.queries.ladders.RECORD_STATS that a
-- line holds (accuracy needs the weapon lines and is not indexed). Each expression is exactly
-- etstats.queries.statdefs.value_sql(stat, summed=False) without the "p." prefix, so the
-- planner matches it (tests/storage/test_migrations.py checks they stay equal).
-- Also: every statement writing player or weapon lines (or deleting a round) first takes one
-- transaction-scoped advisory lock, so writers of player lines run one after another from
-- their first line write to their commit. Without it two writers whose transactions touch
-- overlapping players' player_totals rows in different orders (e.g. `serve` and `ingest`
-- each writing several rounds) deadlock, and PostgreSQL aborts one of them.
CREATE INDEX player_round_stats_record_kills ON player_round_stats ((COALESCE(kills, 0)))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_damage_given ON player_round_stats ((COALESCE(damage_given, 0)))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_gibs ON player_round_stats ((COALESCE(gibs, 0)))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_revives_given ON player_round_stats ((COALESCE(revives_given, 0)))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_headshot_kills ON player_round_stats ((COALESCE(headshot_kills, 0)))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_objectives ON player_round_stats (((COALESCE((tab_json::json ->> 'objectives_stolen')::double precision, 0) + COALESCE((tab_json::json ->> 'objectives_returned')::double precision, 0) + COALESCE((tab_json::json ->> 'dynamites_planted')::double precision, 0) + COALESCE((tab_json::json ->> 'dynamites_defused')::double precision, 0))))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_dpm ON player_round_stats (((1.0 * COALESCE(damage_given, 0) * 10.0 / NULLIF(CAST(ROUND(COALESCE(time_played_minutes, 0) * 10) AS INTEGER), 0))))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_kd ON player_round_stats (((1.0 * COALESCE(kills, 0) * 1.0 / NULLIF(COALESCE(deaths, 0), 0))))
    WHERE values_scope = 'round';

CREATE FUNCTION etstats_lock_player_lines() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    -- key "etsp" (one bigint key: never equal to lock_group's two-int keys); re-taking a
    -- held transaction lock is a no-op
    PERFORM pg_advisory_xact_lock(1702130544);
    RETURN NULL;
END
$body$;
CREATE TRIGGER player_lines_writer_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON player_round_stats FOR EACH STATEMENT EXECUTE FUNCTION etstats_lock_player_lines();
CREATE TRIGGER weapon_lines_writer_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON weapon_stats FOR EACH STATEMENT EXECUTE FUNCTION etstats_lock_player_lines();
CREATE TRIGGER rounds_delete_writer_lock BEFORE DELETE
    ON rounds FOR EACH STATEMENT EXECUTE FUNCTION etstats_lock_player_lines();
