-- component_branch_gaps: SERVQUAL gap per branch and component (the heatmap).
-- Grain: one row per branch and component with at least one scored response in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns:
--   branch_id, branch_name, region, component_key, component_name, sort_order
--   n                respondents of the branch who scored the component
--   mean_gap, sd_gap mean and sample standard deviation of their gaps (mean P - mean E)
-- The sums come from the `-- Measures:` line: store/generate.py generates them from the rollups
-- (whole months from the month table, the cut months' days from the day table) and, as the
-- tests' oracle, from the base view (`python -m servicequality sql NAME --plain`).
with
-- Measures: sums = component_scores by branch_id, component_key: n, mean_gap, sd_gap
select
    b.branch_id,
    b.name as branch_name,
    b.region,
    c.component_key,
    c.name as component_name,
    c.sort_order,
    s.n,
    s.mean_gap,
    s.sd_gap
from sums as s
join branches as b on b.branch_id = s.branch_id
join components as c on c.component_key = s.component_key
order by b.region, b.branch_id, c.sort_order
