-- servqual_rater_gaps: SERVQUAL gap per RATER group (the five-dimension view of the ten components).
-- A respondent's group score is the mean of their component scores in that group; the group gap
-- is the mean over respondents of (group P - group E), with its sample standard deviation.
-- Grain: one row per RATER group with scored responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns:
--   rater_group, components (how many of the ten belong to it), group_order (first sort_order)
--   n                respondents who scored at least one component of the group
--   mean_perception, mean_expectation   means over respondents of their group P and E (1-7)
--   mean_gap, sd_gap mean and sample standard deviation of the respondent group gaps
-- The sums come from the `-- Measures:` line: store/generate.py generates them from rollup_rater_days
-- (branch x day x channel x segment x group, each respondent's group means as exact scaled integers)
-- or, with components selected, from the group means over those components
-- (queries/fragments/rater_groups.sql); as the tests' oracle, from response_component_scores.
with
-- Include: rater_groups
-- Measures: sums = rater_groups by rater_group: n, mean_perception, mean_expectation, mean_gap, sd_gap
groups as (
    select rater_group, count(*) as components, min(sort_order) as group_order
    from components
    group by rater_group
)

select
    g.rater_group,
    g.components,
    g.group_order,
    coalesce(s.n, 0) as n,
    s.mean_perception,
    s.mean_expectation,
    s.mean_gap,
    s.sd_gap
from groups as g
left join sums as s on s.rater_group = g.rater_group
order by g.group_order
