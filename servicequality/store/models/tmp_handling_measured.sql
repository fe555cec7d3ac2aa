-- tmp_handling_measured: the handling times and targets as "measures" of the exact percentiles.
-- Measures: 1 minutes to first response, 2 to resolution, 3 and 4 their targets (one series each);
-- 5 and 6 the minutes again per channel and priority (one series per pair). Bucketed by
-- tmp_handling_values (whole: tiled anew; an import's refresh: into the buckets kept, store/handling.py).
-- Grain: measure x complaint_no
-- Temporary: read by tmp_handling_values, dropped after the refresh
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
