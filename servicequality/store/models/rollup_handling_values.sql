-- rollup_handling_values: the values of the buckets holding more than one distinct value, ordered by
-- bucket, so a query reads only the buckets it needs (a bucket of one value is its low = high).
-- Grain: bucket x complaint
-- Order: bucket, opened_on, branch_id
select
    v.bucket, c.opened_on, c.branch_id, c.region, c.branch_type,
    c.channel, c.segment, c.category, c.component_key, v.value
from tmp_handling_values as v
join tmp_complaints as c on c.complaint_no = v.complaint_no
join rollup_handling_buckets as k on k.bucket = v.bucket
where k.low < k.high
