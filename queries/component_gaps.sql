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
-- Reads the rollups of servicequality/store/rollups.py: the whole months of the period from the month
-- rollups (branch x month), the days of the months it cuts (at most two) from the day rollups
-- (branch x day). Channel and segment selections
-- read the same rollups (their grain includes both).
with days as (
    select m.branch_id, m.component_key, m.n, m.sum_p, m.sum_e, m.sum_g, m.sum_gg, m.n_a, m.sum_a
    from rollup_component_months as m
    -- the months that lie wholly inside the period
    where ($channels is null or list_contains($channels, m.channel))
        and ($segments is null or list_contains($segments, m.segment))
        and m.month_start >= $start and m.month_end <= $end
    union all
    select e.branch_id, e.component_key, e.n, e.sum_p, e.sum_e, e.sum_g, e.sum_gg, e.n_a, e.sum_a
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
    select
        d.component_key,
        sum(d.n) as n, sum(d.sum_p) as sp, sum(d.sum_e) as se, sum(d.sum_g) as sg, sum(d.sum_gg) as sgg,
        sum(d.n_a) as n_a, sum(d.sum_a) as sa
    from days as d
    join branches as b on b.branch_id = d.branch_id
    where ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
        and ($components is null or list_contains($components, d.component_key))
    group by d.component_key
)

select
    c.component_key,
    c.name as component_name,
    c.rater_group,
    c.sort_order,
    cast(coalesce(s.n, 0) as bigint) as n,
    cast(s.sp as double) / (s.n * st.gap_scale) as mean_perception,
    cast(s.se as double) / (s.n * st.gap_scale) as mean_expectation,
    cast(s.sg as double) / (s.n * st.gap_scale) as mean_gap,
    case when s.n > 1 then sqrt(cast(s.n * s.sgg - s.sg * s.sg as double) / (s.n * (s.n - 1))) / st.gap_scale end as sd_gap,
    cast(s.sa as double) / (nullif(s.n_a, 0) * st.gap_scale) as mean_adequate,
    cast(coalesce(s.n_a, 0) as bigint) as n_adequate
from components as c
cross join rollup_settings as st
left join sums as s on s.component_key = c.component_key
order by sort_order
