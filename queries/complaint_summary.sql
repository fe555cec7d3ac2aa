-- complaint_summary: complaints and customers served in the filtered period.
-- The channel and segment filters narrow the complaints only: customers served are counted
-- per branch and day, not per channel or segment.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: complaints, customers_served, tickets
-- Reads the rollups of servicequality/store/rollups.py (branch x day). A channel, segment,
-- category or component selection reads rollup_ticket_cells (branch x day x those) instead.
-- Rollup choice: rollup_ticket_days -> rollup_ticket_cells when $channels, $segments, $categories, $components
with served as (
    select sum(f.customers) as customers_served
    from customers_served as f
    join branches as b on b.branch_id = f.branch_id
    where f.served_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, f.branch_id))
),

counted as (
    select cast(sum(d.tickets) as bigint) as tickets, sum(d.complaints) as complaints
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
)

select
    coalesce(counted.complaints, 0) as complaints,
    coalesce(served.customers_served, 0) as customers_served,
    coalesce(counted.tickets, 0) as tickets
from counted cross join served
