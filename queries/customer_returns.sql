-- customer_returns: identified customers' return rate, per branch and month of their first visit in the
-- period: of the customers who visited, how many came back within $return_days days.
-- A customer counts once, at their first visit in the period that the selections match (the index
-- visit, whose branch and month the row is). Returned: a visit on a later day, at any branch, within
-- $return_days days of it. Judged: customers whose $return_days-day window ended by the last visit
-- day the store holds (the data's as-of); a customer seen later could still come back, so only judged
-- customers enter the rate. Complaint categories and components do not apply to visits.
-- Oracle: the rollups' models
-- Grain: one row per branch and month with a first visit in the period.
-- Parameters: $start, $end, $regions, $branch_types, $branches, $channels, $segments, $return_days
-- Columns:
--   branch_id, month   the index visit's branch and month (its first day)
--   customers          customers whose first visit in the period is there
--   judged             of those, whose window closed by the as-of day
--   returned           of the judged, those with another visit within $return_days days
--   referred_n         of the customers, those whose index visit records whether it came on a referral
--   referred           of those, the ones that did
--   as_of              the last visit day the store holds (the same on every row)
with
-- Include: customer_index_visits (per customer_key; since $start)
select
    i.branch_id,
    cast(date_trunc('month', i.visited_on) as date) as month,
    count(*) as customers,
    count(case when i.judged then 1 end) as judged,
    count(case when i.judged and i.back then 1 end) as returned,
    count(i.referred) as referred_n,
    count(case when i.referred then 1 end) as referred,
    max(i.as_of) as as_of
from customer_index_visits as i
group by i.branch_id, cast(date_trunc('month', i.visited_on) as date)
order by i.branch_id, month
