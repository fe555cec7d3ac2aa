-- branch_performance: each branch's overall performance (ratings, with or without expectations) in the filter.
-- A respondent's overall performance is the mean of their component scores (percent of maximum possible,
-- 0-100); the branch's is the mean over its respondents, with the sample standard deviation for the t interval.
-- Grain: one row per branch with at least one rated response.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Reads rollup_response_performance (response_component_performance materialised by
-- servicequality/store/rollups.py); its plain form is this text on the view.
-- Oracle: rollup_response_performance -> response_component_performance
-- Columns: branch_id, branch_name, region, n, mean_performance, sd_performance
with respondent as (
    select p.response_id, p.branch_id, avg(p.performance) as performance
    from rollup_response_performance as p
    where p.submitted_on between $start and $end
        -- Selected on p: regions, branch_types, branches, channels, segments, components
    group by p.response_id, p.branch_id
)

select
    b.branch_id,
    b.name as branch_name,
    b.region,
    count(*) as n,
    avg(r.performance) as mean_performance,
    stddev_samp(r.performance) as sd_performance
from respondent as r
join branches as b on b.branch_id = r.branch_id
group by b.branch_id, b.name, b.region
order by b.branch_id
