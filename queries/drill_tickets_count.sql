-- drill_tickets_count: how many tickets the rows page lists (drill_tickets), for its pagination.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories,
--   $components, $only_complaints (true: complaints only; false or null: every ticket),
--   $cell_branch, $cell_region, $cell_branch_type, $cell_channel, $cell_category, $cell_family,
--   $cell_component, $cell_segment, $cell_month ('YYYY-MM'), $cell_weekday (1-7, Monday = 1):
--   the explore cell the rows are behind, each null for "any" (keys as in explore_tickets)
-- Columns: total_rows
--
-- The counts come from the `-- Measures:` line: store/generate.py generates them from the smallest ticket
-- rollup that answers the cell and every selection (branch x day; x channel; x category; the cells),
-- picked at run time by bound conditions, and, as the tests' oracle, from ticket_facts.
with
-- Measures: counted = tickets in cell: tickets, complaints
select cast(case when $only_complaints then complaints else tickets end as bigint) as total_rows
from counted
