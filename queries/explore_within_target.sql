-- explore_within_target: the share of complaints resolved within their target per cell of one or two
-- chosen dimensions, for the Explore page: the counts explore_tickets gives beside its medians,
-- from the ticket rollups instead of every complaint (the medians need each complaint's times; the
-- share does not). The dimensions are bound values matched by `case`, never SQL text: an unknown
-- dimension gives a null key (one cell).
-- Grain: one row per (key1, key2) with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories,
--   $components, $dim1, $dim2 (the dimension keys of explore_complaints)
-- Columns:
--   key1, key2                 the cell, as in explore_complaints
--   complaints                 complaints opened in the period
--   targeted_resolution_n      complaints with a resolution target judged against it: resolved, or
--                              still open past it (late); the share's denominator
--   resolution_within_target   of those, resolved within their target
--
-- The counts come from the `-- Measures:` line (store/generate.py: the smallest ticket rollup that
-- holds these sums and answers both dimensions and every selection; ticket_facts as the oracle).
with
-- Measures: cells = tickets by cell: complaints, targeted_resolution_n, resolution_within_target
select key1, key2, complaints, targeted_resolution_n, resolution_within_target
from cells
where complaints > 0
order by key1, key2
