-- monthly_performance: survey ratings per calendar month, for surveys with or without expectations.
-- Grain: one row per month with rated responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- The plain reference: straight from the base views, no rollups.
-- Columns:
--   month (first day, date)
--   performance_n, mean_performance   respondents with ratings; mean of their overall performance (0-100)
--   satisfaction_n, mean_satisfaction overall satisfaction answers, as percent of maximum possible (0-100)
with respondent as (
    select
        p.response_id,
        cast(date_trunc('month', any_value(p.submitted_at)) as date) as month,
        avg(p.performance) as performance
    from response_component_performance as p
    where p.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, p.region))
        and ($branch_types is null or list_contains($branch_types, p.branch_type))
        and ($branches is null or list_contains($branches, p.branch_id))
        and ($channels is null or list_contains($channels, p.channel))
        and ($segments is null or list_contains($segments, p.segment))
    group by p.response_id
)

select
    p.month,
    count(*) as performance_n,
    avg(p.performance) as mean_performance,
    count(s.satisfaction) as satisfaction_n,
    avg(s.satisfaction) as mean_satisfaction
from respondent as p
left join response_answers as s on s.response_id = p.response_id
group by p.month
order by p.month
