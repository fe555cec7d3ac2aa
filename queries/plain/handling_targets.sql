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
order by tf.channel, tf.priority
