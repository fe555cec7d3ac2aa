-- complaint_pareto: complaints per category with the family and component it points at, for
-- the Pareto chart. The mapping from category to family and component is data
-- (complaint_categories); a complaint whose category is missing or unmapped is 'Unmapped'.
-- Grain: one row per category with complaints in the filter, most complaints first.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: category, family ('product', 'service' or 'unmapped'), component_key,
--   component_name, complaints
-- The counts come from the `-- Measures:` line: store/generate.py generates them from the smallest
-- ticket rollup whose grain holds the keys (rollup_ticket_cells when a selection needs its grain)
-- and, as the tests' oracle, from ticket_facts (`python -m servicequality sql NAME --plain`).
with
-- Measures: per_category = tickets by category: complaints
select
    coalesce(d.category, 'Unmapped') as category,
    coalesce(cc.family, 'unmapped') as family,
    coalesce(cc.component_key, 'unmapped') as component_key,
    coalesce(c.name, 'Unmapped') as component_name,
    cast(sum(d.complaints) as bigint) as complaints
from per_category as d
left join complaint_categories as cc on cc.category = d.category
left join components as c on c.component_key = cc.component_key
where d.complaints > 0
group by coalesce(d.category, 'Unmapped'), coalesce(cc.family, 'unmapped'),
    coalesce(cc.component_key, 'unmapped'), coalesce(c.name, 'Unmapped')
order by complaints desc, category
