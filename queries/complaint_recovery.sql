-- complaint_recovery: whether customers come back after a complaint, by how it was handled, against
-- customers who did not complain (queries/fragments/customer_outcomes.sql says who is in each group).
-- Per stratum (branch x segment), so that the page can compare the groups within strata
-- (stats/stratified.py: the Mantel-Haenszel risk difference, adjusted for branch and segment).
-- Returned: a visit on a later day within $return_days days of the index day. Judged: customers whose
-- $return_days-day window ended by the last visit day the store holds; only they enter a return rate.
-- Oracle: the rollups' models
-- Grain: one row per outcome, branch and segment with a customer.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories,
--   $components, $return_days
-- Columns:
--   outcome     'none' (did not complain), 'within_target', 'late', 'open', 'escalated', 'reopened',
--               'no_target'
--   branch_id, segment
--   customers   customers in the group and stratum
--   judged      of those, whose window closed by the as-of day
--   returned    of the judged, those back within $return_days days
with
-- Include: customer_outcomes
select
    o.outcome,
    o.branch_id,
    o.segment,
    count(*) as customers,
    count(case when o.days_observed >= $return_days then 1 end) as judged,
    count(case when o.days_observed >= $return_days and o.days_to_next <= $return_days then 1 end) as returned
from customer_outcomes as o
group by o.outcome, o.branch_id, o.segment
order by o.outcome, o.branch_id, o.segment
