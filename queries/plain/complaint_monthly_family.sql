-- complaint_monthly_family: complaints per calendar month and family (product or service).
-- Grain: one row per month and family with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: month (first day, date), family ('product', 'service' or 'unmapped'), complaints
select
    cast(date_trunc('month', tf.opened_on) as date) as month,
    coalesce(tf.family, 'unmapped') as family,
    count(*) as complaints
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
group by cast(date_trunc('month', tf.opened_on) as date), coalesce(tf.family, 'unmapped')
order by month, family
