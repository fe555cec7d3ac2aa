-- monthly_complaints: complaints and customers served per calendar month.
-- Grain: one row per month that has customers served or tickets in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: month (first day, date), complaints, customers_served
with served as (
    select cast(date_trunc('month', f.served_on) as date) as month, sum(f.customers) as customers_served
    from customers_served_facts as f
    where f.served_on between $start and $end
        and ($regions is null or list_contains($regions, f.region))
        and ($branch_types is null or list_contains($branch_types, f.branch_type))
        and ($branches is null or list_contains($branches, f.branch_id))
    group by cast(date_trunc('month', f.served_on) as date)
),

counted as (
    select cast(date_trunc('month', tf.opened_on) as date) as month, count(*) as complaints
    from ticket_facts as tf
    where tf.kind = 'complaint'
        and tf.opened_on between $start and $end
        and ($regions is null or list_contains($regions, tf.region))
        and ($branch_types is null or list_contains($branch_types, tf.branch_type))
        and ($branches is null or list_contains($branches, tf.branch_id))
        and ($channels is null or list_contains($channels, tf.channel))
        and ($segments is null or list_contains($segments, tf.segment))
        and ($categories is null or list_contains($categories, tf.category))
        and ($components is null or list_contains($components, tf.component_key))
    group by cast(date_trunc('month', tf.opened_on) as date)
)

select
    coalesce(served.month, counted.month) as month,
    coalesce(counted.complaints, 0) as complaints,
    coalesce(served.customers_served, 0) as customers_served
from served
full outer join counted on counted.month = served.month
order by month
