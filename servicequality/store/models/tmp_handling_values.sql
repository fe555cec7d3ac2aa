-- tmp_handling_values: each handling value (tmp_handling_measured) with its series and bucket. The
-- values of a series go in 128 buckets of about equal size, in value order; ties join the
-- bucket where their first copy fell, so a series' buckets are disjoint value ranges. Bucket numbers
-- are unique across series: (series - 1) * 128 + 1 onwards.
-- Grain: measure x complaint_no
-- Temporary: read by the handling rollups, dropped after the refresh
-- The series numbered over their few keys, then joined (a rank over every value would be one task
-- on a cluster).
with series_keys as (
    select
        k.measure, k.channel, k.priority,
        dense_rank() over (order by k.measure, k.channel nulls first, k.priority nulls first) as series
    from (select distinct measure, channel, priority from tmp_handling_measured) as k
),

series as (
    select v.*, k.series
    from tmp_handling_measured as v
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
