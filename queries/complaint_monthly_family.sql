-- complaint_monthly_family: complaints per calendar month and family (product or service).
-- Grain: one row per month and family with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: month (first day, date), family ('product', 'service' or 'unmapped'), complaints
-- The counts come from the `-- Measures:` line: store/generate.py generates them from the smallest
-- ticket rollup whose grain holds the keys (rollup_ticket_cells when a selection needs its grain)
-- and, as the tests' oracle, from ticket_facts (`python -m servicequality sql NAME --plain`).
with
-- Measures: counted = tickets by month, category: complaints
select
    c.month,
    coalesce(cc.family, 'unmapped') as family,
    cast(sum(c.complaints) as bigint) as complaints
from counted as c
left join complaint_categories as cc on cc.category = c.category
where c.complaints > 0
group by c.month, coalesce(cc.family, 'unmapped')
order by month, family
