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
with scored as (
    select
        s.response_id,
        case $dim1
            when 'branch' then s.branch_id
            when 'region' then s.region
            when 'branch_type' then s.branch_type
            when 'channel' then s.channel
            when 'component' then s.component_key
            when 'segment' then s.segment
            when 'month' then substring(cast(s.submitted_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', s.submitted_on) % 7) + 7) % 7 + 1 as varchar)
        end as key1,
        case $dim2
            when 'branch' then s.branch_id
            when 'region' then s.region
            when 'branch_type' then s.branch_type
            when 'channel' then s.channel
            when 'component' then s.component_key
            when 'segment' then s.segment
            when 'month' then substring(cast(s.submitted_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', s.submitted_on) % 7) + 7) % 7 + 1 as varchar)
        end as key2,
        s.gap,
        s.perception
    from response_component_scores as s
    where s.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, s.region))
        and ($branch_types is null or list_contains($branch_types, s.branch_type))
        and ($branches is null or list_contains($branches, s.branch_id))
        and ($channels is null or list_contains($channels, s.channel))
        and ($segments is null or list_contains($segments, s.segment))
        and ($components is null or list_contains($components, s.component_key))
),

respondents as (
    select response_id, key1, key2, avg(gap) as gap, avg(perception) as perception
    from scored
    group by response_id, key1, key2
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
order by key1, key2
