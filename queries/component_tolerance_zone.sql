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
-- Reads the rollups of servicequality/store/rollups.py (branch x day). Channel and segment
-- selections read the same rollups (their grain includes both).
with sums as (
    select
        d.component_key,
        sum(d.n_a) as n, sum(d.sum_a) as sa, sum(d.sum_e_a) as se, sum(d.sum_p_a) as sp,
        sum(d.sum_msa) as smsa, sum(d.sum_msa2) as smsa2, sum(d.sum_mss) as smss, sum(d.sum_mss2) as smss2
    from rollup_component_days as d
    join branches as b on b.branch_id = d.branch_id
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and d.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
        and ($components is null or list_contains($components, d.component_key))
    group by d.component_key
    having sum(d.n_a) > 0
)

select
    c.component_key,
    c.name as component_name,
    c.sort_order,
    cast(s.n as bigint) as n,
    cast(s.sa as double) / (s.n * st.gap_scale) as mean_adequate,
    cast(s.se as double) / (s.n * st.gap_scale) as mean_desired,
    cast(s.sp as double) / (s.n * st.gap_scale) as mean_perception,
    cast(s.smsa as double) / (s.n * st.gap_scale) as mean_msa,
    case when s.n > 1 then sqrt(cast(s.n * s.smsa2 - s.smsa * s.smsa as double) / (s.n * (s.n - 1))) / st.gap_scale end as sd_msa,
    cast(s.smss as double) / (s.n * st.gap_scale) as mean_mss,
    case when s.n > 1 then sqrt(cast(s.n * s.smss2 - s.smss * s.smss as double) / (s.n * (s.n - 1))) / st.gap_scale end as sd_mss
from sums as s
join components as c on c.component_key = s.component_key
cross join rollup_settings as st
order by sort_order
