-- monthly_complaints: complaints and customers served per calendar month.
-- Grain: one row per month that has customers served or tickets in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: month (first day, date), complaints, customers_served
-- Fast path: the rollups of servicequality/rollups.py (branch x day) when no channel, segment, category or component is selected;
-- otherwise the plain form (queries/plain/monthly_complaints.sql). Both give the same rows; DuckDB
-- folds the bound-parameter tests, so only one of the two runs.
select * from (
    with served as (
        select cast(date_trunc('month', f.served_on) as date) as month, sum(f.customers) as customers_served
        from customers_served as f
        join branches as b on b.branch_id = f.branch_id
        where f.served_on between $start and $end
            and ($regions is null or list_contains($regions, b.region))
            and ($branch_types is null or list_contains($branch_types, b.branch_type))
            and ($branches is null or list_contains($branches, f.branch_id))
        group by cast(date_trunc('month', f.served_on) as date)
    ),

    counted as (
        select cast(date_trunc('month', d.opened_on) as date) as month, cast(sum(d.complaints) as bigint) as complaints
        from rollup_ticket_days as d
        join branches as b on b.branch_id = d.branch_id
        where d.opened_on between $start and $end
            and ($regions is null or list_contains($regions, b.region))
            and ($branch_types is null or list_contains($branch_types, b.branch_type))
            and ($branches is null or list_contains($branches, d.branch_id))
        group by cast(date_trunc('month', d.opened_on) as date)
        having sum(d.complaints) > 0
    )

    select
        coalesce(served.month, counted.month) as month,
        coalesce(counted.complaints, 0) as complaints,
        coalesce(served.customers_served, 0) as customers_served
    from served
    full outer join counted on counted.month = served.month
) as fast_path
where $channels is null and $segments is null and $categories is null and $components is null

union all

select * from (
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
) as plain_path
where not ($channels is null and $segments is null and $categories is null and $components is null)
order by month
