-- tmp_handling_values: each handling value (tmp_handling_measured) with its series and bucket. The
-- values of a series go in 128 buckets of about equal size, in value order; ties join the
-- bucket where their first copy fell, so a series' buckets are disjoint value ranges. Bucket numbers
-- are unique across series: (series - 1) * 128 + 1 onwards.
-- Grain: measure x complaint_no
-- Temporary: read by the handling rollups, dropped after the refresh
-- The series numbered over their few keys, then joined (a rank over every value would be one task
-- on a cluster). A value's bucket is the tile of its first copy: ntile(128)'s tile (SQLite's and
-- DuckDB's rule: the first n mod 128 tiles hold one value more) of the position its rank gives, so
-- one sort per series does what ntile and then the least tile per value did in two (10 M tickets:
-- 16.3 -> 11.5 s; tests/store/test_handling.py holds it against those two windows).
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

ranked as (
    select
        s.*,
        rank() over (partition by s.series order by s.value) - 1 as first_at,
        count(*) over (partition by s.series) as n
    from series as s
),

sized as (
    select r.*, cast(floor(n / 128) as bigint) as size, n - 128 * cast(floor(n / 128) as bigint) as large
    from ranked as r
)

select
    series, measure, channel, priority, complaint_no, value,
    cast((series - 1) * 128 + case
        when size = 0 then first_at + 1
        when first_at < large * (size + 1) then 1 + cast(floor(first_at / (size + 1)) as bigint)
        else 1 + large + cast(floor((first_at - large * (size + 1)) / size) as bigint)
    end as smallint) as bucket
from sized
