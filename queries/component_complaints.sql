-- component_complaints: how many complaints point at each component, through the complaint
-- taxonomy (complaint_categories.component_key, joined in the ticket_facts view).
-- Grain: one row per component of the `components` table (complaints = 0 when none point at it).
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   component_key, component_name, sort_order
--   complaints            complaints in the filter whose category maps to the component
--   complaints_mapped     complaints in the filter whose category maps to any component
--   complaints_all        all complaints in the filter (unmapped or uncategorised included)
-- Reads the rollups of servicequality/store/rollups.py: the whole months of the period from the month
-- rollups (branch x month), the days of the months it cuts (at most two) from the day rollups
-- (branch x day). With a channel, segment, category or component selected, the counts come from rollup_ticket_cells
-- (queries/fragments/ticket_cells.sql).
-- Rollup choice: days -> cell_complaints when $channels, $segments, $categories, $components
with
-- Include: ticket_cells

days as (
    select m.branch_id, m.category, m.complaints
    from rollup_complaint_category_months as m
    -- the months that lie wholly inside the period
    where m.month_start >= $start and m.month_end <= $end
    union all
    select e.branch_id, e.category, e.complaints
    from rollup_ticket_categories as e
    -- the days of the first and last month of the period, unless that month lies wholly inside it
    where (e.opened_on between $start and last_day(cast($start as date))
            or e.opened_on between cast(date_trunc('month', cast($end as date)) as date) and $end)
        and e.opened_on between $start and $end
        and not (cast(date_trunc('month', e.opened_on) as date) >= $start and last_day(e.opened_on) <= $end)
),

complaints as (
    select cc.component_key, d.complaints
    from days as d
    left join complaint_categories as cc on cc.category = d.category
    join branches as b on b.branch_id = d.branch_id
    where ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
),

totals as (
    select cast(coalesce(sum(complaints), 0) as bigint) as complaints_all,
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
