-- store_contents: which kinds of data the store holds at all, so that a page opens on what it has.
-- Grain: one row.
-- Parameters: none.
-- Columns (each 1 or 0; a probe of one row, not a count):
--   has_complaints   any complaint ticket
--   has_gaps         any survey item answered with an expectation (SERVQUAL)
--   has_ratings_only any survey item answered without an expectation (performance only)
--   has_compliments  any compliment ticket (without one, reputation is not recorded, not 0 %)
--   has_visits       any visit of an identified customer (return rate)
--   has_customer_complaints  any complaint ticket linked to a customer (recovery after complaints)
--   has_tickets      any ticket at all (complaint, request or compliment)
--   has_responses    any survey response
select
    (select count(*) from (select 1 from tickets where kind = 'complaint' limit 1) as t) as has_complaints,
    (select count(*) from (select 1 from survey_scores where expectation is not null limit 1) as g) as has_gaps,
    (select count(*) from (select 1 from survey_scores where expectation is null limit 1) as r) as has_ratings_only,
    (select count(*) from (select 1 from tickets where kind = 'compliment' limit 1) as p) as has_compliments,
    (select count(*) from (select 1 from visits limit 1) as v) as has_visits,
    (select count(*) from (select 1 from ticket_customers limit 1) as c) as has_customer_complaints,
    (select count(*) from (select 1 from tickets limit 1) as k) as has_tickets,
    (select count(*) from (select 1 from survey_responses limit 1) as s) as has_responses
