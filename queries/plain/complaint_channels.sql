-- complaint_channels: complaints per channel, split by family, with all tickets for context.
-- Grain: one row per channel with tickets in the filter, most complaints first.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: channel, tickets (all kinds), complaints, product_complaints, service_complaints
select
    tf.channel,
    count(*) as tickets,
    sum(case when tf.kind = 'complaint' then 1 else 0 end) as complaints,
    sum(case when tf.kind = 'complaint' and tf.family = 'product' then 1 else 0 end) as product_complaints,
    sum(case when tf.kind = 'complaint' and tf.family = 'service' then 1 else 0 end) as service_complaints
from ticket_facts as tf
where tf.opened_on between $start and $end
    and ($regions is null or list_contains($regions, tf.region))
    and ($branch_types is null or list_contains($branch_types, tf.branch_type))
    and ($branches is null or list_contains($branches, tf.branch_id))
    and ($channels is null or list_contains($channels, tf.channel))
    and ($segments is null or list_contains($segments, tf.segment))
    and ($categories is null or list_contains($categories, tf.category))
    and ($components is null or list_contains($components, tf.component_key))
group by tf.channel
order by complaints desc, tf.channel
