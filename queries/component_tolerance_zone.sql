-- component_tolerance_zone: zone of tolerance per component (Zeithaml, Berry & Parasuraman 1993).
-- Only respondents who gave an adequate (minimum acceptable) level for the component count, and
-- only the items that have one: adequate, desired and perceived levels are means over the same
-- people and the same items (a respondent's P - A pairs each item's P with its own A).
-- Grain: one row per component with at least one adequate level in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns:
--   component_key, component_name, sort_order
--   n                respondents with an adequate level for the component
--   mean_adequate    mean adequate level (bottom of the zone, 1-7)
--   mean_desired     mean desired level = the expectation item (top of the zone)
--   mean_perception  mean perceived level
--   mean_msa, sd_msa measure of service adequacy, per respondent P - adequate
--   mean_mss, sd_mss measure of service superiority, per respondent P - desired
-- The sums come from the `-- Measures:` line: store/generate.py generates them from the rollups
-- (whole months from the month table, the cut months' days from the day table) and, as the
-- tests' oracle, from the base view (`python -m servicequality sql NAME --plain`).
with
-- Measures: sums = component_scores by component_key: n_adequate, mean_adequate, mean_desired_paired, mean_perception_paired, mean_msa, sd_msa, mean_mss, sd_mss
select
    c.component_key,
    c.name as component_name,
    c.sort_order,
    s.n_adequate as n,
    s.mean_adequate,
    s.mean_desired_paired as mean_desired,
    s.mean_perception_paired as mean_perception,
    s.mean_msa,
    s.sd_msa,
    s.mean_mss,
    s.sd_mss
from sums as s
join components as c on c.component_key = s.component_key
where s.n_adequate > 0
order by c.sort_order
