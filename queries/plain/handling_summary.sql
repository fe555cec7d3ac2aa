-- handling_summary: how fast complaints are answered and resolved, against their targets.
-- Targets come from service_targets for the ticket's channel and priority.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   complaints                    complaints opened in the period
--   responded_n                   of those, with a first response
--   median_first_response_minutes median minutes to first response
--   median_first_response_target  median target of the same complaints
--   first_response_within_target  responded within their target
--   resolved_n                    complaints with a resolution time
--   median_resolution_minutes, median_resolution_target, resolution_within_target
--   targeted_first_n, targeted_resolution_n  complaints that have a target (denominators)
with complaints as (
    select tf.*
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
)

select
    count(*) as complaints,
    count(first_response_minutes) as responded_n,
    percentile_cont(0.5) within group (order by first_response_minutes) as median_first_response_minutes,
    percentile_cont(0.5) within group (order by first_response_target) as median_first_response_target,
    sum(case when first_response_minutes <= first_response_target then 1 else 0 end)
        as first_response_within_target,
    count(case when first_response_target is not null then first_response_minutes end)
        as targeted_first_n,
    count(resolution_minutes) as resolved_n,
    percentile_cont(0.5) within group (order by resolution_minutes) as median_resolution_minutes,
    percentile_cont(0.5) within group (order by resolution_target) as median_resolution_target,
    sum(case when resolution_minutes <= resolution_target then 1 else 0 end) as resolution_within_target,
    count(case when resolution_target is not null then resolution_minutes end) as targeted_resolution_n
from complaints
