-- component_gap_quarterly: SERVQUAL gap per component and calendar quarter (the trend chart).
-- Grain: one row per quarter and component with scored responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns:
--   period          first day of the quarter (date)
--   component_key, component_name, sort_order
--   n               respondents who scored the component that quarter
--   mean_gap        mean over respondents of (mean P - mean E over the component's items)
--   sd_gap          sample standard deviation of the respondent gaps
-- Reads the rollups of servicequality/store/rollups.py (branch x day). Channel and segment
-- selections read the same rollups (their grain includes both).
with sums as (
    select
        cast(date_trunc('quarter', d.submitted_on) as date) as period,
        d.component_key,
        sum(d.n) as n, sum(d.sum_g) as sg, sum(d.sum_gg) as sgg
    from rollup_component_days as d
    join branches as b on b.branch_id = d.branch_id
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and d.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
        and ($components is null or list_contains($components, d.component_key))
    group by cast(date_trunc('quarter', d.submitted_on) as date), d.component_key
)

select
    s.period,
    c.component_key,
    c.name as component_name,
    c.sort_order,
    cast(s.n as bigint) as n,
    cast(s.sg as double) / (s.n * st.gap_scale) as mean_gap,
    case when s.n > 1 then sqrt(cast(s.n * s.sgg - s.sg * s.sg as double) / (s.n * (s.n - 1))) / st.gap_scale end as sd_gap
from sums as s
join components as c on c.component_key = s.component_key
cross join rollup_settings as st
order by period, sort_order
