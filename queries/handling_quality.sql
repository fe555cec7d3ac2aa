-- handling_quality: how complaints opened in the period were handled, beyond the times of
-- handling_summary: reopening, escalation and satisfaction with the handling.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   complaints                    complaints opened in the period
--   reopened                      complaints reopened at least once
--   reopened_n                    complaints whose reopening is recorded (the share's denominator)
--   escalated                     complaints escalated
--   escalated_n                   complaints whose escalation is recorded
--   satisfaction_n                complaints with a satisfaction score (1-5) for the handling
--   mean_satisfaction             mean of those scores
--   satisfied                     scores of 4 or 5
--   first_response_within_target, targeted_first_n, resolution_within_target, targeted_resolution_n
--                                 the within-target counts of handling_summary (a complaint still
--                                 open past its target is late), without its times
-- Reads the rollups of servicequality/store/rollups.py (branch x day); a channel, segment, category or
-- component selection reads the finer rollup_ticket_cells.
-- Rollup choice: rollup_ticket_days -> rollup_ticket_cells when $channels, $segments, $categories, $components
with counts as (
    select
        cast(coalesce(sum(d.complaints), 0) as bigint) as complaints,
        sum(d.reopened) as reopened,
        cast(coalesce(sum(d.reopened_n), 0) as bigint) as reopened_n,
        sum(d.escalated) as escalated,
        cast(coalesce(sum(d.escalated_n), 0) as bigint) as escalated_n,
        cast(coalesce(sum(d.satisfaction_n), 0) as bigint) as satisfaction_n,
        cast(sum(d.satisfaction_sum) as double) / sum(d.satisfaction_n) as mean_satisfaction,
        sum(d.satisfied) as satisfied,
        sum(d.first_response_within_target) as first_response_within_target,
        cast(coalesce(sum(d.targeted_first_n), 0) as bigint) as targeted_first_n,
        sum(d.resolution_within_target) as resolution_within_target,
        cast(coalesce(sum(d.targeted_resolution_n), 0) as bigint) as targeted_resolution_n
    from rollup_ticket_days as d
    join branches as b on b.branch_id = d.branch_id
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and ($categories is null or list_contains($categories, d.category))
        and ($components is null or list_contains($components, d.component_key))
        and d.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
)

select
    c.complaints,
    c.reopened,
    c.reopened_n,
    c.escalated,
    c.escalated_n,
    c.satisfaction_n,
    c.mean_satisfaction,
    c.satisfied,
    c.first_response_within_target,
    c.targeted_first_n,
    c.resolution_within_target,
    c.targeted_resolution_n
from counts as c
