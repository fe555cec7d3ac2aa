-- store_contents: which kinds of data the store holds at all, so that a page opens on what it has.
-- Grain: one row.
-- Parameters: none.
-- Columns (each 1 or 0; a probe of one row, not a count):
--   has_complaints   any complaint ticket
--   has_gaps         any survey item answered with an expectation (SERVQUAL)
--   has_ratings_only any survey item answered without an expectation (performance only)
select
    (select count(*) from (select 1 from tickets where kind = 'complaint' limit 1) as t) as has_complaints,
    (select count(*) from (select 1 from survey_scores where expectation is not null limit 1) as g) as has_gaps,
    (select count(*) from (select 1 from survey_scores where expectation is null limit 1) as r) as has_ratings_only
