-- customer_returns_months: identified customers' return rate per branch and month, for control charts
-- month by month: a customer counts once in each month they visit, at their first visit that month
-- (queries/fragments/customer_index_visits.sql). customer_returns counts a customer once in the whole
-- period instead (at their first visit in it): summed over months, these rows count customer-months.
-- Oracle: the rollups' models
-- Grain: one row per branch and month with a visit of an identified customer in the period.
-- Parameters: $start, $end, $regions, $branch_types, $branches, $channels, $segments, $return_days
-- Columns:
--   branch_id, month   the visit's branch and month (its first day)
--   customers          customers whose first visit that month is there
--   judged             of those, whose window closed by the as-of day
--   returned           of the judged, those back within $return_days days
with
-- Include: customer_index_visits (per customer_key, visit_month; since greatest($start, v.visit_month))
select
    i.branch_id,
    i.visit_month as month,
    count(*) as customers,
    count(case when i.judged then 1 end) as judged,
    count(case when i.judged and i.back then 1 end) as returned
from customer_index_visits as i
group by i.branch_id, i.visit_month
order by i.branch_id, month
