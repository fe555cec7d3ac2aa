-- explore_responses: CSAT and NPS counts per cell of one or two chosen dimensions, for the Explore
-- page (definitions as in survey_summary). One answer per response, so neither component nor
-- complaint category splits them: those dimensions give a null key.
-- Grain: one row per (key1, key2) with survey responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types,
--   $dim1, $dim2 (branch, region, branch_type, channel, segment, month, weekday; or null)
-- Columns:
--   key1, key2   the cell: the value of $dim1 and $dim2 (null when that dimension is null or does
--                not apply). branch -> branch_id, component -> component_key, month -> 'YYYY-MM',
--                weekday -> '1'..'7' (Monday = 1), others -> the value itself
--   responses      survey responses in the cell
--   csat_n         answers to overall satisfaction (1-5); csat_satisfied: of those, 4 or 5
--   nps_n          answers to the 0-10 recommendation question; promoters 9-10, detractors 0-6
with cells as (
    select
        case $dim1
            when 'branch' then r.branch_id
            when 'region' then b.region
            when 'branch_type' then b.branch_type
            when 'channel' then r.channel
            when 'segment' then r.segment
            when 'month' then substring(cast(cast(r.submitted_at as date) as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', cast(r.submitted_at as date)) % 7) + 7) % 7 + 1 as varchar)
        end as key1,
        case $dim2
            when 'branch' then r.branch_id
            when 'region' then b.region
            when 'branch_type' then b.branch_type
            when 'channel' then r.channel
            when 'segment' then r.segment
            when 'month' then substring(cast(cast(r.submitted_at as date) as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', cast(r.submitted_at as date)) % 7) + 7) % 7 + 1 as varchar)
        end as key2,
        r.overall_satisfaction,
        r.nps
    from survey_responses as r
    join branches as b on b.branch_id = r.branch_id
    where cast(r.submitted_at as date) between $start and $end
        -- Selected on b: regions, branch_types, branches; on r: channels, segments
)

select
    key1,
    key2,
    count(*) as responses,
    count(overall_satisfaction) as csat_n,
    sum(case when overall_satisfaction >= 4 then 1 else 0 end) as csat_satisfied,
    count(nps) as nps_n,
    sum(case when nps >= 9 then 1 else 0 end) as promoters,
    sum(case when nps <= 6 then 1 else 0 end) as detractors
from cells
group by key1, key2
order by key1, key2
