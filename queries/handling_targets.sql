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
-- Reads the rollups of servicequality/rollups.py (branch x day). With any selection below set,
-- store.run_query runs queries/plain/handling_targets.sql instead (same rows, no rollups).
-- Plain when set: $channels, $segments, $categories, $components
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
order by channel, priority
