-- component_gaps: SERVQUAL gap per component (Parasuraman et al. 1988).
-- Grain: one row per component of the `components` table (n = 0 when nobody answered).
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns:
--   component_key, component_name, rater_group, sort_order
--   n                respondents who scored the component
--   mean_perception  mean over respondents of their mean perception over the items (1-7)
--   mean_expectation likewise for expectation
--   mean_gap         mean over respondents of (mean P - mean E); negative = shortfall
--   sd_gap           sample standard deviation of the respondent gaps (for the t interval)
--   mean_adequate    mean adequate (minimum acceptable) level; null when the survey lacks it
--   n_adequate       respondents with an adequate level
-- The sums come from the `-- Measures:` line: store/generate.py generates them from the rollups
-- (whole months from the month table, the cut months' days from the day table) and, as the
-- tests' oracle, from the base view (`python -m servicequality sql NAME --plain`).
with
-- Measures: sums = component_scores by component_key: n, mean_perception, mean_expectation, mean_gap, sd_gap, mean_adequate, n_adequate
select
    c.component_key,
    c.name as component_name,
    c.rater_group,
    c.sort_order,
    coalesce(s.n, 0) as n,
    s.mean_perception,
    s.mean_expectation,
    s.mean_gap,
    s.sd_gap,
    s.mean_adequate,
    coalesce(s.n_adequate, 0) as n_adequate
from components as c
left join sums as s on s.component_key = c.component_key
order by c.sort_order
