-- etstats schema v10 (SQLite): records (best single round per statistic) answered from
-- partial expression indexes, one per statistic of etstats.queries.ladders.RECORD_STATS that a
-- line holds (accuracy needs the weapon lines and is not indexed). Each expression is exactly
-- etstats.queries.statdefs.value_sql(stat, summed=False) without the "p." prefix, so the
-- planner matches it (tests/storage/test_migrations.py checks they stay equal).
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
CREATE INDEX player_round_stats_record_objectives ON player_round_stats (((COALESCE(json_extract(tab_json, '$.objectives_stolen'), 0) + COALESCE(json_extract(tab_json, '$.objectives_returned'), 0) + COALESCE(json_extract(tab_json, '$.dynamites_planted'), 0) + COALESCE(json_extract(tab_json, '$.dynamites_defused'), 0))))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_dpm ON player_round_stats (((1.0 * COALESCE(damage_given, 0) * 10.0 / NULLIF(CAST(ROUND(COALESCE(time_played_minutes, 0) * 10) AS INTEGER), 0))))
    WHERE values_scope = 'round';
CREATE INDEX player_round_stats_record_kd ON player_round_stats (((1.0 * COALESCE(kills, 0) * 1.0 / NULLIF(COALESCE(deaths, 0), 0))))
    WHERE values_scope = 'round';
