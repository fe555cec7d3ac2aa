-- component_gaps: SERVQUAL gap per component (Parasuraman et al. 1988).
-- Grain: one row per component of the `components` table (n = 0 when nobody answered).
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns:
--   component_key, component_name, rater_group, sort_order
--   n                respondents who scored the component
--   mean_perception  mean over respondents of their mean perception over the items (1-7)
--   mean_expectation likewise for expectation
--   mean_gap         mean over respondents of (mean P - mean E); negative = shortfall
--   sd_gap           sample standard deviation of the respondent gaps (for the t interval)
--   mean_adequate    mean adequate (minimum acceptable) level; null when the survey lacks it
--   n_adequate       respondents with an adequate level
with scored as (
    select s.component_key, s.perception, s.expectation, s.adequate, s.gap
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
    c.component_key,
    c.name as component_name,
    c.rater_group,
    c.sort_order,
    count(s.gap) as n,
    avg(s.perception) as mean_perception,
    avg(s.expectation) as mean_expectation,
    avg(s.gap) as mean_gap,
    stddev_samp(s.gap) as sd_gap,
    avg(s.adequate) as mean_adequate,
    count(s.adequate) as n_adequate
from components as c
left join scored as s on s.component_key = c.component_key
group by c.component_key, c.name, c.rater_group, c.sort_order
order by c.sort_order
