-- complaint_pareto: complaints per category with the family and component it points at, for
-- the Pareto chart. The mapping from category to family and component is data
-- (complaint_categories); a complaint whose category is missing or unmapped is 'Unmapped'.
-- Grain: one row per category with complaints in the filter, most complaints first.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: category, family ('product', 'service' or 'unmapped'), component_key,
--   component_name, complaints
-- Reads the rollups of servicequality/store/rollups.py (branch x day).
-- With a channel, segment, category or component selected, the counts come from rollup_ticket_cells
-- (queries/fragments/ticket_cells.sql).
-- Rollup choice: parts -> cell_complaints when $channels, $segments, $categories, $components
-- Whole months of the period from rollup_complaint_category_months, its other days from
-- rollup_ticket_categories. The whole months are [first_full, after_full): first_full = $start
-- when it is the 1st of a month, else the 1st of the next month; after_full = the 1st of the
-- month of $end + 1 day.
with
-- Include: ticket_cells

parts as (
    select m.branch_id, m.category, m.complaints
    from rollup_complaint_category_months as m
    where m.month_start >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and m.month_start < cast(date_trunc('month', $end + interval 1 day) as date)
    union all
    select d.branch_id, d.category, d.complaints
    from rollup_ticket_categories as d
    where d.opened_on >= $start
        and d.opened_on <= $end
        and d.opened_on < case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
    union all
    select d.branch_id, d.category, d.complaints
    from rollup_ticket_categories as d
    where d.opened_on >= $start
        and d.opened_on <= $end
        and d.opened_on >= cast(date_trunc('month', $end + interval 1 day) as date)
        and d.opened_on >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
),

per_category as (
    select d.category, sum(d.complaints) as complaints
    from parts as d
    join branches as b on b.branch_id = d.branch_id
    where ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
    group by d.category
)

select
    coalesce(d.category, 'Unmapped') as category,
    coalesce(cc.family, 'unmapped') as family,
    coalesce(cc.component_key, 'unmapped') as component_key,
    coalesce(c.name, 'Unmapped') as component_name,
    cast(sum(d.complaints) as bigint) as complaints
from per_category as d
left join complaint_categories as cc on cc.category = d.category
left join components as c on c.component_key = cc.component_key
group by coalesce(d.category, 'Unmapped'), coalesce(cc.family, 'unmapped'),
    coalesce(cc.component_key, 'unmapped'), coalesce(c.name, 'Unmapped')
order by complaints desc, category
