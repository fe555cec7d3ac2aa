-- rollup_handling_network_months: values per month and bucket (every series), read when no branch,
-- region or branch type is selected.
-- Grain: month x bucket
-- Order: month, bucket
select
    cast(date_trunc('month', c.opened_on) as date) as month,
    v.series, v.measure, v.bucket,
    count(*) as n
from tmp_handling_values as v
join tmp_complaints as c on c.complaint_no = v.complaint_no
group by cast(date_trunc('month', c.opened_on) as date), v.series, v.measure, v.bucket
