-- rollup_handling_buckets: per bucket of the exact percentiles, its series, measure, channel and
-- priority (pair series), lowest and highest value, and count.
-- Grain: bucket
-- Order: bucket
select
    bucket, series, measure, channel, priority,
    min(value) as low, max(value) as high, count(*) as n
from tmp_handling_values
group by bucket, series, measure, channel, priority
