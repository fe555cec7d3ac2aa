-- handling_targets: complaint handling times against their targets per channel and priority.
-- Times are minutes from opening; unanswered or unresolved complaints are left out of the
-- time percentiles and the within-target counts (they are in complaints and the backlog).
-- Grain: one row per channel and priority with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   channel, priority, complaints
--   first_response_target, resolution_target      target minutes for the pair (service_targets)
--   responded_n, median_first_response_minutes, p90_first_response_minutes
--   targeted_first_n, first_response_within_target  answered complaints with a target; of those within it
--   resolved_n, median_resolution_minutes, p90_resolution_minutes
--   targeted_resolution_n, resolution_within_target
-- Fast path: the rollups of servicequality/rollups.py (branch x day) when no channel, segment, category or component is selected;
-- otherwise the plain form (queries/plain/handling_targets.sql). Both give the same rows; DuckDB
-- folds the bound-parameter tests, so only one of the two runs.
select * from (
    select
        h.channel,
        h.priority,
        count(*) as complaints,
        max(h.first_response_target) as first_response_target,
        max(h.resolution_target) as resolution_target,
        count(h.first_response_minutes) as responded_n,
        percentile_cont(0.5) within group (order by h.first_response_minutes) as median_first_response_minutes,
        percentile_cont(0.9) within group (order by h.first_response_minutes) as p90_first_response_minutes,
        count(case when h.first_response_target is not null then h.first_response_minutes end) as targeted_first_n,
        sum(case when h.first_response_minutes <= h.first_response_target then 1 else 0 end)
            as first_response_within_target,
        count(h.resolution_minutes) as resolved_n,
        percentile_cont(0.5) within group (order by h.resolution_minutes) as median_resolution_minutes,
        percentile_cont(0.9) within group (order by h.resolution_minutes) as p90_resolution_minutes,
        count(case when h.resolution_target is not null then h.resolution_minutes end) as targeted_resolution_n,
        sum(case when h.resolution_minutes <= h.resolution_target then 1 else 0 end) as resolution_within_target
    from rollup_complaint_handling as h
    join branches as b on b.branch_id = h.branch_id
        where h.opened_on between $start and $end
            and ($regions is null or list_contains($regions, b.region))
            and ($branch_types is null or list_contains($branch_types, b.branch_type))
            and ($branches is null or list_contains($branches, h.branch_id))
    group by h.channel, h.priority
) as fast_path
where $channels is null and $segments is null and $categories is null and $components is null

union all

select * from (
    select
        tf.channel,
        tf.priority,
        count(*) as complaints,
        max(tf.first_response_target) as first_response_target,
        max(tf.resolution_target) as resolution_target,
        count(tf.first_response_minutes) as responded_n,
        percentile_cont(0.5) within group (order by tf.first_response_minutes) as median_first_response_minutes,
        percentile_cont(0.9) within group (order by tf.first_response_minutes) as p90_first_response_minutes,
        count(case when tf.first_response_target is not null then tf.first_response_minutes end) as targeted_first_n,
        sum(case when tf.first_response_minutes <= tf.first_response_target then 1 else 0 end)
            as first_response_within_target,
        count(tf.resolution_minutes) as resolved_n,
        percentile_cont(0.5) within group (order by tf.resolution_minutes) as median_resolution_minutes,
        percentile_cont(0.9) within group (order by tf.resolution_minutes) as p90_resolution_minutes,
        count(case when tf.resolution_target is not null then tf.resolution_minutes end) as targeted_resolution_n,
        sum(case when tf.resolution_minutes <= tf.resolution_target then 1 else 0 end) as resolution_within_target
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
    group by tf.channel, tf.priority
) as plain_path
where not ($channels is null and $segments is null and $categories is null and $components is null)
order by channel, priority
