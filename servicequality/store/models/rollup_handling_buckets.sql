-- rollup_handling_buckets: per bucket of the exact percentiles, its series, measure, channel and
-- priority (pair series), lowest and highest value, and count; tiled_n is the count when the buckets
-- were last tiled (an import keeps the buckets and widens them: store/handling.py tiles them anew
-- once a bucket has outgrown that count).
-- Grain: bucket
-- Order: bucket
select
    bucket, series, measure, channel, priority,
    min(value) as low, max(value) as high, count(*) as n, count(*) as tiled_n
from tmp_handling_values
group by bucket, series, measure, channel, priority
