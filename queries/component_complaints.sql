-- component_complaints: how many complaints point at each component, through the complaint
-- taxonomy (complaint_categories.component_key, joined in the ticket_facts view).
-- Grain: one row per component of the `components` table (complaints = 0 when none point at it).
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   component_key, component_name, sort_order
--   complaints            complaints in the filter whose category maps to the component
--   complaints_mapped     complaints in the filter whose category maps to any component
--   complaints_all        all complaints in the filter (unmapped or uncategorised included)
-- The counts come from the `-- Measures:` line: store/generate.py generates them from the smallest
-- ticket rollup whose grain holds the keys (rollup_ticket_cells when a selection needs its grain)
-- and, as the tests' oracle, from ticket_facts (`python -m servicequality sql NAME --plain`).
with
-- Measures: counted = tickets by category: complaints
complaints as (
    select cc.component_key, d.complaints
    from counted as d
    left join complaint_categories as cc on cc.category = d.category
),

totals as (
    select
        cast(coalesce(sum(complaints), 0) as bigint) as complaints_all,
        cast(coalesce(sum(case when component_key is not null then complaints end), 0) as bigint) as complaints_mapped
    from complaints
),

per_component as (
    select component_key, sum(complaints) as complaints
    from complaints
    where component_key is not null
    group by component_key
)

select
    c.component_key,
    c.name as component_name,
    c.sort_order,
    cast(coalesce(p.complaints, 0) as bigint) as complaints,
    t.complaints_mapped,
    t.complaints_all
from components as c
cross join totals as t
left join per_component as p on p.component_key = c.component_key
order by sort_order
