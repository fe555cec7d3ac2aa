-- complaint_pareto: complaints per category with the family and component it points at, for
-- the Pareto chart. The mapping from category to family and component is data
-- (complaint_categories); a complaint whose category is missing or unmapped is 'Unmapped'.
-- Grain: one row per category with complaints in the filter, most complaints first.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: category, family ('product', 'service' or 'unmapped'), component_key,
--   component_name, complaints
-- Fast path: the rollups of servicequality/rollups.py (branch x day) when no channel, segment, category or component is selected;
-- otherwise the plain form (queries/plain/complaint_pareto.sql). Both give the same rows; DuckDB
-- folds the bound-parameter tests, so only one of the two runs.
select * from (
    select
        coalesce(d.category, 'Unmapped') as category,
        coalesce(cc.family, 'unmapped') as family,
        coalesce(cc.component_key, 'unmapped') as component_key,
        coalesce(c.name, 'Unmapped') as component_name,
        cast(sum(d.complaints) as bigint) as complaints
    from rollup_ticket_categories as d
    left join complaint_categories as cc on cc.category = d.category
    left join components as c on c.component_key = cc.component_key
    join branches as b on b.branch_id = d.branch_id
        where d.opened_on between $start and $end
            and ($regions is null or list_contains($regions, b.region))
            and ($branch_types is null or list_contains($branch_types, b.branch_type))
            and ($branches is null or list_contains($branches, d.branch_id))
    group by coalesce(d.category, 'Unmapped'), coalesce(cc.family, 'unmapped'),
        coalesce(cc.component_key, 'unmapped'), coalesce(c.name, 'Unmapped')
) as fast_path
where $channels is null and $segments is null and $categories is null and $components is null

union all

select * from (
    select
        coalesce(tf.category, 'Unmapped') as category,
        coalesce(tf.family, 'unmapped') as family,
        coalesce(tf.component_key, 'unmapped') as component_key,
        coalesce(c.name, 'Unmapped') as component_name,
        count(*) as complaints
    from ticket_facts as tf
    left join components as c on c.component_key = tf.component_key
    where tf.kind = 'complaint'
        and tf.opened_on between $start and $end
        and ($regions is null or list_contains($regions, tf.region))
        and ($branch_types is null or list_contains($branch_types, tf.branch_type))
        and ($branches is null or list_contains($branches, tf.branch_id))
        and ($channels is null or list_contains($channels, tf.channel))
        and ($segments is null or list_contains($segments, tf.segment))
        and ($categories is null or list_contains($categories, tf.category))
        and ($components is null or list_contains($components, tf.component_key))
    group by coalesce(tf.category, 'Unmapped'), coalesce(tf.family, 'unmapped'),
        coalesce(tf.component_key, 'unmapped'), coalesce(c.name, 'Unmapped')
) as plain_path
where not ($channels is null and $segments is null and $categories is null and $components is null)
order by complaints desc, category
