-- component_importance: the weight customers give each component.
-- Each respondent's points are normalised to sum 1 over the components they weighted; the
-- component weight is the mean of those shares over the respondents who gave points.
-- Grain: one row per component that received importance points.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns: component_key, n (respondents who gave points), mean_share (0-1)
-- The sums come from the `-- Measures:` line: store/generate.py generates them from the importance
-- rollups (whole months from rollup_importance_months, the cut months' days from rollup_importance_days)
-- and, as the tests' oracle, from the view importance_shares.
with
-- Measures: weights = importance by component_key: n, mean_share
select component_key, n, mean_share
from weights
order by component_key
