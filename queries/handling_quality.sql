-- handling_quality: how complaints opened in the period were handled, beyond the medians of
-- handling_summary: 90th percentiles, reopening, escalation and satisfaction with the handling.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   complaints                    complaints opened in the period
--   p90_first_response_minutes    90th percentile of minutes to first response (answered ones)
--   p90_resolution_minutes        90th percentile of minutes to resolution (resolved ones)
--   reopened                      complaints reopened at least once
--   escalated                     complaints escalated
--   satisfaction_n                complaints with a satisfaction score (1-5) for the handling
--   mean_satisfaction             mean of those scores
--   satisfied                     scores of 4 or 5
-- Reads the rollups of servicequality/rollups.py (branch x day). With any selection below set,
-- store.run_query runs queries/plain/handling_quality.sql instead (same rows, no rollups).
-- Plain when set: $channels, $segments, $categories, $components
with counts as (
    select
        cast(coalesce(sum(d.complaints), 0) as bigint) as complaints,
        sum(d.reopened) as reopened,
        sum(d.escalated) as escalated,
        cast(coalesce(sum(d.satisfaction_n), 0) as bigint) as satisfaction_n,
        cast(sum(d.satisfaction_sum) as double) / sum(d.satisfaction_n) as mean_satisfaction,
        sum(d.satisfied) as satisfied
    from rollup_ticket_days as d
    join branches as b on b.branch_id = d.branch_id
    where d.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
),

p90 as (
    select
        percentile_cont(0.9) within group (order by h.first_response_minutes) as p90_first_response_minutes,
        percentile_cont(0.9) within group (order by h.resolution_minutes) as p90_resolution_minutes
    from rollup_complaint_handling as h
join branches as b on b.branch_id = h.branch_id
    where h.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, h.branch_id))
)

select
    c.complaints,
    p.p90_first_response_minutes,
    p.p90_resolution_minutes,
    c.reopened,
    c.escalated,
    c.satisfaction_n,
    c.mean_satisfaction,
    c.satisfied
from counts as c cross join p90 as p
