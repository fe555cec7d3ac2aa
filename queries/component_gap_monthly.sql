-- component_gap_monthly: SERVQUAL gap per component and calendar month (the trend chart).
-- Grain: one row per month and component with scored responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns:
--   period          first day of the month (date)
--   component_key, component_name, sort_order
--   n               respondents who scored the component that month
--   mean_gap        mean over respondents of (mean P - mean E over the component's items)
--   sd_gap          sample standard deviation of the respondent gaps
-- Reads the rollups of servicequality/store/rollups.py: the whole months of the period from the month
-- rollups (branch x month), the days of the months it cuts (at most two) from the day rollups
-- (branch x day). Channel and segment selections
-- read the same rollups (their grain includes both).
with days as (
    select m.branch_id, m.month_start as period, m.component_key, m.n, m.sum_g, m.sum_gg
    from rollup_component_months as m
    -- the months that lie wholly inside the period
    where ($channels is null or list_contains($channels, m.channel))
        and ($segments is null or list_contains($segments, m.segment))
        and m.month_start >= $start and m.month_end <= $end
    union all
    select e.branch_id, cast(date_trunc('month', e.submitted_on) as date) as period, e.component_key, e.n, e.sum_g, e.sum_gg
    from rollup_component_days as e
    -- the days of the first and last month of the period, unless that month lies wholly inside it
    where ($channels is null or list_contains($channels, e.channel))
        and ($segments is null or list_contains($segments, e.segment))
        and (e.submitted_on between $start and last_day(cast($start as date))
            or e.submitted_on between cast(date_trunc('month', cast($end as date)) as date) and $end)
        and e.submitted_on between $start and $end
        and not (cast(date_trunc('month', e.submitted_on) as date) >= $start and last_day(e.submitted_on) <= $end)
),

sums as (
    select d.period, d.component_key, sum(d.n) as n, sum(d.sum_g) as sg, sum(d.sum_gg) as sgg
    from days as d
    join branches as b on b.branch_id = d.branch_id
    where ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
        and ($components is null or list_contains($components, d.component_key))
    group by d.period, d.component_key
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
