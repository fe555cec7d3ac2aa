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
with scored as (
    select s.response_id, c.rater_group, s.perception, s.expectation, s.gap
    from response_component_scores as s
    join components as c on c.component_key = s.component_key
    where s.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, s.region))
        and ($branch_types is null or list_contains($branch_types, s.branch_type))
        and ($branches is null or list_contains($branches, s.branch_id))
        and ($channels is null or list_contains($channels, s.channel))
        and ($segments is null or list_contains($segments, s.segment))
        and ($components is null or list_contains($components, s.component_key))
),

respondent_group as (
    select
        response_id,
        rater_group,
        avg(perception) as perception,
        avg(expectation) as expectation,
        avg(gap) as gap
    from scored
    group by response_id, rater_group
),

groups as (
    select rater_group, count(*) as components, min(sort_order) as group_order
    from components
    group by rater_group
)

select
    g.rater_group,
    g.components,
    g.group_order,
    count(r.gap) as n,
    avg(r.perception) as mean_perception,
    avg(r.expectation) as mean_expectation,
    avg(r.gap) as mean_gap,
    stddev_samp(r.gap) as sd_gap
from groups as g
left join respondent_group as r on r.rater_group = g.rater_group
group by g.rater_group, g.components, g.group_order
order by g.group_order
