-- component_importance: the weight customers give each component.
-- Each respondent's points are normalised to sum 1 over the components they weighted; the
-- component weight is the mean of those shares over the respondents who gave points.
-- Grain: one row per component that received importance points.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns: component_key, n (respondents who gave points), mean_share (0-1)
-- Reads the rollups of servicequality/rollups.py (branch x day). With any selection below set,
-- store.run_query runs queries/plain/component_importance.sql instead (same rows, no rollups).
-- Plain when set: $channels, $segments
select
    d.component_key,
    cast(sum(d.n) as bigint) as n,
    sum(d.sum_share) / sum(d.n) as mean_share
from rollup_importance_days as d
join branches as b on b.branch_id = d.branch_id
    where d.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
group by d.component_key
order by component_key
