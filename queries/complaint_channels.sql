-- complaint_channels: complaints per channel, split by family, with all tickets for context.
-- Grain: one row per channel with tickets in the filter, most complaints first.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: channel, tickets (all kinds), complaints, product_complaints, service_complaints
-- Fast path: the rollups of servicequality/rollups.py (branch x day) when no channel, segment, category or component is selected;
-- otherwise the plain form (queries/plain/complaint_channels.sql). Both give the same rows; DuckDB
-- folds the bound-parameter tests, so only one of the two runs.
select * from (
    select
        d.channel,
        cast(sum(d.tickets) as bigint) as tickets,
        sum(d.complaints) as complaints,
        sum(d.product_complaints) as product_complaints,
        sum(d.service_complaints) as service_complaints
    from rollup_ticket_channels as d
    join branches as b on b.branch_id = d.branch_id
        where d.opened_on between $start and $end
            and ($regions is null or list_contains($regions, b.region))
            and ($branch_types is null or list_contains($branch_types, b.branch_type))
            and ($branches is null or list_contains($branches, d.branch_id))
    group by d.channel
) as fast_path
where $channels is null and $segments is null and $categories is null and $components is null

union all

select * from (
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
) as plain_path
where not ($channels is null and $segments is null and $categories is null and $components is null)
order by complaints desc, channel
