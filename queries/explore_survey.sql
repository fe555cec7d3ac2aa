-- explore_survey: SERVQUAL gap and perception per cell of one or two chosen dimensions, for the
-- Explore page. A respondent's value in a cell is the mean over the components they scored (of
-- the component filter) of their component gap (P - E) or perception; with component as a
-- dimension, their gap on that component. The cell's value is the mean over its respondents.
-- Grain: one row per (key1, key2) with scored responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components,
--   $dim1, $dim2 (branch, region, branch_type, channel, component, segment, month, weekday; or null)
-- Columns:
--   key1, key2   the cell: the value of $dim1 and $dim2 (null when that dimension is null or does
--                not apply). branch -> branch_id, component -> component_key, month -> 'YYYY-MM',
--                weekday -> '1'..'7' (Monday = 1), others -> the value itself
--   n                respondents in the cell
--   mean_gap, sd_gap mean and sample standard deviation of the respondents' gaps
--   mean_perception, sd_perception  likewise for perception (1-7)
--
-- Respondent by respondent unless a dimension splits them: with both dimensions among branch, region,
-- branch type, channel, segment, month and weekday (or none), every respondent's overall
-- gap and perception are summed per branch and day (the `-- Measures:` line: rollup_survey_days, or
-- the selected components' means when some are, store/facts.py's respondent_gaps). Otherwise (the
-- component, or a dimension a survey answer lacks: one null cell), each respondent's component
-- means come from rollup_response_components (scaled
-- integer sums: p / gap_scale is the mean item perception, (p - e) / gap_scale the component gap).
-- Oracle: rollup_response_components -> response_component_means
with
-- Include: respondent_gaps
-- Measures: respondent_cells = respondent_gaps by cell: gap_n, mean_gap, sd_gap, mean_perception, sd_perception
scored as (
    select
        s.response_id,
        -- Cell keys on s by submitted_on: branch, region = b.region, branch_type = b.branch_type, channel, component = s.component_key, segment, month, weekday
        s.p - s.e as g,
        s.p
    from rollup_response_components as s
    join branches as b on b.branch_id = s.branch_id
    where not (coalesce($dim1 in ('branch', 'region', 'branch_type', 'channel', 'segment', 'month', 'weekday'), true)
            and coalesce($dim2 in ('branch', 'region', 'branch_type', 'channel', 'segment', 'month', 'weekday'), true))
        and s.submitted_on between $start and $end
        -- Selected on b: regions, branch_types, branches; on s: channels, segments, components
),

respondents as (
    select
        x.response_id,
        x.key1,
        x.key2,
        sum(x.g) / (st.gap_scale * count(*)) as gap,
        sum(x.p) / (st.gap_scale * count(*)) as perception
    from scored as x
    cross join rollup_settings as st
    group by x.response_id, x.key1, x.key2, st.gap_scale
)

select
    key1,
    key2,
    count(*) as n,
    avg(gap) as mean_gap,
    stddev_samp(gap) as sd_gap,
    avg(perception) as mean_perception,
    stddev_samp(perception) as sd_perception
from respondents
group by key1, key2

union all

select key1, key2, gap_n as n, mean_gap, sd_gap, mean_perception, sd_perception
from respondent_cells
where coalesce($dim1 in ('branch', 'region', 'branch_type', 'channel', 'segment', 'month', 'weekday'), true)
    and coalesce($dim2 in ('branch', 'region', 'branch_type', 'channel', 'segment', 'month', 'weekday'), true)
    and gap_n > 0

order by key1, key2
