-- placeholder (branch s4-pg only): keeps the sequence gap-free until the real 0012 merges.
SELECT 1;
