-- rollup_handling_months: values per branch, month and bucket (measures 1-4, no pair series).
-- Grain: branch_id x month x bucket
-- Order: month, branch_id, bucket
select
    cast(date_trunc('month', c.opened_on) as date) as month,
    c.branch_id, c.region, c.branch_type, v.series, v.measure, v.bucket,
    count(*) as n
from tmp_handling_values as v
join tmp_complaints as c on c.complaint_no = v.complaint_no
where v.channel is null
group by cast(date_trunc('month', c.opened_on) as date), c.branch_id, c.region, c.branch_type,
    v.series, v.measure, v.bucket
