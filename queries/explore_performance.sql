-- explore_performance: survey performance (ratings, with or without expectations) per cell of one or two
-- chosen dimensions, for the Explore page. A respondent's value in a cell is the mean over the components
-- they rated (of the component filter) of their component score as percent of maximum possible (0-100);
-- with component as a dimension, their score on that component. The cell's value is the mean over its
-- respondents.
-- Grain: one row per (key1, key2) with rated responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components,
--   $dim1, $dim2 (branch, region, branch_type, channel, component, segment, month, weekday; or null)
-- Reads rollup_response_performance (response_component_performance materialised by
-- servicequality/store/rollups.py); its plain form is this text on the view.
-- Oracle: rollup_response_performance -> response_component_performance
-- Columns:
--   key1, key2   the cell, as in explore_survey
--   n            respondents in the cell
--   mean_performance, sd_performance   mean and sample standard deviation of the respondents' scores
with scored as (
    select
        s.response_id,
        -- Cell keys on s by submitted_on: branch, region, branch_type, channel, component = s.component_key, segment, month, weekday
        s.performance
    from rollup_response_performance as s
    where s.submitted_on between $start and $end
        -- Selected on s: regions, branch_types, branches, channels, segments, components
),

respondents as (
    select response_id, key1, key2, avg(performance) as performance
    from scored
    group by response_id, key1, key2
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
