-- date_bounds: the first and last day that holds tickets, survey responses, customers served or visits
-- (an identified customer's visit: the return rate's facts).
-- Grain: one row.
-- Parameters: none.
-- Reads the day rollups (servicequality/store/rollups.py) instead of every ticket and response; its
-- plain form reads the base views, which have the same date columns:
-- Oracle: rollup_ticket_days -> ticket_facts
-- Oracle: rollup_survey_days -> response_facts
-- Oracle: rollup_visit_days -> visits
-- Columns: first_day, last_day (dates; null when the store is empty)
select
    min(first_day) as first_day,
    max(last_day) as last_day
from (
    select min(opened_on) as first_day, max(opened_on) as last_day from rollup_ticket_days
    union all
    select min(submitted_on), max(submitted_on) from rollup_survey_days
    union all
    select min(served_on), max(served_on) from customers_served
    union all
    select min(visited_on), max(visited_on) from rollup_visit_days
) as bounds
