-- rollup_importance_months: rollup_importance_days by month, with the branch's region and type.
-- Grain: branch_id x month_start x channel x segment x component_key
-- Order: month_start, branch_id, component_key
-- Partition: month month_start
select
    cast(date_trunc('month', d.submitted_on) as date) as month_start,
    last_day(d.submitted_on) as month_end,
    d.branch_id, b.region, b.branch_type, d.channel, d.segment, d.component_key,
    sum(d.n) as n,
    sum(d.sum_share) as sum_share
from rollup_importance_days as d
join branches as b on b.branch_id = d.branch_id
group by cast(date_trunc('month', d.submitted_on) as date), last_day(d.submitted_on), d.branch_id, b.region,
    b.branch_type, d.channel, d.segment, d.component_key
