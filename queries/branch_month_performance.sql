-- branch_month_performance: each branch's overall performance per calendar month, for control charts
-- of a survey read as ratings (same definition as branch_performance).
-- Grain: one row per branch and month with rated responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Reads rollup_response_performance (response_component_performance materialised by
-- servicequality/store/rollups.py); its plain form is this text on the view.
-- Oracle: rollup_response_performance -> response_component_performance
-- Columns: branch_id, month (first day, date), performance_n, mean_performance (0-100), sd_performance
with respondent as (
    select
        p.response_id,
        p.branch_id,
        cast(date_trunc('month', any_value(p.submitted_at)) as date) as month,
        avg(p.performance) as performance
    from rollup_response_performance as p
    where p.submitted_on between $start and $end
        -- Selected on p: regions, branch_types, branches, channels, segments, components
    group by p.response_id, p.branch_id
)

select
    branch_id,
    month,
    count(*) as performance_n,
    avg(performance) as mean_performance,
    stddev_samp(performance) as sd_performance
from respondent
group by branch_id, month
order by branch_id, month
