-- complaint_summary: complaints and customers served in the filtered period.
-- The channel and segment filters narrow the complaints only: customers served are counted
-- per branch and day, not per channel or segment.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: complaints, customers_served, tickets
-- Reads the rollups of servicequality/store/rollups.py (branch x day). With any selection below set,
-- store.run_query runs queries/plain/complaint_summary.sql instead (same rows, no rollups).
-- Plain when set: $channels, $segments, $categories, $components
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
    where d.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
)

select
    coalesce(counted.complaints, 0) as complaints,
    coalesce(served.customers_served, 0) as customers_served,
    coalesce(counted.tickets, 0) as tickets
from counted cross join served
