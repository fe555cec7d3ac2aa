-- tmp_handling_values: the handling times and targets as "measures" of the exact percentiles, each
-- value with its series and bucket. Measures: 1 minutes to first response, 2 to resolution, 3 and 4
-- their targets (one series each); 5 and 6 the minutes again per channel and priority (one series per
-- pair). The values of a series go in 128 buckets of about equal size, in value order; ties join the
-- bucket where their first copy fell, so a series' buckets are disjoint value ranges. Bucket numbers
-- are unique across series: (series - 1) * 128 + 1 onwards.
-- Grain: measure x complaint_no
-- Temporary: read by the handling rollups, dropped after the refresh
with measured as (
    select cast(1 as smallint) as measure, complaint_no, cast(null as varchar) as channel,
        cast(null as varchar) as priority, cast(first_response_minutes as double) as value
    from tmp_complaints where first_response_minutes is not null
    union all
    select cast(2 as smallint), complaint_no, null, null, cast(resolution_minutes as double)
    from tmp_complaints where resolution_minutes is not null
    union all
    select cast(3 as smallint), complaint_no, null, null, cast(first_response_target as double)
    from tmp_complaints where first_response_target is not null
    union all
    select cast(4 as smallint), complaint_no, null, null, cast(resolution_target as double)
    from tmp_complaints where resolution_target is not null
    union all
    select cast(5 as smallint), complaint_no, channel, priority, cast(first_response_minutes as double)
    from tmp_complaints where first_response_minutes is not null
    union all
    select cast(6 as smallint), complaint_no, channel, priority, cast(resolution_minutes as double)
    from tmp_complaints where resolution_minutes is not null
),

-- the series numbered over their few keys, then joined (a rank over every value would be one task
-- on a cluster)
series_keys as (
    select
        k.measure, k.channel, k.priority,
        dense_rank() over (order by k.measure, k.channel nulls first, k.priority nulls first) as series
    from (select distinct measure, channel, priority from measured) as k
),

series as (
    select v.*, k.series
    from measured as v
    join series_keys as k
        on k.measure = v.measure
        and k.channel is not distinct from v.channel
        and k.priority is not distinct from v.priority
),

tiled as (
    select s.*, ntile(128) over (partition by s.series order by s.value) as tile
    from series as s
)

select
    series, measure, channel, priority, complaint_no, value,
    cast((series - 1) * 128 + min(tile) over (partition by series, value) as smallint) as bucket
from tiled
