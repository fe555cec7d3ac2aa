-- monthly_performance: survey ratings per calendar month, for surveys with or without expectations.
-- Grain: one row per month with rated responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns:
--   month (first day, date)
--   performance_n, mean_performance   respondents with ratings; mean of their overall performance (0-100)
--   satisfaction_n, mean_satisfaction overall satisfaction answers, as percent of maximum possible (0-100)
-- The sums come from the `-- Measures:` line: store/generate.py generates them from rollup_performance_days
-- (per branch, day, channel and segment: the rated respondents, the sum of their overall performance and
-- of their satisfaction answers) and, as the tests' oracle, from the view respondent_performance.
with
-- Measures: rated = performance by month: performance_n, mean_performance, satisfaction_n, mean_satisfaction
select month, performance_n, mean_performance, satisfaction_n, mean_satisfaction
from rated
order by month
