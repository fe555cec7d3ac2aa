-- monthly_complaints: complaints and customers served per calendar month.
-- Grain: one row per month that has customers served or tickets in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: month (first day, date), complaints, customers_served
-- Reads the rollups of servicequality/store/rollups.py (branch x day). A channel, segment,
-- category or component selection reads rollup_ticket_cells (branch x day x those) instead.
-- Rollup choice: rollup_ticket_days -> rollup_ticket_cells when $channels, $segments, $categories, $components
with served as (
    select cast(date_trunc('month', f.served_on) as date) as month, sum(f.customers) as customers_served
    from customers_served as f
    join branches as b on b.branch_id = f.branch_id
    where f.served_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, f.branch_id))
    group by cast(date_trunc('month', f.served_on) as date)
),

counted as (
    select cast(date_trunc('month', d.opened_on) as date) as month, cast(sum(d.complaints) as bigint) as complaints
    from rollup_ticket_days as d
    join branches as b on b.branch_id = d.branch_id
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and ($categories is null or list_contains($categories, d.category))
        and ($components is null or list_contains($components, d.component_key))
        and d.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
    group by cast(date_trunc('month', d.opened_on) as date)
    having sum(d.complaints) > 0
)

select
    coalesce(served.month, counted.month) as month,
    coalesce(counted.complaints, 0) as complaints,
    coalesce(served.customers_served, 0) as customers_served
from served
full outer join counted on counted.month = served.month
order by month
