-- explore_complaints: complaints per cell of one or two chosen dimensions, for the Explore page's
-- count and complaint rate (the rate's numerator; its denominator is explore_served). The same
-- cells as explore_tickets without the handling times. The dimensions are bound values matched by
-- `case`, never SQL text: an unknown dimension gives a null key (one cell).
-- Grain: one row per (key1, key2) with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories,
--   $components, $dim1, $dim2 (dimension keys: branch, region, branch_type, channel, category,
--   family, component, segment, month, weekday; or null)
-- Columns:
--   key1, key2   the cell: the value of $dim1 and $dim2 (null when that dimension is null or does
--                not apply). branch -> branch_id, component -> component_key, month -> 'YYYY-MM',
--                weekday -> '1'..'7' (Monday = 1), others -> the value itself
--   complaints   complaints opened in the period
--
-- The counts come from the `-- Measures:` line: store/generate.py generates them from the smallest ticket
-- rollup that answers both dimensions and every selection (branch x day; x channel; x category for
-- category, family and component; the cells for anything else), picked at run time by bound
-- conditions, and, as the tests' oracle, from ticket_facts.
with
-- Measures: cells = tickets by cell: complaints
select key1, key2, complaints
from cells
where complaints > 0
order by key1, key2
