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
-- The sums come from the `-- Measures:` line: store/generate.py generates them from the rollups
-- (a channel, segment, category or component selection reads the finer ticket rollup) and, as
-- the tests' oracle, from the base view (`python -m servicequality sql NAME --plain`).
with
-- Measures: c = tickets: complaints, reopened, reopened_n, escalated, escalated_n, satisfaction_n, mean_satisfaction, satisfied, first_response_within_target, targeted_first_n, resolution_within_target, targeted_resolution_n
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
from c
