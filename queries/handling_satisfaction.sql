-- handling_satisfaction: how satisfied complainants were with the handling, score by score.
-- Grain: one row per satisfaction score (1-5), zero when no complaint got that score.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: satisfaction (1-5), complaints (complaints opened in the period with that score)
-- Fast path: the rollups of servicequality/rollups.py (branch x day) when no channel, segment, category or component is selected;
-- otherwise the plain form (queries/plain/handling_satisfaction.sql). Both give the same rows; DuckDB
-- folds the bound-parameter tests, so only one of the two runs.
select * from (
    with sums as (
        select
            sum(d.satisfaction_1) as s1, sum(d.satisfaction_2) as s2, sum(d.satisfaction_3) as s3,
            sum(d.satisfaction_4) as s4, sum(d.satisfaction_5) as s5
        from rollup_ticket_days as d
        join branches as b on b.branch_id = d.branch_id
        where d.opened_on between $start and $end
            and ($regions is null or list_contains($regions, b.region))
            and ($branch_types is null or list_contains($branch_types, b.branch_type))
            and ($branches is null or list_contains($branches, d.branch_id))
    )

    select 1 as satisfaction, cast(coalesce(s1, 0) as bigint) as complaints from sums
    union all select 2, cast(coalesce(s2, 0) as bigint) from sums
    union all select 3, cast(coalesce(s3, 0) as bigint) from sums
    union all select 4, cast(coalesce(s4, 0) as bigint) from sums
    union all select 5, cast(coalesce(s5, 0) as bigint) from sums
) as fast_path
where $channels is null and $segments is null and $categories is null and $components is null

union all

select * from (
    with scores (satisfaction) as (
        values (1), (2), (3), (4), (5)
    ),

    scored as (
        select tf.satisfaction, count(*) as complaints
        from ticket_facts as tf
        where tf.kind = 'complaint'
            and tf.satisfaction is not null
            and tf.opened_on between $start and $end
            and ($regions is null or list_contains($regions, tf.region))
            and ($branch_types is null or list_contains($branch_types, tf.branch_type))
            and ($branches is null or list_contains($branches, tf.branch_id))
            and ($channels is null or list_contains($channels, tf.channel))
            and ($segments is null or list_contains($segments, tf.segment))
            and ($categories is null or list_contains($categories, tf.category))
            and ($components is null or list_contains($components, tf.component_key))
        group by tf.satisfaction
    )

    select scores.satisfaction, coalesce(scored.complaints, 0) as complaints
    from scores
    left join scored on scored.satisfaction = scores.satisfaction
) as plain_path
where not ($channels is null and $segments is null and $categories is null and $components is null)
order by satisfaction
