-- complaint_summary: complaints and customers served in the filtered period.
-- The channel and segment filters narrow the complaints only: customers served are counted
-- per branch and day, not per channel or segment.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: complaints, customers_served, tickets
with served as (
    select sum(f.customers) as customers_served
    from customers_served_facts as f
    where f.served_on between $start and $end
        and ($regions is null or list_contains($regions, f.region))
        and ($branch_types is null or list_contains($branch_types, f.branch_type))
        and ($branches is null or list_contains($branches, f.branch_id))
),

counted as (
    select
        count(*) as tickets,
        sum(case when tf.kind = 'complaint' then 1 else 0 end) as complaints
    from ticket_facts as tf
    where tf.opened_on between $start and $end
        and ($regions is null or list_contains($regions, tf.region))
        and ($branch_types is null or list_contains($branch_types, tf.branch_type))
        and ($branches is null or list_contains($branches, tf.branch_id))
        and ($channels is null or list_contains($channels, tf.channel))
        and ($segments is null or list_contains($segments, tf.segment))
        and ($categories is null or list_contains($categories, tf.category))
        and ($components is null or list_contains($components, tf.component_key))
)

select
    coalesce(counted.complaints, 0) as complaints,
    coalesce(served.customers_served, 0) as customers_served,
    counted.tickets
from counted cross join served
