-- explore_praise: compliments and complaints per cell of one or two chosen dimensions, for the Explore
-- page's reputation (compliments / (compliments + complaints)). The same cells as explore_complaints,
-- with compliments beside the complaints. Compliments have no category: the page offers no category,
-- family or component split of reputation.
-- Grain: one row per (key1, key2) with a compliment or a complaint in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories,
--   $components, $dim1, $dim2 (as explore_complaints)
-- Columns:
--   key1, key2    the cell (as explore_complaints)
--   complaints    complaints opened in the period
--   compliments   compliments received in the period
with
-- Measures: cells = tickets by cell: complaints, compliments
select key1, key2, complaints, compliments
from cells
where complaints > 0 or compliments > 0
order by key1, key2
