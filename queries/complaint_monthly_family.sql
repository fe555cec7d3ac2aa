-- complaint_monthly_family: complaints per calendar month and family (product or service).
-- Grain: one row per month and family with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments
-- Columns: month (first day, date), family ('product', 'service' or 'unmapped'), complaints
select
    cast(date_trunc('month', tf.opened_on) as date) as month,
    coalesce(tf.family, 'unmapped') as family,
    count(*) as complaints
from ticket_facts as tf
where tf.kind = 'complaint'
    and tf.opened_on between $start and $end
    and ($regions is null or list_contains($regions, tf.region))
    and ($branches is null or list_contains($branches, tf.branch_id))
    and ($channels is null or list_contains($channels, tf.channel))
    and ($segments is null or list_contains($segments, tf.segment))
group by cast(date_trunc('month', tf.opened_on) as date), coalesce(tf.family, 'unmapped')
order by month, family
