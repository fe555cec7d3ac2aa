-- drill_visits_count: how many visits the rows page lists (drill_visits).
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types,
--   $cell_branch, $cell_region, $cell_branch_type, $cell_channel, $cell_segment, $cell_month
--   ('YYYY-MM'), $cell_weekday (1-7, Monday = 1): the explore cell the rows are behind, each null for "any"
-- Columns: total_rows
with
-- Include: visit_cell

select count(*) as total_rows
from cell_visits
