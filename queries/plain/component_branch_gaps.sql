-- component_branch_gaps: SERVQUAL gap per branch and component (the heatmap).
-- Grain: one row per branch and component with at least one scored response in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns:
--   branch_id, branch_name, region, component_key, component_name, sort_order
--   n                respondents of the branch who scored the component
--   mean_gap, sd_gap mean and sample standard deviation of their gaps (mean P - mean E)
with scored as (
    select s.branch_id, s.component_key, s.gap
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
    b.branch_id,
    b.name as branch_name,
    b.region,
    c.component_key,
    c.name as component_name,
    c.sort_order,
    count(*) as n,
    avg(s.gap) as mean_gap,
    stddev_samp(s.gap) as sd_gap
from scored as s
join branches as b on b.branch_id = s.branch_id
join components as c on c.component_key = s.component_key
group by b.branch_id, b.name, b.region, c.component_key, c.name, c.sort_order
order by b.region, b.branch_id, c.sort_order
