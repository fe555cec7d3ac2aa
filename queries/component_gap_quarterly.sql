-- component_gap_quarterly: SERVQUAL gap per component and calendar quarter (the trend chart).
-- Grain: one row per quarter and component with scored responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns:
--   period          first day of the quarter (date)
--   component_key, component_name, sort_order
--   n               respondents who scored the component that quarter
--   mean_gap        mean over respondents of (mean P - mean E over the component's items)
--   sd_gap          sample standard deviation of the respondent gaps
-- The sums come from the `-- Measures:` line: store/generate.py generates them from the rollups
-- (whole months from the month table, the cut months' days from the day table) and, as the
-- tests' oracle, from the base view (`python -m servicequality sql NAME --plain`).
with
-- Measures: sums = component_scores by quarter as period, component_key: n, mean_gap, sd_gap
select s.*, c.name as component_name, c.sort_order
from sums as s
join components as c on c.component_key = s.component_key
order by s.period, c.sort_order
