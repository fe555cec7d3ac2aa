-- complaint_pareto: complaints per category with the family and component it points at, for
-- the Pareto chart. The mapping from category to family and component is data
-- (complaint_categories); a complaint whose category is missing or unmapped is 'Unmapped'.
-- Grain: one row per category with complaints in the filter, most complaints first.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: category, family ('product', 'service' or 'unmapped'), component_key,
--   component_name, complaints
-- Reads the rollups of servicequality/rollups.py (branch x day). With any selection below set,
-- store.run_query runs queries/plain/complaint_pareto.sql instead (same rows, no rollups).
-- Plain when set: $channels, $segments, $categories, $components
select
    coalesce(d.category, 'Unmapped') as category,
    coalesce(cc.family, 'unmapped') as family,
    coalesce(cc.component_key, 'unmapped') as component_key,
    coalesce(c.name, 'Unmapped') as component_name,
    cast(sum(d.complaints) as bigint) as complaints
from rollup_ticket_categories as d
left join complaint_categories as cc on cc.category = d.category
left join components as c on c.component_key = cc.component_key
join branches as b on b.branch_id = d.branch_id
    where d.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
group by coalesce(d.category, 'Unmapped'), coalesce(cc.family, 'unmapped'),
    coalesce(cc.component_key, 'unmapped'), coalesce(c.name, 'Unmapped')
order by complaints desc, category
