-- complaint_monthly_family: complaints per calendar month and family (product or service).
-- Grain: one row per month and family with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: month (first day, date), family ('product', 'service' or 'unmapped'), complaints
-- Reads the rollups of servicequality/store/rollups.py (branch x day).
-- With a channel, segment, category or component selected, the counts come from rollup_ticket_cells
-- (queries/fragments/ticket_cells.sql).
-- Rollup choice: rollup_ticket_categories -> cell_complaints when $channels, $segments, $categories, $components
with
-- Include: ticket_cells

per_month as (
    select
        cast(date_trunc('month', d.opened_on) as date) as month,
        coalesce(cc.family, 'unmapped') as family,
        cast(sum(d.complaints) as bigint) as complaints
    from rollup_ticket_categories as d
    left join complaint_categories as cc on cc.category = d.category
    join branches as b on b.branch_id = d.branch_id
        where d.opened_on between $start and $end
            and ($regions is null or list_contains($regions, b.region))
            and ($branch_types is null or list_contains($branch_types, b.branch_type))
            and ($branches is null or list_contains($branches, d.branch_id))
    group by cast(date_trunc('month', d.opened_on) as date), coalesce(cc.family, 'unmapped')
)

select * from per_month
order by month, family
