-- etstats schema v21 (SQLite): the running totals of a first load computed once at its end.
-- While a row of totals_refill exists, writes of lines leave player_totals and
-- player_name_lines as they are (their upserts per batch landed all over two trees of one row
-- per player, and grew with the store: docs/performance.md, "A first load's running totals
-- at its end (seventeenth session)"); the load that set it recomputes both from every line
-- when it ends and removes it, and an open that finds it (a load killed in between) does the
-- same (etstats.storage.bulk_totals).
CREATE TABLE totals_refill (
    flag INTEGER PRIMARY KEY CHECK (flag = 1)
);
