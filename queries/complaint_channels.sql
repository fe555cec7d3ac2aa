-- complaint_channels: complaints per channel, split by family, with all tickets for context.
-- Grain: one row per channel with tickets in the filter, most complaints first.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments
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
    and ($branches is null or list_contains($branches, tf.branch_id))
    and ($channels is null or list_contains($channels, tf.channel))
    and ($segments is null or list_contains($segments, tf.segment))
group by tf.channel
order by complaints desc, tf.channel
