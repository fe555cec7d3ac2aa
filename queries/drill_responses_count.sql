-- drill_responses_count: how many survey responses the rows page lists (drill_responses).
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components,
--   $cell_branch, $cell_region, $cell_branch_type, $cell_channel, $cell_component, $cell_segment, $cell_month ('YYYY-MM'), $cell_weekday (1-7, Monday = 1):
--   the explore cell the rows are behind, each null for "any" (keys as in explore_tickets)
--   ($cell_component or the component filter: only responses that scored one of them)
-- Columns: total_rows
--
-- With a component filter or cell, the responses that scored one come from rollup_response_components
-- (one row per response and component); without, every response counts and no score is read.
-- Oracle: rollup_response_components -> response_component_means
with
-- Include: response_cell

select count(*) as total_rows
from cell_responses
