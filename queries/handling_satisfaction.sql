-- handling_satisfaction: how satisfied complainants were with the handling, score by score.
-- Grain: one row per satisfaction score (1-5), zero when no complaint got that score.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: satisfaction (1-5), complaints (complaints opened in the period with that score)
-- The sums come from the `-- Measures:` lines: store/generate.py generates them from the rollups
-- (a channel, segment, category or component selection reads the finer ticket rollup) and, as
-- the tests' oracle, from the base views (`python -m servicequality sql NAME --plain`).
with
-- Measures: scored = tickets: satisfaction_1, satisfaction_2, satisfaction_3, satisfaction_4, satisfaction_5
select 1 as satisfaction, satisfaction_1 as complaints from scored
union all select 2, satisfaction_2 from scored
union all select 3, satisfaction_3 from scored
union all select 4, satisfaction_4 from scored
union all select 5, satisfaction_5 from scored
order by satisfaction
