-- complaint_monthly_family: complaints per calendar month and family (product or service).
-- Grain: one row per month and family with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: month (first day, date), family ('product', 'service' or 'unmapped'), complaints
-- Fast path: the rollups of servicequality/rollups.py (branch x day) when no channel, segment, category or component is selected;
-- otherwise the plain form (queries/plain/complaint_monthly_family.sql). Both give the same rows; DuckDB
-- folds the bound-parameter tests, so only one of the two runs.
select * from (
    select
        cast(date_trunc('month', d.opened_on) as date) as month,
        coalesce(cc.family, 'unmapped') as family,
        cast(sum(d.complaints) as bigint) as complaints
    from rollup_ticket_categories as d
    left join complaint_categories as cc on cc.category = d.category
    join branches as b on b.branch_id = d.branch_id
        where d.opened_on between $start and $end
            and ($regions is null or list_contains($regions, b.region))
            and ($branch_types is null or list_contains($branch_types, b.branch_type))
            and ($branches is null or list_contains($branches, d.branch_id))
    group by cast(date_trunc('month', d.opened_on) as date), coalesce(cc.family, 'unmapped')
) as fast_path
where $channels is null and $segments is null and $categories is null and $components is null

union all

select * from (
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
) as plain_path
where not ($channels is null and $segments is null and $categories is null and $components is null)
order by month, family
