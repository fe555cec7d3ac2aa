-- recovery_times: days from the index day to the customer's next visit, per outcome group
-- (queries/fragments/customer_outcomes.sql), as counts per day for a Kaplan-Meier curve
-- (stats/survival.py): a customer back after d days is an event at d; one not back by the last visit
-- day the store holds is censored at the days observed.
-- Oracle: the rollups' models
-- Grain: one row per outcome and day with an event or a censoring.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   outcome    as complaint_recovery
--   days       days to the next visit, or observed without one
--   returned   customers back after exactly `days` days
--   censored   customers not back, observed for `days` days
with
-- Include: customer_outcomes
select
    o.outcome,
    coalesce(o.days_to_next, o.days_observed) as days,
    count(o.days_to_next) as returned,
    count(case when o.days_to_next is null then 1 end) as censored
from customer_outcomes as o
group by o.outcome, coalesce(o.days_to_next, o.days_observed)
order by o.outcome, days
