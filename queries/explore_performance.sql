-- explore_performance: survey performance (ratings, with or without expectations) per cell of one or two
-- chosen dimensions, for the Explore page. A respondent's value in a cell is the mean over the components
-- they rated (of the component filter) of their component score as percent of maximum possible (0-100);
-- with component as a dimension, their score on that component. The cell's value is the mean over its
-- respondents.
-- Grain: one row per (key1, key2) with rated responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components,
--   $dim1, $dim2 (branch, region, branch_type, channel, component, segment, month, weekday; or null)
-- Columns:
--   key1, key2   the cell, as in explore_survey
--   n            respondents in the cell
--   mean_performance, sd_performance   mean and sample standard deviation of the respondents' scores
--
-- With no component selected and neither dimension the component, a respondent's value is their
-- overall performance, one row each in rollup_respondent_performance (a year at 10 M tickets: 680,000
-- rows). Otherwise their rows per component in rollup_response_performance (6.8 M) are averaged per
-- respondent first: 0.2 s where the respondents' rows take 0.02 s (2026-12-06); with one component
-- selected a respondent has one row, their value as it is (a year of one component by region at
-- 10 M tickets: 153 -> 62 ms). Both rollups are materialised views (store/rollups.py); the plain
-- form is this text on the views, the respondents always regrouped.
-- Rollup choice: scored_respondents -> single_scored when one $components
-- Oracle: rollup_response_performance -> response_component_performance
-- Oracle: rollup_respondent_performance -> respondent_performance
with scored as (
    select
        s.response_id,
        -- Cell keys on s by submitted_on: branch, region, branch_type, channel, component = s.component_key, segment, month, weekday
        s.performance
    from rollup_response_performance as s
    where not ($components is null
            and coalesce($dim1 in ('branch', 'region', 'branch_type', 'channel', 'segment', 'month', 'weekday'), true)
            and coalesce($dim2 in ('branch', 'region', 'branch_type', 'channel', 'segment', 'month', 'weekday'), true))
        and s.submitted_on between $start and $end
        -- Selected on s: regions, branch_types, branches, channels, segments, components
),

scored_respondents as (
    select response_id, key1, key2, avg(performance) as performance
    from scored
    group by response_id, key1, key2
),

single_scored as (
    select response_id, key1, key2, performance
    from scored
),

respondents as (
    select response_id, key1, key2, performance
    from scored_respondents

    union all

    select
        r.response_id,
        -- Cell keys on r by submitted_on: branch, region, branch_type, channel, segment, month, weekday
        r.performance
    from rollup_respondent_performance as r
    where $components is null
        and coalesce($dim1 in ('branch', 'region', 'branch_type', 'channel', 'segment', 'month', 'weekday'), true)
        and coalesce($dim2 in ('branch', 'region', 'branch_type', 'channel', 'segment', 'month', 'weekday'), true)
        and r.submitted_on between $start and $end
        -- Selected on r: regions, branch_types, branches, channels, segments
)

select
    key1,
    key2,
    count(*) as n,
    avg(performance) as mean_performance,
    stddev_samp(performance) as sd_performance
from respondents
group by key1, key2
order by key1, key2
