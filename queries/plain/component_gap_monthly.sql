-- component_gap_monthly: SERVQUAL gap per component and calendar month (the trend chart).
-- Grain: one row per month and component with scored responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns:
--   period          first day of the month (date)
--   component_key, component_name, sort_order
--   n               respondents who scored the component that month
--   mean_gap        mean over respondents of (mean P - mean E over the component's items)
--   sd_gap          sample standard deviation of the respondent gaps
with scored as (
    select s.component_key, cast(date_trunc('month', s.submitted_on) as date) as period, s.gap
    from response_component_scores as s
    where s.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, s.region))
        and ($branch_types is null or list_contains($branch_types, s.branch_type))
        and ($branches is null or list_contains($branches, s.branch_id))
        and ($channels is null or list_contains($channels, s.channel))
        and ($segments is null or list_contains($segments, s.segment))
        and ($components is null or list_contains($components, s.component_key))
)

select
    s.period,
    c.component_key,
    c.name as component_name,
    c.sort_order,
    count(*) as n,
    avg(s.gap) as mean_gap,
    stddev_samp(s.gap) as sd_gap
from scored as s
join components as c on c.component_key = s.component_key
group by s.period, c.component_key, c.name, c.sort_order
order by s.period, c.sort_order
