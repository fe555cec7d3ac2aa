-- rollup_visitors: each identified customer with a visit on record, once (their first visit's row of
-- rollup_visit_days), with that first visit's day. The customer queries keep only the complainers found
-- here (queries/complaint_recovery.sql): 3.7 M customers at 13.6 M visits scan four times
-- faster than the visits.
-- Grain: customer
select customer_key, visited_on as first_visit_on
from rollup_visit_days
where previous_on is null and first_of_day
