-- date_bounds: the first and last day that holds tickets, survey responses or customers served.
-- Grain: one row.
-- Parameters: none.
-- Columns: first_day, last_day (dates; null when the store is empty)
select
    min(first_day) as first_day,
    max(last_day) as last_day
from (
    select cast(min(opened_at) as date) as first_day, cast(max(opened_at) as date) as last_day from tickets
    union all
    select cast(min(submitted_at) as date), cast(max(submitted_at) as date) from survey_responses
    union all
    select min(served_on), max(served_on) from customers_served
) as bounds
