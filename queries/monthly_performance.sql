-- monthly_performance: survey ratings per calendar month, for surveys with or without expectations.
-- Grain: one row per month with rated responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Reads rollup_performance_days (servicequality/store/rollups.py: per branch, day, channel and segment,
-- the rated respondents, the sum of their overall performance, and their satisfaction answers).
-- Columns:
--   month (first day, date)
--   performance_n, mean_performance   respondents with ratings; mean of their overall performance (0-100)
--   satisfaction_n, mean_satisfaction overall satisfaction answers, as percent of maximum possible (0-100)
select
    cast(date_trunc('month', d.submitted_on) as date) as month,
    cast(sum(d.performance_n) as bigint) as performance_n,
    sum(d.sum_performance) / sum(d.performance_n) as mean_performance,
    cast(sum(d.satisfaction_n) as bigint) as satisfaction_n,
    sum(d.sum_satisfaction) / nullif(sum(d.satisfaction_n), 0) as mean_satisfaction
from rollup_performance_days as d
join branches as b on b.branch_id = d.branch_id
where d.submitted_on between $start and $end
    and ($regions is null or list_contains($regions, b.region))
    and ($branch_types is null or list_contains($branch_types, b.branch_type))
    and ($branches is null or list_contains($branches, d.branch_id))
    and ($channels is null or list_contains($channels, d.channel))
    and ($segments is null or list_contains($segments, d.segment))
group by cast(date_trunc('month', d.submitted_on) as date)
order by month
