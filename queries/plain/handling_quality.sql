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
select
    count(*) as complaints,
    sum(case when tf.reopened_count > 0 then 1 else 0 end) as reopened,
    count(tf.reopened_count) as reopened_n,
    sum(case when tf.escalated then 1 else 0 end) as escalated,
    count(tf.escalated) as escalated_n,
    count(tf.satisfaction) as satisfaction_n,
    avg(tf.satisfaction) as mean_satisfaction,
    sum(case when tf.satisfaction >= 4 then 1 else 0 end) as satisfied,
    sum(case when tf.first_response_judged_minutes <= tf.first_response_target then 1 else 0 end)
        as first_response_within_target,
    count(case when tf.first_response_target is not null then tf.first_response_judged_minutes end)
        as targeted_first_n,
    sum(case when tf.resolution_judged_minutes <= tf.resolution_target then 1 else 0 end) as resolution_within_target,
    count(case when tf.resolution_target is not null then tf.resolution_judged_minutes end) as targeted_resolution_n
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
