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
-- Reads rollup_rater_days (servicequality/store/rollups.py: branch x day x channel x segment x group,
-- each respondent's group means as exact scaled integers). With components selected, a respondent's
-- group score is the mean over the selected components of the group, from each respondent's
-- component means (rollup_response_components).
-- Rollup choice: rollup_rater_days -> rater_component_days when $components
with rater_component_days as (
    select
        g.branch_id, g.submitted_on, g.channel, g.segment, g.rater_group,
        count(*) as n, sum(g.p) as sum_p, sum(g.e) as sum_e, sum(g.p - g.e) as sum_g,
        sum(cast(g.p - g.e as hugeint) * (g.p - g.e)) as sum_gg
    from (
        select
            rc.branch_id, rc.submitted_on, rc.channel, rc.segment, rc.response_id, c.rater_group,
            cast(sum(rc.p) * (st.respondent_scale // (st.gap_scale * count(*))) as bigint) as p,
            cast(sum(rc.e) * (st.respondent_scale // (st.gap_scale * count(*))) as bigint) as e
        from rollup_response_components as rc
        join components as c on c.component_key = rc.component_key
        cross join rollup_settings as st
        where rc.submitted_on between $start and $end
            and list_contains($components, rc.component_key)
        group by rc.branch_id, rc.submitted_on, rc.channel, rc.segment, rc.response_id, c.rater_group,
            st.respondent_scale, st.gap_scale
    ) as g
    group by g.branch_id, g.submitted_on, g.channel, g.segment, g.rater_group
),

sums as (
    select
        d.rater_group,
        sum(d.n) as n, sum(d.sum_p) as sp, sum(d.sum_e) as se, sum(d.sum_g) as sg, sum(d.sum_gg) as sgg
    from rollup_rater_days as d
    join branches as b on b.branch_id = d.branch_id
    where d.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
        and ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
    group by d.rater_group
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
    cast(coalesce(s.n, 0) as bigint) as n,
    cast(s.sp as double) / (s.n * st.respondent_scale) as mean_perception,
    cast(s.se as double) / (s.n * st.respondent_scale) as mean_expectation,
    cast(s.sg as double) / (s.n * st.respondent_scale) as mean_gap,
    case when s.n > 1 then sqrt(cast(s.n * s.sgg - s.sg * s.sg as double) / (s.n * (s.n - 1))) / st.respondent_scale end as sd_gap
from groups as g
cross join rollup_settings as st
left join sums as s on s.rater_group = g.rater_group
order by g.group_order
