-- component_region_gaps: SERVQUAL gap per region and component (the heatmap by region).
-- Grain: one row per region and component with at least one scored response in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns:
--   region, component_key, component_name, sort_order
--   n                respondents in the region who scored the component
--   mean_gap, sd_gap mean and sample standard deviation of their gaps (mean P - mean E)
-- The sums come from the `-- Measures:` line: store/generate.py generates them from the rollups
-- (whole months from the month table, the cut months' days from the day table) and, as the
-- tests' oracle, from the base view (`python -m servicequality sql NAME --plain`).
with
-- Measures: sums = component_scores by region, component_key: n, mean_gap, sd_gap
select s.*, c.name as component_name, c.sort_order
from sums as s
join components as c on c.component_key = s.component_key
order by s.region, c.sort_order
